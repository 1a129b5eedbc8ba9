// The test client's connection to one namespace: what a test does in it (emit, ask, rooms) and what it
// waits for (the next event, any message, the server's asks). The counterpart of neffos.js `NSConn`,
// promise-based, with a timeout on every wait.
import type { BodyAndOptions, BodyArg, EventName, EventReply, EventRequest, ReceivedBody, ReplyPayload } from '../protocol/event-map.js';
import type { Message } from '../protocol/index.js';
import { OnNamespaceDisconnect, OnRoomJoin, OnRoomLeave } from '../protocol/index.js';
import { Inbox, type CloseReason } from './inbox.js';
import { TestConnectionClosedError } from './testing.errors.js';
import type { TestBody } from './test-body.js';

/**
 * Answers a server ask: return the reply body (or a promise of it), throw to answer with an error.
 * With the map `S` of what the server sends, `msg` is typed as event `E`'s body and the answer must
 * be its `reply`; `C` is the map of what the client sends (the namespace's first map).
 */
export type ServerAskHandler<S = any, E extends EventName<S> = EventName<S>, C = any> = (
  msg: Message<ReceivedBody<S, E>>,
  ns: TestNamespace<C, S>,
) => ReplyPayload<S, E> | Promise<ReplyPayload<S, E>>;

export interface WaitOptions {
  /** Milliseconds; default: the client's `timeout` (5 s unless set at dial). */
  timeout?: number;
}

/** What a namespace needs from its client; an interface so the two files do not import each other. */
export interface NamespaceLink {
  readonly defaultTimeout: number;
  send(namespace: string, room: string, event: string, body: unknown, binary: boolean, token?: string): void;
  request(namespace: string, room: string, event: string, body: unknown, binary: boolean, timeoutMs: number, onReply?: (reply: Message) => void): Promise<Message>;
  forget(namespace: string): void;
}

/** A joined room of a `TestNamespace`, with the namespace's event maps (types only). */
// No `extends EventMap` bound here: `dial` checks the maps, and a bound could not be proven for the
// maps it derives by namespace (NamespaceEvents).
export class TestRoom<M = any, S = M> {
  private constructor(
    readonly name: string,
    readonly namespace: TestNamespace<M, S>,
  ) {}

  /** @internal */
  static create<M, S>(name: string, namespace: TestNamespace<M, S>): TestRoom<M, S> {
    return new TestRoom(name, namespace);
  }

  /** Sends `event` in this room (text frame; an object goes as JSON). */
  emit<E extends EventName<M>>(event: E, ...body: BodyArg<EventRequest<M, E>>): void;
  emit(event: string, body?: unknown): void {
    this.namespace.emitIn(this.name, event, body, false);
  }

  /** Asks `event` in this room and resolves with the reply; rejects with the server's error text. */
  ask<E extends EventName<M>>(event: E, ...args: BodyAndOptions<EventRequest<M, E>, WaitOptions>): Promise<Message<EventReply<M, E>>>;
  ask(event: string, body?: unknown, options?: WaitOptions): Promise<Message> {
    return this.namespace.askIn(this.name, event, body, options);
  }

  leave(options?: WaitOptions): Promise<void> {
    return this.namespace.leaveRoom(this.name, options);
  }
}

/**
 * The test client in one namespace. `M` is the namespace's event map (see `EventMap`; given to
 * `dial<App>()` by namespace): `emit`, `ask`, `nextEvent` and `onAsk` then check event names and
 * bodies, and what they resolve to is a `Message` of the declared body (`.json()` returns it). When
 * the two directions differ, `M` types what this client sends (`emit`, `ask` and its reply) and `S`
 * what the server sends (`nextEvent`, `onAsk`). Untyped (`TestNamespace` is `TestNamespace<any>`) by
 * default. Types only: nothing else changes.
 */
export class TestNamespace<M = any, S = M> implements AsyncIterable<Message> {
  private readonly inbox = new Inbox();
  private readonly joined = new Map<string, TestRoom<M, S>>();
  private readonly askHandlers = new Map<string, ServerAskHandler>();

  private constructor(
    readonly name: string,
    private readonly link: NamespaceLink,
  ) {}

  /** @internal */
  static create(name: string, link: NamespaceLink): TestNamespace {
    return new TestNamespace(name, link);
  }

  /** Every message received in this namespace, in order (consumed by a wait or not). */
  get received(): readonly Message[] {
    return this.inbox.received;
  }

  /** Messages received and not consumed by a wait yet. */
  get pending(): readonly Message[] {
    return this.inbox.pending;
  }

  /** Rooms joined, by name (joins by this client and joins the server forced). */
  get rooms(): ReadonlyMap<string, TestRoom<M, S>> {
    return this.joined;
  }

  get isConnected(): boolean {
    return !this.inbox.isClosed;
  }

  /** Sends `event` (text frame; a string as is, bytes as is, anything else as JSON). */
  emit<E extends EventName<M>>(event: E, ...body: BodyArg<EventRequest<M, E>>): void;
  emit(event: string, body?: unknown): void {
    this.emitIn('', event, body, false);
  }

  /** Sends `event` in a binary frame. */
  emitBinary(event: EventName<M>, body: Uint8Array | string): void {
    this.emitIn('', event, typeof body === 'string' ? Buffer.from(body, 'utf8') : body, true);
  }

  /**
   * Asks `event` and resolves with the server's reply; rejects with a `ReplyError` carrying its error
   * text. With a map, the reply is a `Message` of the event's `reply` type: `(await ns.ask('join', 'general')).json()`.
   */
  ask<E extends EventName<M>>(event: E, ...args: BodyAndOptions<EventRequest<M, E>, WaitOptions>): Promise<Message<EventReply<M, E>>>;
  ask(event: string, body?: unknown, options?: WaitOptions): Promise<Message> {
    return this.askIn('', event, body, options);
  }

  /** Joins a room; rejects with the server's error text if it refuses. */
  async joinRoom(room: string, options?: WaitOptions): Promise<TestRoom<M, S>> {
    const existing = this.joined.get(room);
    if (existing !== undefined) return existing;
    await this.link.request(this.name, room, OnRoomJoin, undefined, false, this.timeout(options), (reply) => {
      if (!reply.isError) this.addRoom(room);
    });
    return this.joined.get(room) ?? this.addRoom(room);
  }

  /** Leaves a room; rejects with the server's error text if it refuses. */
  async leaveRoom(room: string, options?: WaitOptions): Promise<void> {
    await this.link.request(this.name, room, OnRoomLeave, undefined, false, this.timeout(options), (reply) => {
      if (!reply.isError) this.joined.delete(room);
    });
  }

  /** A joined room (or `undefined`): `ns.room('general')?.emit('chat', 'hi')`. */
  room(name: string): TestRoom<M, S> | undefined {
    return this.joined.get(name);
  }

  /** Disconnects from the namespace; rejects with the server's error text if it refuses. */
  async disconnect(options?: WaitOptions): Promise<void> {
    await this.link.request(this.name, '', OnNamespaceDisconnect, undefined, false, this.timeout(options), (reply) => {
      if (!reply.isError) this.drop({ code: 1000, reason: `namespace "${this.name}" disconnected` });
    });
  }

  /**
   * The oldest unread message with that event name (one that arrived before the call counts), and
   * consumes it. Rejects after the timeout naming the event and what arrived instead.
   */
  nextEvent<E extends EventName<S>>(event: E, options?: WaitOptions & { room?: string }): Promise<Message<ReceivedBody<S, E>>> {
    const room = options?.room;
    const what = `event "${event}"${room === undefined ? '' : ` in room "${room}"`} in namespace "${this.name}"`;
    return this.inbox.take((m) => m.event === event && (room === undefined || m.room === room), what, this.timeout(options));
  }

  /** The oldest unread message of any event, and consumes it. */
  nextMessage(options?: WaitOptions): Promise<Message> {
    return this.inbox.take(() => true, `a message in namespace "${this.name}"`, this.timeout(options));
  }

  /**
   * Unread messages as they arrive: `for await (const msg of ns.messages({ timeout: 1000 }))`. Each
   * step waits at most the timeout (and then throws); the loop ends when the namespace disconnects.
   */
  async *messages(options?: WaitOptions): AsyncGenerator<Message, void, undefined> {
    for (;;) {
      if (this.inbox.isClosed && this.inbox.pending.length === 0) return;
      try {
        yield await this.nextMessage(options);
      } catch (err) {
        if (this.inbox.isClosed && this.inbox.pending.length === 0) return;
        throw err;
      }
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Message> {
    return this.messages();
  }

  /**
   * Answers the server's asks of `event` in this namespace (`nsConn.ask` / `NeffosServer.ask`): the
   * handler's return value is the reply, a thrown error the error reply. Without a handler, a server
   * ask lands in the inbox like any message, to be answered with `reply()` or left to time out.
   */
  onAsk<E extends EventName<S>>(event: E, handler: ServerAskHandler<S, E, M>): this {
    // Stored untyped: the client calls it for frames whose event is `event`, so its types hold.
    this.askHandlers.set(event, handler as ServerAskHandler);
    return this;
  }

  /** Answers a server ask that arrived in the inbox. */
  reply(ask: Message, body?: TestBody): void {
    this.link.send(this.name, ask.room, ask.event, body, ask.isBinary, ask.token);
  }

  /** @internal `body` was checked by the public signature (a Payload at least) */
  emitIn(room: string, event: string, body: unknown, binary: boolean): void {
    this.assertConnected(`emit "${event}"`);
    this.link.send(this.name, room, event, body, binary);
  }

  /** @internal */
  askIn(room: string, event: string, body: unknown, options: WaitOptions | undefined): Promise<Message> {
    // A rejection, not a throw: `await expect(ns.ask(…)).rejects` must see it, as the README promises a promise.
    const closed = this.closedError(`ask "${event}"`);
    if (closed !== undefined) return Promise.reject(closed);
    return this.link.request(this.name, room, event, body, false, this.timeout(options));
  }

  /** @internal the client routes a received message here */
  deliver(msg: Message): void {
    this.inbox.push(msg);
  }

  /** @internal */
  askHandler(event: string): ServerAskHandler | undefined {
    return this.askHandlers.get(event);
  }

  /** @internal a server-forced join */
  addRoom(room: string): TestRoom<M, S> {
    const r = TestRoom.create<M, S>(room, this);
    this.joined.set(room, r);
    return r;
  }

  /** @internal a server-forced leave */
  removeRoom(room: string): void {
    this.joined.delete(room);
  }

  /** @internal the namespace is gone (disconnect, or the connection closed) */
  drop(reason: CloseReason): void {
    this.joined.clear();
    this.inbox.close(reason);
    this.link.forget(this.name);
  }

  private assertConnected(action: string): void {
    const closed = this.closedError(action);
    if (closed !== undefined) throw closed;
  }

  private closedError(action: string): TestConnectionClosedError | undefined {
    const reason = this.inbox.closeReason;
    return reason === undefined ? undefined : new TestConnectionClosedError(`${action} in namespace "${this.name}" (it is not connected any more)`, reason.code, reason.reason);
  }

  private timeout(options: WaitOptions | undefined): number {
    return options?.timeout ?? this.link.defaultTimeout;
  }
}
