// Ports neffos conn.go:Conn: one WebSocket connection, its handshake (and the timer on it), its
// namespaces, the in-order dispatch of its frames (replies to server asks bypass the queue, docs/protocol.md §4.5),
// its writes and its teardown (§6.5).
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { Message, decodeMessage, encodeAck, encodeAckRejection, encodeFields, isAckRequest, mayBeServerReply } from '../protocol/index.js';
import { AskRegistry, type AskCallback } from './ask-registry.js';
import type { EngineHost } from './engine-host.js';
import { assertSendableCloseCode, CloseCode, ConnectionClosedError, InvalidOptionError, TooManyPendingAsksError } from './engine.errors.js';
import { ASK_TIMEOUT_INVALID, CLOSE_FIRST_FRAME_NOT_ACK, CLOSE_HANDSHAKE_TOO_SLOW, CLOSE_NO_ACK_WITHIN, CLOSE_RATE_LIMITED, CLOSE_WRITE_BUFFER_FULL, RATE_LIMITED, REJECTED } from './engine.messages.js';
import type { Events } from './engine.types.js';
import { destroyUnlessReading } from './budget-close.js';
import { queueDrained, queueVerdict } from './inbound-budget.js';
import { InboundQueue } from './inbound-queue.js';
import { routeFrame } from './message.router.js';
import { NSConn } from './namespace-conn.js';
import { connectNamespace, dropNamespace } from './namespace-lifecycle.js';
import { RateLimit } from './rate-limit.js';
import { HOLD_QUEUE, HOLD_RATE, HOLD_WRITES, holdReading, releaseReading } from './read-holds.js';
import { deferRestOfRead, readSliceSpent } from './read-slice.js';
import { dropSocket } from './drop-socket.js';
import { Signal } from './signal.js';
import { isRequest, writeErrorReply } from './reply.writer.js';
import { holdWrites, rawOf, releaseWrites, writeToSocket } from './socket-writer.js';
import { WriteHold } from './write-hold.js';
import { countFrame, waitForNextTurn } from './turn-budget.js';

const TEXT = { binary: false };

// Conn.flags:
/** set by each pong, cleared by each ping of the engine's heartbeat */
const ALIVE = 1;
/** the client's `M` arrived */
const ACK_RECEIVED = 2;
/** `A<id>` went out (or native mode opened): teardown then owes the app an `onDisconnect` */
const ACK_SENT = 4;
/** the engine let the handshake answer (`A<id>` goes out once `M` is in) */
const READINESS_RELEASED = 8;
/** a handler (or the handshake) is pending: frames wait in the inbound queue */
const BUSY = 16;
/** waiting in the turn budget's run queue (turn-budget.ts) */
const DRAIN_SCHEDULED = 32;
/** the teardown ran */
const TORN_DOWN = 64;

const CONN = Symbol('neffos.conn');
/** Makes each holdUntilPeerHasRead ping's payload unique, so no other pong can answer it. */
let readProbeCount = 0;
type SocketWithConn = WebSocket & { [CONN]: Conn };

type State = 'handshaking' | 'open' | 'closed';

export class Conn {
  /** Value of the `X-Websocket-Reconnect` header: how many times neffos.js has reconnected. */
  readonly reconnectTries: number;

  /**
   * Connected namespaces: the first in a field, the others in a Map made when a second one connects
   * (most connections use one namespace; a Map each cost ~0.2 KiB per idle connection).
   */
  private firstNamespace: NSConn | undefined;
  /** Frames held until the peer has read a namespace connect reply (holdUntilPeerHasRead). */
  private writeHold: WriteHold | undefined;
  private moreNamespaces: Map<string, NSConn> | undefined;
  private _id = '';
  /** The booleans (ALIVE … TORN_DOWN), as bits of one field: idle connections are what memory is spent on. */
  private flags = ALIVE;
  private state: State = 'handshaking';
  private handshakeTimer: NodeJS.Timeout | undefined;
  /** Made only for someone who waits (`connect()` before the ack): idle connections are what memory is spent on. */
  private acknowledged: Signal | undefined;
  private rejection: string | undefined;
  private inbound: InboundQueue | undefined;
  /** HOLD_* bits (read-holds.ts): why the socket is paused (TCP backpressure on the client). */
  private readHold = 0;
  /** Made once the connection has sent FREE_FRAMES frames (an idle one never needs it); counted until then. */
  private rate: RateLimit | undefined;
  private uncountedFrames = 0;
  /** @internal rooms joined, all namespaces together (maxRoomsPerConnection) */
  roomCount = 0;
  /** Made only for someone who waits (`whenClosed()`) before the teardown ran. */
  private closed: Signal | undefined;
  private _store: Map<string, unknown> | undefined;
  private _asks: AskRegistry | undefined;

  // Private: connections are made by the engine (`Conn.create`), so the declarations offer no constructor.
  private constructor(
    private readonly socket: WebSocket,
    /** The HTTP upgrade request; `X-Websocket-Header-*` query parameters are merged into its headers. */
    readonly request: IncomingMessage,
    /** @internal the engine, as far as a connection may see it */
    readonly host: EngineHost,
  ) {
    const tries = Number.parseInt(String(request.headers['x-websocket-reconnect'] ?? '0'), 10);
    this.reconnectTries = Number.isFinite(tries) && tries > 0 ? tries : 0;
    // Shared listeners, not per-connection closures: idle connections are what memory is spent on.
    (socket as SocketWithConn)[CONN] = this;
    socket.on('message', Conn.onSocketMessage);
    socket.on('error', Conn.onSocketError);
    socket.on('pong', Conn.onSocketPong);
    socket.on('close', Conn.onSocketClose);
    if (!host.options.nativeOnly) this.handshakeTimer = setTimeout(Conn.onHandshakeTimeout, host.options.handshakeTimeout, this);
  }

  // ---- the flags, read and written as fields -------------------------------------------------------

  private get alive(): boolean {
    return (this.flags & ALIVE) !== 0;
  }

  private set alive(on: boolean) {
    this.flags = on ? this.flags | ALIVE : this.flags & ~ALIVE;
  }

  private get ackReceived(): boolean {
    return (this.flags & ACK_RECEIVED) !== 0;
  }

  private set ackReceived(on: boolean) {
    this.flags = on ? this.flags | ACK_RECEIVED : this.flags & ~ACK_RECEIVED;
  }

  private get ackSent(): boolean {
    return (this.flags & ACK_SENT) !== 0;
  }

  private set ackSent(on: boolean) {
    this.flags = on ? this.flags | ACK_SENT : this.flags & ~ACK_SENT;
  }

  private get readinessReleased(): boolean {
    return (this.flags & READINESS_RELEASED) !== 0;
  }

  private set readinessReleased(on: boolean) {
    this.flags = on ? this.flags | READINESS_RELEASED : this.flags & ~READINESS_RELEASED;
  }

  private get busy(): boolean {
    return (this.flags & BUSY) !== 0;
  }

  private set busy(on: boolean) {
    this.flags = on ? this.flags | BUSY : this.flags & ~BUSY;
  }

  private get drainScheduled(): boolean {
    return (this.flags & DRAIN_SCHEDULED) !== 0;
  }

  private set drainScheduled(on: boolean) {
    this.flags = on ? this.flags | DRAIN_SCHEDULED : this.flags & ~DRAIN_SCHEDULED;
  }

  private get tornDown(): boolean {
    return (this.flags & TORN_DOWN) !== 0;
  }

  private set tornDown(on: boolean) {
    this.flags = on ? this.flags | TORN_DOWN : this.flags & ~TORN_DOWN;
  }

  /** @internal the engine's constructor of connections */
  static create(socket: WebSocket, request: IncomingMessage, host: EngineHost): Conn {
    return new Conn(socket, request, host);
  }

  private static onSocketMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
    holdWrites(this);
    try {
      (this as SocketWithConn)[CONN].onFrame(data, isBinary);
    } finally {
      releaseWrites(this);
    }
  }

  /** ws closes the socket itself after a protocol error (1002, 1007, 1009); nothing to add here. */
  private static onSocketError(): void {}

  private static onSocketPong(this: WebSocket, data: Buffer): void {
    const conn = (this as SocketWithConn)[CONN];
    conn.alive = true;
    if (conn.writeHold?.isAwaiting(data.toString('latin1')) === true) conn.releaseHeld();
  }

  private static onSocketClose(this: WebSocket): void {
    void (this as SocketWithConn)[CONN].teardown();
  }

  /** Per-connection values (neffos `Conn.Set/Get`); never sent on the wire. */
  get store(): Map<string, unknown> {
    return (this._store ??= new Map());
  }

  get id(): string {
    return this._id;
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Resolves once the connection has closed and its teardown hooks have run. */
  whenClosed(): Promise<void> {
    return this.tornDown ? Promise.resolve() : (this.closed ??= new Signal()).wait();
  }

  wasReconnected(): boolean {
    return this.reconnectTries > 0;
  }

  /** The connection in namespace `ns`, if connected. */
  namespace(ns: string): NSConn | undefined {
    const first = this.firstNamespace;
    if (first !== undefined && first.namespace === ns) return first;
    return this.moreNamespaces?.get(ns);
  }

  /** @internal */
  isConnectedTo(nsConn: NSConn): boolean {
    return this.state === 'open' && this.namespace(nsConn.namespace) === nsConn;
  }

  // ---- handshake (docs/protocol.md §1.2–§1.4) -------------------------------------------------------------

  /** @internal called by the engine once `authorize` and the id generator have run */
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

  /** @internal Go native-only mode (docs/protocol.md §2.8): no handshake, pre-connected to namespace "" */
  openNative(events: Events): void {
    this.state = 'open';
    this.ackReceived = true;
    this.ackSent = true;
    this.attachNamespace(NSConn.create(this, '', events));
    this.acknowledged?.fire();
    this.drain();
  }

  private sendRejection(): void {
    this.stopHandshakeTimer();
    const reason = this.rejection ?? REJECTED;
    this.state = 'closed';
    this.socket.send(encodeAckRejection(reason), TEXT);
    this.socket.close(CloseCode.PolicyViolation, truncateReason(reason));
    deferRestOfRead(this.socket);
  }

  private sendAck(): void {
    this.stopHandshakeTimer();
    this.state = 'open';
    this.ackSent = true;
    this.socket.send(encodeAck(this._id), TEXT);
    this.acknowledged?.fire();
    this.drain();
  }

  private static onHandshakeTimeout(conn: Conn): void {
    conn.handshakeTimer = undefined;
    conn.host.handshakeEnded();
    const ms = conn.host.options.handshakeTimeout;
    if (!conn.ackReceived) conn.close(CloseCode.ProtocolError, CLOSE_NO_ACK_WITHIN(ms));
    else conn.close(CloseCode.TryAgainLater, CLOSE_HANDSHAKE_TOO_SLOW(ms));
  }

  private stopHandshakeTimer(): void {
    if (this.handshakeTimer === undefined) return;
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    this.host.handshakeEnded();
  }

  // ---- input: every data frame, in order; a pending handler holds the rest in the inbound queue -------

  private onFrame(data: Buffer, binary: boolean): void {
    if (data.length === 0 || this.state === 'closed') return;
    // Past its slice, the rest of this socket's read waits for the next loop turn (read-slice.ts).
    const sliceSpent = readSliceSpent(this.socket, !this.busy && (this.inbound === undefined || this.inbound.length === 0));
    if (this.state === 'handshaking') {
      if (!this.ackReceived && !this.host.options.nativeOnly) {
        if (binary || !isAckRequest(data)) {
          this.close(CloseCode.ProtocolError, CLOSE_FIRST_FRAME_NOT_ACK);
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
    // Behind a pending handler, a drain that yielded, or the rate limit: keep the order, wait in the queue.
    if (this.busy || (this.inbound !== undefined && this.inbound.length > 0)) {
      // A reply to a pending server ask must not wait behind the handler that is awaiting it.
      if (this._asks !== undefined && this._asks.size > 0 && this.settleEarly(data, binary)) return;
      this.enqueue(data, binary);
      return;
    }
    if (sliceSpent) {
      this.enqueue(data, binary);
      this.scheduleDrain();
      return;
    }
    if (!this.takeToken()) {
      this.overRate(data, binary);
      return;
    }
    this.run(data, binary);
  }

  /** Queues a frame under the budget of the state it arrives in (inbound-budget.ts): hold reading, or close 1008. */
  private enqueue(data: Buffer, binary: boolean): void {
    const queue = (this.inbound ??= new InboundQueue());
    queue.push(data, binary);
    const verdict = queueVerdict(queue, this.host.options, this.state === 'handshaking');
    if (verdict === 'hold') this.readHold = holdReading(this.socket, this.readHold, HOLD_QUEUE);
    else if (verdict !== 'ok') this.closeOverBudget(CloseCode.PolicyViolation, verdict.close);
  }

  // ---- the rate limit (messageRate, messageBurst, onRateLimit) --------------------------------------

  /** A token of the connection's bucket; always true when the limit is off. */
  private takeToken(): boolean {
    if (this.rate !== undefined) return this.rate.take();
    const o = this.host.options;
    if (o.messageRate === 0) return true;
    if (RateLimit.isFree(++this.uncountedFrames, o)) return true;
    this.rate = new RateLimit(o, this.uncountedFrames - 1);
    return this.rate.take();
  }

  /** A frame over the rate, not queued (or just taken off the queue under a policy other than delay). */
  private overRate(data: Buffer, binary: boolean): void {
    switch (this.host.options.onRateLimit) {
      case 'delay':
        this.enqueue(data, binary);
        this.throttle();
        return;
      case 'drop':
        return;
      case 'error': {
        const msg = decodeMessage(data, binary);
        if (msg !== undefined && !this.takeReply(msg) && isRequest(msg)) writeErrorReply(this, msg, RATE_LIMITED);
        return;
      }
      case 'close':
        this.closeOverBudget(CloseCode.PolicyViolation, CLOSE_RATE_LIMITED);
    }
  }

  /** Stops reading until the bucket holds a token again, then drains. */
  private throttle(): void {
    if (this.state === 'closed' || !this.rate!.waitForToken(Conn.onToken, this)) return;
    this.readHold = holdReading(this.socket, this.readHold, HOLD_RATE);
  }

  private static onToken(conn: Conn): void {
    conn.releaseReading(HOLD_RATE);
    conn.drain();
  }

  private releaseReading(reason: number): void {
    this.readHold = releaseReading(this.socket, this.readHold, reason, this.state !== 'closed');
  }

  /** The socket holds over a quarter of its write budget: stop reading the client until it drains. */
  private holdForWrites(): void {
    if ((this.readHold & HOLD_WRITES) !== 0) return;
    const raw = rawOf(this.socket);
    // 'drain' comes only after a write found the stream over its own mark; else it empties by itself soon.
    if (!raw.writableNeedDrain) return;
    this.readHold = holdReading(this.socket, this.readHold, HOLD_WRITES);
    raw.once('drain', () => this.releaseReading(HOLD_WRITES));
  }

  private run(data: Buffer, binary: boolean): void {
    let result: Promise<unknown> | undefined;
    try {
      result = routeFrame(this, data, binary);
    } catch (err) {
      this.host.reportError(err, this);
      return;
    }
    if (result !== undefined) {
      this.busy = true;
      result.then(
        () => this.resume(),
        (err) => {
          this.host.reportError(err, this);
          this.resume();
        },
      );
    }
  }

  private resume(): void {
    this.busy = false;
    this.drain();
  }

  /**
   * Runs queued frames in order until a handler is pending, the rate limit holds, or the turn's budget
   * (turn-budget.ts, shared by every connection) is spent; then it waits for the next turn, so one
   * connection's backlog cannot block the others. Called again by each settled handler: the budget,
   * not the call, bounds a chain of drains run from promise continuations. `atTurn`: a turn of the run
   * queue, which runs at least one frame so a connection that waited always progresses.
   */
  private drain(atTurn = false): void {
    const queue = this.inbound;
    if (queue === undefined) return;
    let free = atTurn;
    while (!this.busy && this.state === 'open' && queue.length > 0) {
      if (countFrame() && !free) {
        this.scheduleDrain();
        break;
      }
      free = false;
      if (!this.takeToken()) {
        if (this.host.options.onRateLimit === 'delay') {
          this.throttle();
          break;
        }
        const binary = queue.nextIsBinary;
        this.overRate(queue.shift()!, binary);
        continue;
      }
      const binary = queue.nextIsBinary;
      this.run(queue.shift()!, binary);
    }
    if (queueDrained(queue, this.host.options)) this.releaseReading(HOLD_QUEUE);
    // An empty queue is given back: a client that pipelined its namespace connect behind `M` would
    // otherwise keep one (~0.4 KiB: the ring's two arrays) for as long as it stays idle.
    if (queue.length === 0 && !this.busy && this.inbound === queue) this.inbound = undefined;
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    waitForNextTurn(this);
  }

  /** @internal a turn of the run queue (turn-budget.ts) */
  runTurn(): void {
    this.drainScheduled = false;
    this.drain(true);
  }

  // ---- server asks (docs/protocol.md §4): a fresh server token out, the reply matched by it ----------------------

  /** @internal sends a request with a fresh server token and waits for the reply by that token */
  ask(namespace: string, room: string, event: string, body: Buffer | string, binary: boolean, timeout?: number): Promise<Message> {
    return new Promise<Message>((resolve, reject) => {
      this.askWith(namespace, room, event, body, binary, timeout, (err, reply) => (err === undefined ? resolve(reply!) : reject(err)));
    });
  }

  /** @internal `ask` with a callback, called exactly once (at once when the ask cannot be written) */
  askWith(namespace: string, room: string, event: string, body: Buffer | string, binary: boolean, timeout: number | undefined, done: AskCallback): void {
    if (this.state === 'closed') return done(new ConnectionClosedError(this._id));
    const max = this.host.options.maxPendingAsks;
    if (this._asks !== undefined && this._asks.size >= max) return done(new TooManyPendingAsksError(this._id, max));
    if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) return done(new InvalidOptionError(ASK_TIMEOUT_INVALID(timeout)));
    const token = this.host.tokens.next();
    const asks = (this._asks ??= new AskRegistry(this.host.deadlines));
    asks.waitFor(token, event, timeout ?? this.host.options.askTimeout, done);
    if (!this.write(encodeFields(token, namespace, room, event, false, false, body), binary)) {
      asks.cancel(token, new ConnectionClosedError(this._id));
    }
  }

  /**
   * @internal whether `msg`, whose token may be a server one (`mayBeServerReply`), answers one of our
   * asks: handed to its waiter, or dropped as late when its ask has already timed out (docs/protocol.md §4.6)
   * rather than fired as an event.
   */
  takeReply(msg: Message): boolean {
    return this._asks?.settle(msg) === true || this.host.tokens.owns(msg.token);
  }

  /** While a handler is pending: settles a reply at once, so the handler awaiting it can finish. */
  private settleEarly(data: Buffer, binary: boolean): boolean {
    const msg = decodeMessage(data, binary);
    return msg !== undefined && mayBeServerReply(msg.token) && this._asks!.settle(msg);
  }

  // ---- output -------------------------------------------------------------------------------------

  /** @internal writes one encoded frame; false when it was not (closed, or dropped under backpressure) */
  write(frame: Buffer | string, binary: boolean): boolean {
    // A hold exists only while open (made on an open connection, flushed by close, dropped at teardown);
    // writeNow checks the state for everything else.
    const hold = this.writeHold;
    if (hold !== undefined) {
      hold.hold(frame, binary);
      // Held frames count against the write budget too: past it they go out now, barrier or not.
      if (hold.heldBytes > this.host.options.writeBufferHighWaterMark) this.flushHeld();
      return true;
    }
    return this.writeNow(frame, binary);
  }

  /** Everything held goes out now: the connection closes, or holds more than its write budget. */
  private flushHeld(): void {
    const hold = this.writeHold;
    if (hold === undefined) return;
    this.writeHold = undefined;
    hold.flush((frame, binary) => this.writeNow(frame, binary));
  }

  private writeNow(frame: Buffer | string, binary: boolean): boolean {
    if (this.state !== 'open') return false;
    const outcome = writeToSocket(this.socket, frame, binary, this.host.options);
    if (outcome === 'sent') return true;
    if (outcome === 'congested') {
      this.holdForWrites();
      return true;
    }
    if (outcome === 'overflow') this.closeOverBudget(CloseCode.TryAgainLater, CLOSE_WRITE_BUFFER_FULL);
    return false;
  }

  // ---- namespaces (connect and disconnect themselves live in namespace-lifecycle.ts) ----------------

  /**
   * Server-forced namespace connect (docs/protocol.md §1.4, §3.5.2). Callable from `onConnect`: it releases the
   * handshake so the client's ack is answered first, then connects.
   */
  async connect(namespace: string, options: { timeout?: number } = {}): Promise<NSConn> {
    this.releaseReadiness();
    if (!this.ackSent) await Promise.race([(this.acknowledged ??= new Signal()).wait(), this.whenClosed()]);
    if (this.state !== 'open') throw new ConnectionClosedError(this._id);
    return connectNamespace(this, namespace, options.timeout);
  }

  /** @internal a new, not yet connected, NSConn of a registered namespace; undefined for others */
  newNamespace(namespace: string): NSConn | undefined {
    const events = this.host.options.namespaces[namespace];
    return events === undefined ? undefined : NSConn.create(this, namespace, events);
  }

  /** @internal */
  attachNamespace(nsConn: NSConn): void {
    const first = this.firstNamespace;
    if (first === undefined || first.namespace === nsConn.namespace) this.firstNamespace = nsConn;
    else (this.moreNamespaces ??= new Map()).set(nsConn.namespace, nsConn);
    this.host.index.addNamespace(nsConn);
  }

  /** @internal */
  detachNamespace(nsConn: NSConn): void {
    if (this.firstNamespace?.namespace === nsConn.namespace) this.firstNamespace = undefined;
    else this.moreNamespaces?.delete(nsConn.namespace);
    this.host.index.removeNamespace(nsConn);
  }

  // ---- liveness and close -----------------------------------------------------------------------------

  /**
   * @internal holds the frames written from now on until the peer has read what was written before
   * (see write-hold.ts): until it has answered a ping sent now, or `timeout` ms have passed.
   */
  holdUntilPeerHasRead(timeout: number): void {
    if (this.state !== 'open') return;
    const payload = `r${++readProbeCount}`;
    if (this.writeHold !== undefined) {
      this.writeHold.addBarrier(payload);
      return;
    }
    this.writeHold = new WriteHold(payload, timeout, () => this.releaseHeld());
    this.sendProbe(payload);
  }

  /** The awaited pong is back (or did not come in time): writes the held frames up to the next barrier. */
  private releaseHeld(): void {
    const hold = this.writeHold;
    if (hold === undefined) return;
    const done = hold.release(
      (frame, binary) => this.writeNow(frame, binary),
      (payload) => this.sendProbe(payload),
    );
    if (done && this.writeHold === hold) this.writeHold = undefined;
  }

  private sendProbe(payload: string): void {
    this.socket.ping(payload, undefined, (err) => {
      if (err) this.releaseHeld();
    });
  }

  /** @internal one beat of the engine's ping loop: a peer that missed the last one is dropped */
  heartbeat(): void {
    if (!this.alive) {
      dropSocket(this.socket);
      return;
    }
    this.alive = false;
    this.socket.ping();
  }

  /** @internal drops the socket without a close handshake (shutdown of a peer that does not answer) */
  terminate(): void {
    dropSocket(this.socket);
  }

  /** Closes the connection with a close frame (default 1000). Teardown hooks run on the close event. */
  close(code: number = CloseCode.Normal, reason = ''): void {
    // Checked before any state changes: ws would throw after `closed` is set, leaving an open socket
    // that no longer reads or writes.
    assertSendableCloseCode(code);
    if (this.state === 'closed' && this.socket.readyState !== this.socket.OPEN) return;
    this.flushHeld(); // what a hook wrote before closing goes out before the close frame
    this.state = 'closed';
    this.socket.close(code, truncateReason(reason));
    // What ws still holds of its reads is dropped frame by frame: one per loop turn, not a read at once.
    deferRestOfRead(this.socket);
  }

  /**
   * Closes for a broken budget: the queue is dropped at once, and a peer that makes no progress reading
   * is destroyed (budget-close.ts).
   */
  private closeOverBudget(code: number, reason: string): void {
    this.inbound = undefined;
    if (this.state === 'closed') return;
    this.close(code, reason);
    destroyUnlessReading(this.socket);
  }

  /** The socket closed: tear down namespaces and rooms (docs/protocol.md §6.5), settle pending asks. */
  private async teardown(): Promise<void> {
    this.stopHandshakeTimer();
    // Not `state === 'open'`: close() has already set 'closed' when the server itself closed.
    const wasAcknowledged = this.ackSent;
    this.state = 'closed';
    this.inbound = undefined;
    this.writeHold?.discard();
    this.writeHold = undefined;
    this.rate?.stop();
    this._asks?.rejectAll(new ConnectionClosedError(this._id));
    this.host.connectionClosing(this);
    const connected = [...(this.firstNamespace === undefined ? [] : [this.firstNamespace]), ...(this.moreNamespaces?.values() ?? [])];
    for (const nsConn of connected) await dropNamespace(nsConn);
    this.host.connectionGone(this, wasAcknowledged);
    this.tornDown = true;
    this.closed?.fire();
  }
}

/** The protocol allows 123 bytes of close reason. */
function truncateReason(reason: string): string {
  if (Buffer.byteLength(reason) <= 123) return reason;
  let cut = reason.slice(0, 120);
  while (Buffer.byteLength(cut) > 120) cut = cut.slice(0, -1);
  return `${cut}...`;
}
