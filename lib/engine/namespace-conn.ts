// Ports neffos conn_namespace.go:NSConn: a connection inside one namespace, with the server-initiated
// actions of spec §3.6.2, §3.7.2, §3.8.2 and §4 (asks with a timeout, settled on close).
import { Message, OnNamespaceDisconnect, OnRoomJoin, OnRoomJoined, OnRoomLeave, OnRoomLeft } from '../protocol/index.js';
import type { Conn } from './conn.js';
import { BadNamespaceError, BadRoomError, ConnectionClosedError } from './engine.errors.js';
import type { Events, HandlerResult } from './events.js';
import { toBody } from './handler-result.js';
import { Room } from './room.js';

export interface AskOptions {
  /** Milliseconds to wait for the reply; defaults to the engine's `askTimeout`. */
  timeout?: number;
  /** Room of the request (default: namespace level). */
  room?: string;
  binary?: boolean;
}

export interface BroadcastFromOptions {
  /** Only to members of this room. */
  room?: string;
  binary?: boolean;
  /** Also deliver to this connection (default: everyone else). */
  includeSelf?: boolean;
}

export class NSConn {
  private readonly joined = new Map<string, Room>();
  /**
   * Per-namespace-connection value, like Go's `NSConn.value`: the Nest layer keeps the
   * per-connection controller instance here.
   */
  value: unknown;

  constructor(
    readonly conn: Conn,
    readonly namespace: string,
    /** @internal the handlers of this namespace */
    readonly events: Events,
  ) {}

  /** Rooms this connection has joined, by name (read-only: join and leave through the methods). */
  get rooms(): ReadonlyMap<string, Room> {
    return this.joined;
  }

  get id(): string {
    return this.conn.id;
  }

  room(name: string): Room | undefined {
    return this.rooms.get(name);
  }

  /** Sends an event to this client in this namespace (a text frame; objects are sent as JSON). */
  emit(event: string, body?: HandlerResult): boolean {
    return this.emitTo('', event, body, false);
  }

  emitBinary(event: string, body: Buffer | Uint8Array): boolean {
    return this.emitTo('', event, body, true);
  }

  /** @internal */
  emitTo(room: string, event: string, body: HandlerResult, binary: boolean): boolean {
    if (!this.conn.isConnectedTo(this) || (room !== '' && !this.rooms.has(room))) return false;
    return this.conn.writeFields('', this.namespace, room, event, false, false, toBody(body) ?? '', binary);
  }

  /** Sends an event to the other connections of this namespace (or of `room`), through the engine. */
  broadcast(event: string, body?: HandlerResult, options: BroadcastFromOptions = {}): void {
    this.conn.engine.broadcast(
      { namespace: this.namespace, room: options.room, event, body, binary: options.binary },
      options.includeSelf ? {} : { except: this.conn.id },
    );
  }

  /** Asks the client; resolves with its reply, rejects with its error text, a timeout, or a close. */
  ask(event: string, body?: HandlerResult, options: AskOptions = {}): Promise<Message> {
    const room = options.room ?? '';
    // The write guard (spec §5.1, §11): never ask in a namespace or room the client is not in.
    const refused = this.writeGuard(room);
    if (refused !== undefined) return Promise.reject(refused);
    return this.conn.ask(this.namespace, room, event, toBody(body) ?? '', options.binary ?? false, options.timeout);
  }

  /** Why a request may not be written now; closed connections are left to `Conn.ask` to reject. */
  private writeGuard(room: string): Error | undefined {
    if (this.conn.isClosed) return undefined;
    if (!this.conn.isConnectedTo(this)) return new BadNamespaceError(this.namespace);
    if (room !== '' && !this.rooms.has(room)) return new BadRoomError(this.namespace, room);
    return undefined;
  }

  /**
   * After an await: the connection may have closed, or the namespace been disconnected, meanwhile.
   * Adding a room to a dropped NSConn would leave it in the index for ever, past the write guard.
   */
  private assertStillConnected(): void {
    if (this.conn.isClosed) throw new ConnectionClosedError(this.id);
    if (!this.conn.isConnectedTo(this)) throw new BadNamespaceError(this.namespace);
  }

  /** Server-forced join (spec §3.7.2): the server's `_OnRoomJoin` may veto before anything is sent. */
  async joinRoom(name: string, options: { timeout?: number } = {}): Promise<Room> {
    if (name === '') throw new BadRoomError(this.namespace, name);
    const existing = this.rooms.get(name);
    if (existing !== undefined) return existing;
    const refused = this.writeGuard('');
    if (refused !== undefined) throw refused;
    await this.conn.fire(this, new Message({ namespace: this.namespace, room: name, event: OnRoomJoin, isLocal: true }));
    await this.conn.ask(this.namespace, name, OnRoomJoin, '', false, options.timeout);
    this.assertStillConnected();
    // The client may have joined it itself meanwhile: keep one Room, fire Joined once.
    const joined = this.rooms.get(name);
    if (joined !== undefined) return joined;
    const room = this.addRoom(name);
    await this.conn.fire(this, new Message({ namespace: this.namespace, room: name, event: OnRoomJoined, isLocal: true }));
    return room;
  }

  /** Server-forced leave (spec §3.8.2): the server's `_OnRoomLeave` may veto before anything is sent. */
  async leaveRoom(name: string, options: { timeout?: number } = {}): Promise<void> {
    if (!this.rooms.has(name)) throw new BadRoomError(this.namespace, name);
    await this.conn.fire(this, new Message({ namespace: this.namespace, room: name, event: OnRoomLeave, isLocal: true }));
    await this.conn.ask(this.namespace, name, OnRoomLeave, '', false, options.timeout);
    // Left meanwhile (close, namespace disconnect, the client's own leave): its hooks have fired.
    if (!this.rooms.has(name)) return;
    this.removeRoom(name);
    await this.conn.fire(this, new Message({ namespace: this.namespace, room: name, event: OnRoomLeft, isLocal: true }));
  }

  /** Server-forced disconnect (spec §3.6.2); neffos.js never refuses it. */
  async disconnect(options: { timeout?: number } = {}): Promise<void> {
    if (!this.conn.isConnectedTo(this)) return;
    await this.conn.ask(this.namespace, '', OnNamespaceDisconnect, '', false, options.timeout);
    // Dropped meanwhile (close, the client's own disconnect): torn down already.
    if (!this.conn.isConnectedTo(this)) return;
    await this.conn.dropNamespace(this, true, false);
  }

  /** @internal */
  addRoom(name: string): Room {
    const room = new Room(this, name);
    this.joined.set(name, room);
    this.conn.engine.index.addRoom(this, name);
    return room;
  }

  /** @internal */
  removeRoom(name: string): void {
    this.joined.delete(name);
    this.conn.engine.index.removeRoom(this, name);
  }

  /** @internal Leaves every room locally, firing Leave then Left for each (spec §6.5). */
  async forceLeaveAll(isLocal: boolean): Promise<void> {
    for (const name of [...this.rooms.keys()]) {
      await this.conn.fireQuietly(this, new Message({ namespace: this.namespace, room: name, event: OnRoomLeave, isLocal, isForced: true }));
      this.removeRoom(name);
      await this.conn.fireQuietly(this, new Message({ namespace: this.namespace, room: name, event: OnRoomLeft, isLocal, isForced: true }));
    }
  }
}
