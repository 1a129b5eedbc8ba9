// Ports neffos conn.go:Conn: one WebSocket connection, its handshake state, its namespaces, the
// in-order dispatch queue (replies to server asks bypass it, spec §4.5), writes and teardown (§6.5).
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import {
  Message,
  OnNamespaceConnect,
  OnNamespaceConnected,
  OnNamespaceDisconnect,
  OnAnyEvent,
  encodeAck,
  encodeAckRejection,
  encodeFields,
  isAckRequest,
} from '../protocol/index.js';
import type { ResolvedEngineOptions } from './engine-options.js';
import { AskRegistry } from './ask-registry.js';
import { BadNamespaceError, CloseCode, ConnectionClosedError, InvalidOptionError } from './engine.errors.js';
import type { EngineInternals } from './engine-internals.js';
import { isPromiseLike } from './handler-result.js';
import { dispatchFrame } from './message.dispatcher.js';
import { NSConn } from './namespace-conn.js';
import { Signal } from './signal.js';

const TEXT = { binary: false };
const BINARY = { binary: true };

type State = 'handshaking' | 'open' | 'closed';

export class Conn {
  /** Value of the `X-Websocket-Reconnect` header: how many times neffos.js has reconnected. */
  readonly reconnectTries: number;
  /** @internal */
  readonly namespaces = new Map<string, NSConn>();
  /** @internal set by the engine's ping loop, cleared by each pong */
  alive = true;

  private _id = '';
  private state: State = 'handshaking';
  private ackReceived = false;
  /** `A<id>` went out (or native mode opened): teardown then owes the app an `onDisconnect`. */
  private ackSent = false;
  private readonly acknowledged = new Signal();
  private readinessReleased = false;
  private rejection: string | undefined;
  private busy = false;
  private corked = false;
  private queuedBytes = 0;
  private queue: Array<{ data: Buffer; binary: boolean }> | undefined;
  private readonly closed = new Signal();
  private _store: Map<string, unknown> | undefined;
  private _asks: AskRegistry | undefined;

  constructor(
    /** @internal */ readonly socket: WebSocket,
    /** The HTTP upgrade request; `X-Websocket-Header-*` query parameters are merged into its headers. */
    readonly request: IncomingMessage,
    /** @internal */ readonly engine: EngineInternals,
  ) {
    const tries = Number.parseInt(String(request.headers['x-websocket-reconnect'] ?? '0'), 10);
    this.reconnectTries = Number.isFinite(tries) && tries > 0 ? tries : 0;
  }

  /** Per-connection values (neffos `Conn.Set/Get`); never sent on the wire. */
  get store(): Map<string, unknown> {
    return (this._store ??= new Map());
  }

  /** @internal pending server asks; created on the first one */
  get asks(): AskRegistry {
    return (this._asks ??= new AskRegistry());
  }

  /** @internal hands a reply to the ask waiting for its token; false when none is */
  settleReply(reply: Message): boolean {
    return this._asks?.settle(reply) ?? false;
  }

  get id(): string {
    return this._id;
  }

  /** @internal */
  get options(): ResolvedEngineOptions {
    return this.engine.options;
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Resolves once the connection has closed and its teardown hooks have run. */
  whenClosed(): Promise<void> {
    return this.closed.wait();
  }

  wasReconnected(): boolean {
    return this.reconnectTries > 0;
  }

  /** The connection in namespace `ns`, if connected. */
  namespace(ns: string): NSConn | undefined {
    return this.namespaces.get(ns);
  }

  /** @internal */
  isConnectedTo(nsConn: NSConn): boolean {
    return this.state === 'open' && this.namespaces.get(nsConn.namespace) === nsConn;
  }

  // ---- handshake (spec §1.2–§1.4) -------------------------------------------------------------

  /** @internal called by the engine once `authorize`, the id generator and `onConnect` have run */
  ready(id: string): void {
    this._id = id;
  }

  /** @internal releases the handshake latch: `A<id>` goes out as soon as `M` has arrived */
  releaseReadiness(): void {
    if (this.readinessReleased || this.state !== 'handshaking') return;
    this.readinessReleased = true;
    if (this.ackReceived) this.sendAck();
  }

  /**
   * @internal rejects the handshake: `H<reason>` then close 1008. Like Go, nothing is sent before the
   * client's `M`, so the rejection waits for it (the handshake timeout still applies).
   */
  reject(reason: string): void {
    if (this.state !== 'handshaking') {
      this.close(CloseCode.PolicyViolation, reason);
      return;
    }
    this.rejection = reason;
    if (this.ackReceived) this.sendRejection();
  }

  private sendRejection(): void {
    this.engine.clearHandshakeTimer(this);
    const reason = this.rejection ?? 'rejected';
    this.state = 'closed';
    this.socket.send(encodeAckRejection(reason), TEXT);
    this.socket.close(CloseCode.PolicyViolation, truncateReason(reason));
  }

  /** @internal Go native-only mode (spec §2.8): no handshake, pre-connected to namespace "" */
  openNative(id: string, events: NSConn['events']): void {
    this._id = id;
    this.state = 'open';
    this.ackReceived = true;
    this.ackSent = true;
    this.addNamespace(new NSConn(this, '', events));
    this.acknowledged.fire();
    this.drain();
  }

  private sendAck(): void {
    this.engine.clearHandshakeTimer(this);
    this.state = 'open';
    this.ackSent = true;
    this.socket.send(encodeAck(this._id), TEXT);
    this.acknowledged.fire();
    this.drain();
  }

  // ---- input --------------------------------------------------------------------------------------

  /** @internal every data frame of the socket */
  onFrame(data: Buffer, binary: boolean): void {
    if (data.length === 0 || this.state === 'closed') return;
    if (this.state === 'handshaking') {
      if (!this.ackReceived && !this.options.nativeOnly) {
        if (binary || !isAckRequest(data)) {
          this.close(CloseCode.ProtocolError, 'neffos: the first frame must be the text ack "M"');
          return;
        }
        this.ackReceived = true;
        if (this.rejection !== undefined) this.sendRejection();
        else if (this.readinessReleased) this.sendAck();
        return;
      }
      this.enqueue(data, binary);
      return;
    }
    if (this.busy) {
      // A reply to a pending server ask must not wait behind the handler that is awaiting it.
      if (this._asks !== undefined && this._asks.size > 0 && this.engine.trySettleReply(this, data, binary)) return;
      this.enqueue(data, binary);
      return;
    }
    this.run(data, binary);
  }

  /** @internal the handshake timeout fired before `A<id>` or `H<error>` went out */
  handshakeExpired(): void {
    const ms = this.options.handshakeTimeout;
    if (!this.ackReceived) this.close(CloseCode.ProtocolError, `neffos: no ack "M" within ${ms} ms`);
    else this.close(CloseCode.TryAgainLater, `neffos: authorize/onConnect did not finish within ${ms} ms`);
  }

  /** Frames wait while a handler (or the handshake) is pending; a client may not pile up more than the limit. */
  private enqueue(data: Buffer, binary: boolean): void {
    this.queuedBytes += data.length;
    if (this.queuedBytes > this.options.maxQueuedBytes) {
      this.close(CloseCode.PolicyViolation, 'neffos: too many messages queued behind a pending handler (maxQueuedBytes)');
      return;
    }
    (this.queue ??= []).push({ data, binary });
  }

  private run(data: Buffer, binary: boolean): void {
    let result: unknown;
    try {
      result = dispatchFrame(this, data, binary);
    } catch (err) {
      this.engine.reportError(err, this);
      return;
    }
    if (isPromiseLike(result)) {
      this.busy = true;
      result.then(
        () => this.resume(),
        (err) => {
          this.engine.reportError(err, this);
          this.resume();
        },
      );
    }
  }

  private resume(): void {
    this.busy = false;
    this.drain();
  }

  private drain(): void {
    const queue = this.queue;
    while (queue !== undefined && !this.busy && queue.length > 0 && this.state === 'open') {
      const next = queue.shift()!;
      this.queuedBytes -= next.data.length;
      this.run(next.data, next.binary);
    }
  }

  // ---- output -------------------------------------------------------------------------------------

  /** @internal writes one encoded frame, applying the backpressure policy */
  write(frame: Buffer | string, binary: boolean): boolean {
    if (this.state !== 'open') return false;
    if (this.socket.bufferedAmount > this.options.writeBufferHighWaterMark) {
      if (this.options.onBackpressure === 'drop') return false;
      this.close(CloseCode.TryAgainLater, 'neffos: write buffer over writeBufferHighWaterMark');
      return false;
    }
    if (!this.corked) {
      // Frames written in one tick (replies to a pipelined burst, a broadcast) leave in one writev.
      this.corked = true;
      (this.socket as unknown as { _socket: { cork(): void } })._socket.cork();
      process.nextTick(uncork, this);
    }
    this.socket.send(frame, binary ? BINARY : TEXT);
    return true;
  }

  /** @internal */
  uncork(): void {
    this.corked = false;
    (this.socket as unknown as { _socket: { uncork(): void } })._socket.uncork();
  }

  /** @internal */
  writeFields(token: string, namespace: string, room: string, event: string, isError: boolean, isNoOp: boolean, body: Buffer | string, binary: boolean): boolean {
    return this.write(encodeFields(token, namespace, room, event, isError, isNoOp, body), binary);
  }

  /** @internal sends a request with a fresh server token and waits for the reply by that token */
  ask(namespace: string, room: string, event: string, body: Buffer | string, binary: boolean, timeout?: number): Promise<Message> {
    if (this.state === 'closed') return Promise.reject(new ConnectionClosedError(this._id));
    if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) {
      return Promise.reject(new InvalidOptionError(`ask timeout must be a positive finite number of milliseconds, got ${timeout}`));
    }
    const token = this.engine.tokens.next();
    const reply = this.asks.wait(token, event, timeout ?? this.options.askTimeout);
    if (!this.writeFields(token, namespace, room, event, false, false, body, binary)) {
      this.asks.cancel(token, new ConnectionClosedError(this._id));
    }
    return reply;
  }

  // ---- namespaces -------------------------------------------------------------------------------

  /**
   * Server-forced namespace connect (spec §1.4, §3.5.2). Callable from `onConnect`: it releases the
   * handshake so the client's ack is answered first, then connects.
   */
  async connect(namespace: string, options: { timeout?: number } = {}): Promise<NSConn> {
    this.releaseReadiness();
    await Promise.race([this.acknowledged.wait(), this.closed.wait()]);
    if (this.state !== 'open') throw new ConnectionClosedError(this._id);
    const existing = this.namespaces.get(namespace);
    if (existing !== undefined) return existing;
    const events = this.options.namespaces[namespace];
    if (events === undefined) throw new BadNamespaceError(namespace);
    const nsConn = new NSConn(this, namespace, events);
    await this.fire(nsConn, new Message({ namespace, event: OnNamespaceConnect, isLocal: true }));
    await this.ask(namespace, '', OnNamespaceConnect, '', false, options.timeout);
    // The client may have connected it itself meanwhile (spec §3.5.2): keep one NSConn, not two.
    const raced = this.namespaces.get(namespace);
    if (raced !== undefined) return raced;
    this.addNamespace(nsConn);
    await this.fire(nsConn, new Message({ namespace, event: OnNamespaceConnected, isLocal: true }));
    return nsConn;
  }

  /** @internal */
  addNamespace(nsConn: NSConn): void {
    this.namespaces.set(nsConn.namespace, nsConn);
    this.engine.index.addNamespace(nsConn);
  }

  /** @internal leaves every room (firing their hooks) and forgets the namespace */
  async removeNamespace(nsConn: NSConn, isLocal: boolean): Promise<void> {
    await nsConn.forceLeaveAll(isLocal);
    this.namespaces.delete(nsConn.namespace);
    this.engine.index.removeNamespace(nsConn);
  }

  /** @internal leaves every room, drops the namespace and fires `_OnNamespaceDisconnect` */
  async dropNamespace(nsConn: NSConn, isLocal: boolean, isForced: boolean): Promise<void> {
    await this.removeNamespace(nsConn, isLocal);
    await this.fireQuietly(nsConn, new Message({ namespace: nsConn.namespace, event: OnNamespaceDisconnect, isLocal, isForced }));
  }

  // ---- handlers -----------------------------------------------------------------------------------

  /** @internal runs the handler of `msg.event` (or `_OnAnyEvent`); a throw propagates */
  fire(nsConn: NSConn, msg: Message): unknown {
    const handler = nsConn.events[msg.event] ?? nsConn.events[OnAnyEvent];
    return handler === undefined ? undefined : handler(msg, nsConn);
  }

  /** @internal like fire, for teardown: failures are reported, never thrown */
  async fireQuietly(nsConn: NSConn, msg: Message): Promise<void> {
    try {
      await this.fire(nsConn, msg);
    } catch (err) {
      this.engine.reportError(err, this);
    }
  }

  // ---- close --------------------------------------------------------------------------------------

  /** Closes the connection with a close frame (default 1000). Teardown hooks run on the close event. */
  close(code: number = CloseCode.Normal, reason = ''): void {
    if (this.state === 'closed' && this.socket.readyState !== this.socket.OPEN) return;
    this.state = 'closed';
    this.socket.close(code, truncateReason(reason));
  }

  /** @internal the socket closed: tear down namespaces and rooms (spec §6.5), settle pending asks */
  async teardown(): Promise<void> {
    // Not `state === 'open'`: close() has already set 'closed' when the server itself closed.
    const wasAcknowledged = this.ackSent;
    this.state = 'closed';
    this.queue = undefined;
    this._asks?.rejectAll(new ConnectionClosedError(this._id));
    for (const nsConn of [...this.namespaces.values()]) await this.dropNamespace(nsConn, true, true);
    this.engine.connectionGone(this, wasAcknowledged);
    this.closed.fire();
  }
}

function uncork(conn: Conn): void {
  conn.uncork();
}

/** The protocol allows 123 bytes of close reason. */
function truncateReason(reason: string): string {
  if (Buffer.byteLength(reason) <= 123) return reason;
  let cut = reason.slice(0, 120);
  while (Buffer.byteLength(cut) > 120) cut = cut.slice(0, -1);
  return `${cut}...`;
}
