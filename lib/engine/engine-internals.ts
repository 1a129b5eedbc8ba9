// What a Conn needs from its engine; an interface so conn.ts does not import the engine class.
import type { ServerTokenSource } from '../protocol/index.js';
import type { Conn } from './conn.js';
import type { ResolvedEngineOptions } from './engine-options.js';
import type { HandlerResult } from './events.js';
import type { MembershipIndex } from './membership.index.js';

/** A message for many connections; it never carries a token (spec §5.1). */
export interface BroadcastMessage {
  namespace: string;
  /** Only members of this room (default: the whole namespace). */
  room?: string;
  event: string;
  body?: HandlerResult;
  /** Send as a binary frame (default: text). */
  binary?: boolean;
}

export interface BroadcastOptions {
  /** Connection id(s) that must not receive it. */
  except?: string | readonly string[];
}

export interface EngineInternals {
  readonly options: ResolvedEngineOptions;
  readonly tokens: ServerTokenSource;
  readonly index: MembershipIndex;
  broadcast(msg: BroadcastMessage, options?: BroadcastOptions): number;
  trySettleReply(conn: Conn, data: Buffer, binary: boolean): boolean;
  clearHandshakeTimer(conn: Conn): void;
  connectionGone(conn: Conn, wasAcknowledged: boolean): void;
  reportError(err: unknown, conn?: Conn): void;
}
