// The whole cluster as one server: remote control and presence that reach connections on any node
// through the engine's exchange. Without an exchange the same calls answer for this node alone, so
// code written against the cluster API runs unchanged on a single node.
import { assertSendableCloseCode, ConnectionNotFoundError, InvalidOptionError } from './engine.errors.js';
import { ASK_TIMEOUT_INVALID } from './engine.messages.js';
import { performLocally, presenceLocally } from './exchange-node.js';
import type { NeffosEngine } from './neffos.engine.js';
import type { PresenceAnswer, PresenceQuery, RemoteAction, RemoteOutcome } from './stack-exchange.js';

export interface ClusterCallOptions {
  /** Milliseconds to wait for the client's answer; defaults to the engine's `askTimeout`. */
  timeout?: number;
}

export class ClusterView {
  constructor(private readonly engine: NeffosEngine) {}

  /** Makes a connection on any node join a room (server-forced join; the client is told). */
  async joinRoom(connectionId: string, namespace: string, room: string, options: ClusterCallOptions = {}): Promise<void> {
    await this.run(connectionId, { kind: 'join', namespace, room, timeout: this.timeout(options) });
  }

  /** Makes a connection on any node leave a room (server-forced leave). */
  async leaveRoom(connectionId: string, namespace: string, room: string, options: ClusterCallOptions = {}): Promise<void> {
    await this.run(connectionId, { kind: 'leave', namespace, room, timeout: this.timeout(options) });
  }

  /** Disconnects a connection on any node from a namespace (server-initiated; the client is told). */
  async disconnect(connectionId: string, namespace: string, options: ClusterCallOptions = {}): Promise<void> {
    await this.run(connectionId, { kind: 'disconnect', namespace, timeout: this.timeout(options) });
  }

  /** Closes the connection(s) with this id wherever they are; resolves false when there is none. */
  async closeConnection(connectionId: string, code?: number, reason?: string): Promise<boolean> {
    // Refused here, not on the holding node, where it could only be dropped and the call time out.
    if (code !== undefined) assertSendableCloseCode(code);
    try {
      await this.run(connectionId, { kind: 'close', code, reason });
      return true;
    } catch (err) {
      if (err instanceof ConnectionNotFoundError) return false;
      throw err;
    }
  }

  /** Connections on every live node. */
  async connectionCount(): Promise<number> {
    const answers = await this.gather({ kind: 'count' });
    return answers.reduce<number>((sum, a) => sum + (typeof a === 'number' ? a : 0), 0);
  }

  /** Ids of the connections on every live node. */
  async connections(): Promise<string[]> {
    return this.names(await this.gather({ kind: 'connections' }));
  }

  /** Rooms of a namespace that have members on some live node (each name once). */
  async rooms(namespace: string): Promise<string[]> {
    return [...new Set(this.names(await this.gather({ kind: 'rooms', namespace })))];
  }

  /** Ids of the connections in a namespace (or one of its rooms) on every live node. */
  async members(namespace: string, room = ''): Promise<string[]> {
    return this.names(await this.gather({ kind: 'members', namespace, room }));
  }

  private run(connectionId: string, action: RemoteAction): Promise<RemoteOutcome> {
    const local = performLocally(this.engine, connectionId, action);
    if (local !== undefined) return local;
    const exchange = this.engine.options.exchange;
    if (exchange === undefined) return Promise.reject(new ConnectionNotFoundError(connectionId));
    return exchange.request(connectionId, action);
  }

  private async gather(query: PresenceQuery): Promise<PresenceAnswer[]> {
    const local = presenceLocally(this.engine, query);
    const exchange = this.engine.options.exchange;
    if (exchange === undefined) return [local];
    return [local, ...(await exchange.query(query))];
  }

  private names(answers: PresenceAnswer[]): string[] {
    return answers.flatMap((a) => (typeof a === 'number' ? [] : a));
  }

  private timeout(options: ClusterCallOptions): number {
    const t = options.timeout ?? this.engine.options.askTimeout;
    if (!(Number.isFinite(t) && t > 0)) throw new InvalidOptionError(ASK_TIMEOUT_INVALID(t));
    return t;
  }
}
