// The messages nodes send each other over the bus (socket.io-adapter's ClusterMessage, for neffos):
// every one names its sender node, so a node drops its own echoes. Bodies travel as raw bytes after
// the header (see cluster-message.codec.ts), so binary stays binary and nothing is base64'd.
import type { PresenceAnswer, PresenceQuery, RemoteAction } from '../engine/stack-exchange.js';

/** An error as it crosses nodes: the class name, its text and the fields its constructor takes. */
export interface WireError {
  name: string;
  message: string;
  event?: string;
  timeoutMs?: number;
  connectionId?: string;
  namespace?: string;
  room?: string;
  /** TooManyPendingAsksError, TooManyRoomsError, RoomNameTooLongError: the limit. */
  max?: number;
  /** RoomNameTooLongError: the name's length in bytes. */
  bytes?: number;
}

/** `RemoteAction` without its body, which rides in the payload tail. */
export type WireAction = RemoteAction extends infer A ? (A extends { body: unknown } ? Omit<A, 'body'> : A) : never;

/**
 * Where a node with a direct link (the exchange option `nodeLink`) listens, and the key a dialer must
 * present. Nodes without the option, and older ones, neither send nor read it.
 */
export interface LinkAdvert {
  /** `host:port` or `[v6]:port`. */
  at: string;
  /** 16 random bytes, base64url. */
  key: string;
}

export type ClusterMessage =
  /** A node started or its broker connection came back: the others answer with a heartbeat at once. */
  | { t: 'hello'; n: string; link?: LinkAdvert }
  /** I am alive (every heartbeat interval). */
  | { t: 'hb'; n: string; link?: LinkAdvert }
  /** I am shutting down: stop waiting for my answers. */
  | { t: 'bye'; n: string }
  /** A broadcast or `to(id)` emit. */
  | { t: 'emit'; n: string; ns: string; room: string; ev: string; bin: boolean; except?: string[]; to?: string; body: Buffer }
  /** Run `action` on connection `id` if you hold it; answer on my node channel. */
  | { t: 'req'; n: string; rid: number; id: string; action: WireAction; body: Buffer }
  /** The holder's outcome of request `rid`; `reply` (and the body) for an ask. */
  | { t: 'res'; n: string; rid: number; reply?: { ns: string; room: string; ev: string; bin: boolean }; body: Buffer }
  /** The holder's failure of request `rid`. */
  | { t: 'fail'; n: string; rid: number; err: WireError }
  /** I do not hold the connection of request `rid`. */
  | { t: 'absent'; n: string; rid: number }
  /** Presence question `rid`. */
  | { t: 'q'; n: string; rid: number; query: PresenceQuery }
  /** My answer to presence question `rid`. */
  | { t: 'qa'; n: string; rid: number; answer: PresenceAnswer };

export type ClusterMessageType = ClusterMessage['t'];
