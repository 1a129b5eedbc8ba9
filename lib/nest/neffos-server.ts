// The injectable face of the engine: push to everyone, a room, or one connection from anywhere in
// the app (HTTP controllers, services, cron jobs), ask a connection, manage its rooms.
import { Injectable } from '@nestjs/common';
import type { AskOptions, BroadcastOptions, ClusterView, Conn, NamespaceMessage, NeffosEngine, Room } from '../engine/index.js';
import { assertSendableCloseCode, BadNamespaceError, ConnectionNotFoundError } from '../engine/index.js';
import type { EventName, EventReply, NamespaceMap } from '../protocol/event-map.js';
import type { Message } from '../protocol/index.js';
import { NeffosNotReadyError } from './neffos.errors.js';

/** `server.to(id)`: one connection, by id, on any node. */
export interface NeffosTarget<N extends NamespaceMap<N> = any> {
  /** Sends an event to that connection (every connection with that id); returns how many local ones it was written to. */
  emit<K extends EventName<N>, E extends EventName<N[K]>>(msg: NamespaceMessage<N, K, E>): number;
}

/**
 * Push to everyone, a room, or one connection from anywhere in the app. `N` is the app's namespace
 * map (see `NamespaceMap`): inject `NeffosServer<ChatApp>` and `broadcast`, `to(id).emit` and `ask`
 * check namespace names, event names and bodies, and `ask` resolves to a `Message` of the declared
 * reply. Untyped (`NeffosServer` is `NeffosServer<any>`) by default; the injection token is the same.
 */
@Injectable()
export class NeffosServer<N extends NamespaceMap<N> = any> {
  private current: NeffosEngine | undefined;

  /** @internal set by the host at bootstrap, cleared at shutdown */
  bind(engine: NeffosEngine | undefined): void {
    this.current = engine;
  }

  /** The underlying engine (for what this facade does not cover). */
  get engine(): NeffosEngine {
    if (this.current === undefined) throw new NeffosNotReadyError();
    return this.current;
  }

  /**
   * Sends to every connection of a namespace (or room), except the given ids. Copies carry no token.
   * @returns how many local connections it was written to
   */
  broadcast<K extends EventName<N>, E extends EventName<N[K]>>(msg: NamespaceMessage<N, K, E>, options?: BroadcastOptions): number {
    return this.engine.broadcast(msg, options);
  }

  /** Addresses one connection by id: `server.to(id).emit({ namespace, event, body })`. */
  to(connectionId: string): NeffosTarget<N> {
    return this.engine.to(connectionId);
  }

  /**
   * The whole cluster when an exchange is configured (else this node alone), all async:
   * `joinRoom`, `leaveRoom`, `disconnect` and `closeConnection` on a connection held by any node, and
   * `connectionCount()`, `connections()`, `rooms(ns)`, `members(ns, room?)` over every live node.
   * (`broadcast`, `to(id)` and `ask` above already reach every node.)
   */
  get cluster(): ClusterView {
    return this.engine.cluster;
  }

  /** Asks one connection (on any node) and resolves with its reply; rejects with its error text, a timeout, or a close. */
  ask<K extends EventName<N>, E extends EventName<N[K]>>(
    connectionId: string,
    msg: Omit<NamespaceMessage<N, K, E>, 'binary'>,
    options?: Omit<AskOptions, 'room'>,
  ): Promise<Message<EventReply<N[K], E>>> {
    return this.engine.ask(connectionId, msg, options);
  }

  /** Makes a connection join a room (server-forced join: the client is told). */
  async joinRoom(connectionId: string, namespace: string, room: string): Promise<Room> {
    return this.nsConn(connectionId, namespace).joinRoom(room);
  }

  /** Makes a connection leave a room (server-forced leave). */
  async leaveRoom(connectionId: string, namespace: string, room: string): Promise<void> {
    return this.nsConn(connectionId, namespace).leaveRoom(room);
  }

  connection(id: string): Conn | undefined {
    return this.engine.connection(id);
  }

  connections(): Conn[] {
    return this.engine.connections();
  }

  get connectionCount(): number {
    return this.engine.connectionCount;
  }

  /** Rooms of a namespace that have members. */
  rooms(namespace: string): string[] {
    return this.engine.rooms(namespace);
  }

  /** Ids of the connections in a namespace or room. */
  members(namespace: string, room?: string): string[] {
    return this.engine.members(namespace, room);
  }

  /** Closes one connection (all with that id) with a close frame; default code 1000. */
  closeConnection(connectionId: string, code?: number, reason?: string): boolean {
    if (code !== undefined) assertSendableCloseCode(code);
    const conns = this.engine.connectionsWithId(connectionId);
    for (const conn of conns) conn.close(code, reason);
    return conns.length > 0;
  }

  /** Closes every connection with 1001 and stops serving (also done by `app.close()`). */
  close(): Promise<void> {
    return this.current?.close() ?? Promise.resolve();
  }

  private nsConn(connectionId: string, namespace: string) {
    const conn = this.engine.connection(connectionId);
    if (conn === undefined) throw new ConnectionNotFoundError(connectionId);
    const nsConn = conn.namespace(namespace);
    if (nsConn === undefined) throw new BadNamespaceError(namespace);
    return nsConn;
  }
}
