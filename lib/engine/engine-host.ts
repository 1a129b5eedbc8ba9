// What a Conn (and its NSConns) sees of the engine that accepted it; an interface, so conn.ts does not
// import the engine class and a test or a cluster layer can stand in for it.
import type { ServerTokenSource } from '../protocol/index.js';
import type { Conn } from './conn.js';
import type { DeadlineQueue } from './deadline-queue.js';
import type { ResolvedEngineOptions } from './engine-options.js';
import type { BroadcastMessage, BroadcastOptions } from './engine.types.js';
import type { MembershipIndex } from './membership.index.js';

export interface EngineHost {
  readonly options: ResolvedEngineOptions;
  /** Tokens of server-initiated asks, unique across the engine's connections. */
  readonly tokens: ServerTokenSource;
  /** Timeouts of the connections' server asks, one timer per timeout value (absent: one queue per connection). */
  readonly deadlines?: DeadlineQueue;
  /** Who is in which namespace and room; NSConn keeps it current on join, leave, connect, disconnect. */
  readonly index: MembershipIndex;
  broadcast(msg: BroadcastMessage, options?: BroadcastOptions): number;
  /** A handshake ended (acknowledged, rejected, timed out or closed); it no longer counts against maxPendingHandshakes. */
  handshakeEnded(): void;
  /**
   * The socket closed and the teardown hooks are about to run: the connection stops counting (ids,
   * `connectionCount`, `maxConnections`) now, not once its hooks settle, which they may never do.
   */
  connectionClosing(conn: Conn): void;
  /** The connection's teardown has run; `wasAcknowledged`: it got `A<id>`, so `onDisconnect` is owed. */
  connectionGone(conn: Conn, wasAcknowledged: boolean): void;
  /** A failure with no client to answer; never throws. */
  reportError(err: unknown, conn?: Conn): void;
}
