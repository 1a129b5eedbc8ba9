// Ports neffos conn_namespace.go:NSConn: a connection inside one namespace, its hooks, and both halves
// (the client's request and the server's) of room join and leave (docs/protocol.md §3.7, §3.8), each re-check once.
import type { AskCallback } from './ask-registry.js';
import { ERR_BAD_NAMESPACE, ERR_BAD_ROOM, Message, OnAnyEvent, OnRoomJoin, OnRoomJoined, OnRoomLeave, OnRoomLeft, encodeFields } from '../protocol/index.js';
import type { Conn } from './conn.js';
import { BadNamespaceError, BadRoomError, ConnectionClosedError, RoomNameTooLongError, TooManyRoomsError } from './engine.errors.js';
import { REJECTED, ROOM_NAME_TOO_LONG, TOO_MANY_ROOMS } from './engine.messages.js';
import type { BodyAndOptions, BodyArg, EventMap, EventName, EventReply, EventRequest, Payload } from '../protocol/event-map.js';
import type { AskOptions, BroadcastFromOptions, Events } from './engine.types.js';
import { withinHandlerTimeout } from './handler-timeout.js';
import { disconnectNamespace } from './namespace-lifecycle.js';
import { isPromiseLike, isRequest, toBody, writeEmptyReply, writeErrorReply } from './reply.writer.js';
import { Room } from './room.js';


/** The rooms of an NSConn that has joined none: most idle connections, so no Map each. */
const NO_ROOMS: ReadonlyMap<string, Room> = new Map();

/**
 * A connection in one namespace. `M` is the event map of what the server sends in it (see
 * `EventMap`): with `NSConn<ChatEvents>`, `emit`, `ask` and `broadcast` check event names and bodies,
 * and `ask` resolves to a `Message` of the declared reply. Untyped (`NSConn` is `NSConn<any>`) by
 * default. Types only: a typed and an untyped NSConn are the same object.
 */
export class NSConn<M extends EventMap<M> = any> {
  /** Created on the first join. */
  private joinedRooms: Map<string, Room<M>> | undefined;
  /**
   * @internal Set by the Nest layer while a handler with exception filters runs: Nest's
   * BaseWsExceptionFilter answers with `emit('exception', payload)`, which must become that handler's
   * error reply rather than an event beside a second, different error reply. Returns what `emit` returns.
   */
  exceptionSink: ((payload: unknown) => boolean) | undefined = undefined;

  // Private: made by the connection when a namespace connects, never by users.
  private constructor(
    readonly conn: Conn,
    readonly namespace: string,
    /** @internal the handlers of this namespace */
    readonly events: Events,
  ) {}

  /** @internal */
  static create(conn: Conn, namespace: string, events: Events): NSConn {
    return new NSConn(conn, namespace, events);
  }

  /** Rooms this connection has joined, by name (read-only: join and leave through the methods). */
  get rooms(): ReadonlyMap<string, Room<M>> {
    return this.joinedRooms ?? NO_ROOMS;
  }

  private get joined(): ReadonlyMap<string, Room<M>> {
    return this.joinedRooms ?? NO_ROOMS;
  }

  get id(): string {
    return this.conn.id;
  }

  room(name: string): Room<M> | undefined {
    return this.joined.get(name);
  }

  // ---- writes ----------------------------------------------------------------------------------------

  /** Sends an event to this client in this namespace (a text frame; objects are sent as JSON). */
  emit<E extends EventName<M>>(event: E, ...body: BodyArg<EventRequest<M, E>>): boolean;
  emit(event: string, body?: Payload): boolean {
    if (this.exceptionSink !== undefined && event === 'exception') return this.exceptionSink(body);
    return this.emitTo('', event, body, false);
  }

  emitBinary(event: string, body: Buffer | Uint8Array): boolean {
    return this.emitTo('', event, body, true);
  }

  /** @internal */
  emitTo(room: string, event: string, body: Payload, binary: boolean): boolean {
    if (!this.conn.isConnectedTo(this) || (room !== '' && !this.joined.has(room))) return false;
    return this.conn.write(encodeFields('', this.namespace, room, event, false, false, toBody(body) ?? ''), binary);
  }

  /** Sends an event to the other connections of this namespace (or of `room`), through the engine. */
  broadcast<E extends EventName<M>>(event: E, ...args: BodyAndOptions<EventRequest<M, E>, BroadcastFromOptions>): void;
  broadcast(event: string, body?: Payload, options: BroadcastFromOptions = {}): void {
    this.conn.host.broadcast(
      { namespace: this.namespace, room: options.room, event, body, binary: options.binary },
      options.includeSelf ? {} : { except: this.conn.id },
    );
  }

  /** Asks the client; resolves with its reply, rejects with its error text, a timeout, or a close. */
  ask<E extends EventName<M>>(event: E, ...args: BodyAndOptions<EventRequest<M, E>, AskOptions>): Promise<Message<EventReply<M, E>>>;
  ask(event: string, body?: Payload, options: AskOptions = {}): Promise<Message> {
    const room = options.room ?? '';
    // The write guard (docs/protocol.md §5.1, §11): never ask in a namespace or room the client is not in.
    const refused = this.writeGuard(room);
    if (refused !== undefined) return Promise.reject(refused);
    return this.conn.ask(this.namespace, room, event, toBody(body) ?? '', options.binary ?? false, options.timeout);
  }

  /** @internal `ask` with a callback instead of a promise (a cross-node ask's holding node) */
  askWith(event: string, body: Buffer | string, room: string, binary: boolean, timeout: number, done: AskCallback): void {
    const refused = this.writeGuard(room);
    if (refused !== undefined) return done(refused);
    this.conn.askWith(this.namespace, room, event, body, binary, timeout, done);
  }

  /** Why a request may not be written now; closed connections are left to `Conn.ask` to reject. */
  private writeGuard(room: string): Error | undefined {
    if (this.conn.isClosed) return undefined;
    if (!this.conn.isConnectedTo(this)) return new BadNamespaceError(this.namespace);
    if (room !== '' && !this.joined.has(room)) return new BadRoomError(this.namespace, room);
    return undefined;
  }

  // ---- hooks -----------------------------------------------------------------------------------------

  /** @internal runs the handler of `msg.event` (or `_OnAnyEvent`); a throw propagates */
  fire(msg: Message): unknown {
    const handler = this.events[msg.event] ?? this.events[OnAnyEvent];
    return handler === undefined ? undefined : handler(msg, this);
  }

  /** @internal like fire, for teardown and after-the-fact notices: failures are reported, never thrown */
  async fireQuietly(msg: Message): Promise<void> {
    try {
      // Teardown hooks too are bounded by handlerTimeout: one that never settles must not keep the
      // connection's rooms and namespaces (and every hook after it) waiting for ever.
      const result = this.fire(msg);
      if (isPromiseLike(result)) await withinHandlerTimeout(result, msg.event, this.conn.host.options.handlerTimeout);
    } catch (err) {
      this.conn.host.reportError(err, this.conn);
    }
  }

  /** @internal runs a lifecycle hook; resolves to the error to reply with, or undefined when it allowed the action */
  async veto(msg: Message): Promise<unknown> {
    try {
      const result = this.fire(msg);
      if (isPromiseLike(result)) await withinHandlerTimeout(result, msg.event, this.conn.host.options.handlerTimeout);
      return undefined;
    } catch (err) {
      return err ?? new Error(REJECTED);
    }
  }

  // ---- join (docs/protocol.md §3.7) ----------------------------------------------------------------------------------

  /**
   * @internal the client's `_OnRoomJoin` request (§3.7.1). What the engine refuses itself is answered at
   * once, with no promise and no Error (a stack trace each): one read can carry thousands of joins past
   * maxRoomsPerConnection. The rest goes to the server's hook, which may veto it.
   */
  replyJoin(msg: Message): Promise<void> | undefined {
    if (!isRequest(msg)) return undefined;
    const refused = this.joinRefusal(msg.room);
    if (refused === '') writeEmptyReply(this.conn, msg.token);
    else if (refused !== undefined) writeErrorReply(this.conn, msg, refused);
    else return this.joinUnlessVetoed(msg);
    return undefined;
  }

  /** Why the engine answers a client's join itself: the error text, '' when joined already, undefined to go on. */
  private joinRefusal(room: string): string | undefined {
    // Room "" is the namespace level itself; joining it would make namespace frames look like room ones.
    if (room === '') return ERR_BAD_ROOM;
    if (this.joined.has(room)) return '';
    const max = this.conn.host.options.maxRoomNameLength;
    const bytes = this.nameBytesOver(room, max);
    if (bytes !== undefined) return ROOM_NAME_TOO_LONG(bytes, max);
    if (this.roomsFull()) return TOO_MANY_ROOMS(this.conn.host.options.maxRoomsPerConnection);
    return undefined;
  }

  private async joinUnlessVetoed(msg: Message): Promise<void> {
    const rejected = await this.veto(msg);
    if (rejected !== undefined) return writeErrorReply(this.conn, msg, rejected);
    const joined = this.commitJoin(msg.room);
    if (joined === undefined) return writeErrorReply(this.conn, msg, ERR_BAD_NAMESPACE);
    if (joined.added) await this.fireQuietly(new Message({ namespace: this.namespace, room: msg.room, event: OnRoomJoined }));
    writeEmptyReply(this.conn, msg.token);
  }

  /** Server-forced join (§3.7.2): the server's `_OnRoomJoin` may veto before anything is sent. */
  async joinRoom(name: string, options: { timeout?: number } = {}): Promise<Room<M>> {
    if (name === '') throw new BadRoomError(this.namespace, name);
    const existing = this.joined.get(name);
    if (existing !== undefined) return existing;
    const refused = this.writeGuard('');
    if (refused !== undefined) throw refused;
    const max = this.conn.host.options.maxRoomNameLength;
    const bytes = this.nameBytesOver(name, max);
    if (bytes !== undefined) throw new RoomNameTooLongError(bytes, max);
    if (this.roomsFull()) throw new TooManyRoomsError(this.conn.host.options.maxRoomsPerConnection);
    await this.fire(new Message({ namespace: this.namespace, room: name, event: OnRoomJoin, isLocal: true }));
    await this.conn.ask(this.namespace, name, OnRoomJoin, '', false, options.timeout);
    const joined = this.commitJoin(name);
    if (joined === undefined) throw this.conn.isClosed ? new ConnectionClosedError(this.id) : new BadNamespaceError(this.namespace);
    if (joined.added) await this.fire(new Message({ namespace: this.namespace, room: name, event: OnRoomJoined, isLocal: true }));
    return joined.room;
  }

  /** The UTF-8 length of a room name over `max` bytes (maxRoomNameLength: 1,000 rooms must not hold a MiB-long name each). */
  private nameBytesOver(name: string, max: number): number | undefined {
    // A UTF-8 byte is at least a UTF-16 unit and at most three: only names near the bound are measured.
    if (name.length * 3 <= max) return undefined;
    const bytes = Buffer.byteLength(name);
    return bytes > max ? bytes : undefined;
  }

  /** The connection is in maxRoomsPerConnection rooms (all namespaces): a join would cost unbounded memory. */
  private roomsFull(): boolean {
    return this.conn.roomCount >= this.conn.host.options.maxRoomsPerConnection;
  }

  /**
   * After a join's awaits: the connection may have closed or the namespace been dropped (undefined: a
   * room of a dropped NSConn would stay in the index for ever, past the write guard), or the other
   * side's join of the same room completed meanwhile (`added` false: one Room, Joined fired once).
   */
  private commitJoin(name: string): { room: Room<M>; added: boolean } | undefined {
    if (!this.conn.isConnectedTo(this)) return undefined;
    const existing = this.joined.get(name);
    if (existing !== undefined) return { room: existing, added: false };
    const room = Room.create<M>(this, name);
    (this.joinedRooms ??= new Map()).set(name, room);
    this.conn.roomCount++;
    this.conn.host.index.addRoom(this, name);
    return { room, added: true };
  }

  // ---- leave (docs/protocol.md §3.8) ---------------------------------------------------------------------------------

  /** @internal the client's `_OnRoomLeave` request (§3.8.1): a room not joined is answered at once; the server's hook may veto the rest */
  replyLeave(msg: Message): Promise<void> | undefined {
    if (!isRequest(msg)) return undefined;
    if (this.joined.has(msg.room)) return this.leaveUnlessVetoed(msg);
    writeEmptyReply(this.conn, msg.token);
    return undefined;
  }

  private async leaveUnlessVetoed(msg: Message): Promise<void> {
    const rejected = await this.veto(msg);
    if (rejected !== undefined) return writeErrorReply(this.conn, msg, rejected);
    if (this.commitLeave(msg.room)) await this.fireQuietly(new Message({ namespace: this.namespace, room: msg.room, event: OnRoomLeft }));
    writeEmptyReply(this.conn, msg.token);
  }

  /** Server-forced leave (§3.8.2): the server's `_OnRoomLeave` may veto before anything is sent. */
  async leaveRoom(name: string, options: { timeout?: number } = {}): Promise<void> {
    if (!this.joined.has(name)) throw new BadRoomError(this.namespace, name);
    await this.fire(new Message({ namespace: this.namespace, room: name, event: OnRoomLeave, isLocal: true }));
    await this.conn.ask(this.namespace, name, OnRoomLeave, '', false, options.timeout);
    if (this.commitLeave(name)) await this.fire(new Message({ namespace: this.namespace, room: name, event: OnRoomLeft, isLocal: true }));
  }

  /**
   * After a leave's awaits: left meanwhile (close, namespace disconnect, the other side's leave) means
   * its Leave/Left hooks have fired already (false). Otherwise leaves the room now (true).
   */
  private commitLeave(name: string): boolean {
    if (!this.conn.isConnectedTo(this) || !this.joined.has(name)) return false;
    this.removeRoom(name);
    return true;
  }

  /** @internal leaves every room locally, firing Leave then Left for each (docs/protocol.md §6.5) */
  async forceLeaveAll(isLocal: boolean): Promise<void> {
    for (const name of [...this.joined.keys()]) {
      await this.fireQuietly(new Message({ namespace: this.namespace, room: name, event: OnRoomLeave, isLocal, isForced: true }));
      this.removeRoom(name);
      await this.fireQuietly(new Message({ namespace: this.namespace, room: name, event: OnRoomLeft, isLocal, isForced: true }));
    }
  }

  private removeRoom(name: string): void {
    this.joinedRooms?.delete(name);
    this.conn.roomCount--;
    this.conn.host.index.removeRoom(this, name);
  }

  // ---- disconnect ----------------------------------------------------------------------------------------

  /** Server-forced disconnect (docs/protocol.md §3.6.2); neffos.js never refuses it. */
  disconnect(options: { timeout?: number } = {}): Promise<void> {
    return disconnectNamespace(this, options.timeout);
  }
}
