// Ports neffos server.go:Server (docs/protocol.md §1, §5.1, §6): accepts upgrades on one path, runs the
// handshake, keeps the connections, broadcasts, pings, and shuts down with close code 1001.
import { DeadlineQueue } from './deadline-queue.js';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { Message, ServerTokenSource, encodeFrame } from '../protocol/index.js';
import { Conn } from './conn.js';
import { type EngineOptions, type ResolvedEngineOptions, withDefaults } from './engine-options.js';
import { ClusterView } from './cluster-view.js';
import { BadNamespaceError, CloseCode, ConnectionNotFoundError, HandshakeRejectedError, InvalidOptionError, clientErrorText } from './engine.errors.js';
import { ALREADY_ATTACHED, ASK_TIMEOUT_INVALID, CLOSE_SHUTTING_DOWN, ID_NOT_A_STRING, NO_CONNECTION_ID, REJECTED, TEARDOWN_HOOKS_STUCK, UNAUTHORIZED } from './engine.messages.js';
import type { AskOptions, BroadcastMessage, BroadcastOptions, HandlerResult, TargetedMessage } from './engine.types.js';
import { EngineExchangeNode } from './exchange-node.js';
import { toBody } from './reply.writer.js';
import { ClientScript } from './client-script.js';
import { registerEndpoint } from './endpoint-registry.js';
import { attachToHttpServer, closeLingeringConnections, mergeQueryHeaders, pathOf, refuseUpgrade } from './http-attach.js';
import { MembershipIndex } from './membership.index.js';
import { NearMissPaths } from './near-miss-paths.js';
import { shareRequestStrings } from './request-strings.js';
import type { ExchangeEmit, StackExchange } from './stack-exchange.js';

// The engine is the EngineHost its connections see (`Conn.create(ws, req, this)` checks that), but it
// does not declare `implements EngineHost`: those members are internal (stripped from the published
// declarations), and a declared `implements` would then fail to compile in consumers with
// skipLibCheck: false. (This comment must not spell the tag itself: stripInternal would drop the class.)
export class NeffosEngine {
  /** @internal */ readonly options: ResolvedEngineOptions;
  /** @internal */ readonly tokens = new ServerTokenSource();
  /** @internal */ readonly index = new MembershipIndex();
  /** @internal */ readonly deadlines = new DeadlineQueue();
  /** Upgrades to paths that look meant for ours, logged once each. */
  private readonly nearMisses: NearMissPaths;
  /** Whether an idGenerator returning no string has been logged (once per engine). */
  private warnedIdType = false;
  private readonly wss: WebSocketServer;
  private readonly clientScript: ClientScript | undefined;
  /**
   * Acknowledged connections by id. Ids are almost always unique, so an id maps to its connection
   * itself, and to an array only while several share it: a Set per id cost ~0.2 KiB per idle connection.
   */
  private readonly byId = new Map<string, Conn | Conn[]>();
  private readonly live = new Set<Conn>();
  /** Closed connections whose teardown hooks still run: shutdown waits for them, nothing else counts them. */
  private readonly tearingDown = new Set<Conn>();
  /** Connections accepted whose handshake has not ended (maxPendingHandshakes). */
  private handshaking = 0;
  private server: Server | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private detach: (() => void) | undefined;
  private closing: Promise<void> | undefined;
  /** `undefined` without an exchange: then no path below allocates or serializes anything for it. */
  private readonly exchange: StackExchange | undefined;
  private readonly attaching: Promise<void>;
  /**
   * The whole cluster: remote control (`joinRoom`, `leaveRoom`, `disconnect`, `closeConnection`) and
   * presence (`connectionCount`, `connections`, `rooms`, `members`) across every node, async. Without
   * an exchange they answer for this engine alone.
   */
  readonly cluster: ClusterView;

  constructor(options: EngineOptions) {
    this.options = withDefaults(options);
    this.nearMisses = new NearMissPaths(this.options.path, this.options.logger);
    this.clientScript = this.options.serveClient ? new ClientScript(this.options.path) : undefined;
    this.exchange = this.options.exchange;
    this.cluster = new ClusterView(this);
    this.attaching = this.exchange === undefined ? Promise.resolve() : this.exchange.attach(new EngineExchangeNode(this));
    // Surfaced by ready(); never an unhandled rejection when nobody awaits it.
    this.attaching.catch(() => {});
    const { subprotocols } = this.options;
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: this.options.maxPayload,
      handleProtocols: (offered: Set<string>) => {
        if (subprotocols === undefined) return offered.values().next().value ?? false;
        return subprotocols.find((p) => offered.has(p)) ?? false;
      },
    });
    if (this.options.pingInterval > 0) {
      this.pingTimer = setInterval(() => this.pingAll(), this.options.pingInterval).unref();
    }
  }

  /** Serves the protocol on `server` at `options.path`; other paths and upgrades are left alone. */
  attach(server: Server): this {
    if (this.detach !== undefined) throw new Error(ALREADY_ATTACHED);
    const detachHttp = attachToHttpServer(server, this);
    const unregister = registerEndpoint(server, this.options.path);
    this.detach = () => {
      unregister();
      detachHttp();
    };
    this.server = server;
    return this;
  }

  /**
   * Resolves once the exchange (if any) has subscribed, i.e. cross-node delivery works; rejects when
   * it could not. The Nest module awaits it at bootstrap; engine-only users should too.
   */
  ready(): Promise<void> {
    return this.attaching;
  }

  /** @internal */
  matches(req: IncomingMessage): boolean {
    return pathOf(req) === this.options.path;
  }

  /** @internal An upgrade to another path got 404: a near miss of ours (`/ws/`, `/WS`) is logged once. */
  refusedUnmatched(req: IncomingMessage): void {
    this.nearMisses.refused(pathOf(req));
  }

  /** @internal `serveClient`: GET/HEAD of `<path>/neffos.js` (and its map), before the app's router */
  serveRequest(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.clientScript === undefined) return false;
    const path = pathOf(req);
    if (!this.clientScript.serves(path)) return false;
    this.clientScript.handle(req, res, path);
    return true;
  }

  /** Completes an upgrade for our path; usable directly when mounting without `attach`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.closing !== undefined) return refuseUpgrade(socket, 503, 'Service Unavailable');
    // Global caps: past them a client is told to come back later before any per-connection memory is spent.
    if (this.live.size >= this.options.maxConnections || this.handshaking >= this.options.maxPendingHandshakes) {
      return refuseUpgrade(socket, 503, 'Service Unavailable');
    }
    if (!this.originAllowed(req)) return refuseUpgrade(socket, 403, 'Forbidden');
    mergeQueryHeaders(req, this.options.protectedHeaders);
    shareRequestStrings(req);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req));
  }

  private originAllowed(req: IncomingMessage): boolean {
    const policy = this.options.origins;
    const origin = req.headers.origin;
    if (policy === '*') return true;
    if (typeof policy === 'function') {
      try {
        return policy(origin, req) === true;
      } catch (err) {
        this.reportError(err);
        return false;
      }
    }
    // Browsers always send Origin; Node and Go clients send none, and are not what the check is for
    // (cross-site WebSocket hijacking), so a missing Origin passes, as with gorilla's default.
    return origin === undefined || policy.has(origin);
  }

  private accept(ws: WebSocket, req: IncomingMessage): void {
    // The Conn listens to its socket and runs its own handshake timer.
    if (!this.options.nativeOnly) this.handshaking++;
    const conn = Conn.create(ws, req, this);
    this.live.add(conn);
    void (this.options.nativeOnly ? this.openNative(conn) : this.handshake(conn));
  }

  private async handshake(conn: Conn): Promise<void> {
    try {
      const { authorize, onConnect } = this.options;
      if (authorize !== undefined) {
        const verdict = await authorize(conn.request);
        if (verdict === false) throw new HandshakeRejectedError(UNAUTHORIZED);
        if (typeof verdict === 'string') throw new HandshakeRejectedError(verdict);
      }
      const id = await this.generateId(conn);
      if (conn.isClosed) return;
      conn.ready(id);
      this.register(conn);
      await onConnect?.(conn);
      conn.releaseReadiness();
    } catch (err) {
      // A throwing authorize or onConnect: its text only if written for the client (db errors are not).
      conn.reject(clientErrorText(err, this.options.exposeErrors, (e) => this.reportError(e, conn)) || REJECTED);
    }
  }

  private async generateId(conn: Conn): Promise<string> {
    const id: unknown = await this.options.idGenerator(conn.request);
    if (typeof id === 'string' && id !== '') return flat(id);
    // An empty id refuses that client on purpose; anything else is a bug that refuses every client, so it
    // is said once (not per handshake, which a client could repeat at will).
    if (typeof id !== 'string' && !this.warnedIdType) {
      this.warnedIdType = true;
      this.options.logger.warn(ID_NOT_A_STRING(id));
    }
    throw new HandshakeRejectedError(NO_CONNECTION_ID);
  }

  private async openNative(conn: Conn): Promise<void> {
    try {
      const id = await this.generateId(conn);
      if (conn.isClosed) return;
      conn.ready(id);
      this.register(conn);
      conn.openNative(this.options.namespaces['']!);
    } catch (err) {
      conn.close(CloseCode.InternalError, clientErrorText(err, this.options.exposeErrors, (e) => this.reportError(e, conn)));
    }
  }

  private register(conn: Conn): void {
    const held = this.byId.get(conn.id);
    if (held === undefined) this.byId.set(conn.id, conn);
    else if (Array.isArray(held)) held.push(conn);
    else this.byId.set(conn.id, [held, conn]);
    this.exchange?.connectionOpened?.(conn.id);
  }

  /** The connections with this id, in the order they registered (a fresh array). */
  private withId(id: string): Conn[] {
    const held = this.byId.get(id);
    return held === undefined ? [] : Array.isArray(held) ? [...held] : [held];
  }

  /** @internal */
  handshakeEnded(): void {
    this.handshaking--;
  }

  /** @internal */
  connectionClosing(conn: Conn): void {
    if (!this.live.delete(conn)) return;
    this.tearingDown.add(conn);
    const held = this.byId.get(conn.id);
    if (held === conn) {
      this.byId.delete(conn.id);
      this.exchange?.connectionClosed?.(conn.id);
    } else if (Array.isArray(held)) {
      const i = held.indexOf(conn);
      if (i >= 0) held.splice(i, 1);
      if (held.length === 1) this.byId.set(conn.id, held[0]!);
    }
  }

  /** @internal */
  connectionGone(conn: Conn, wasAcknowledged: boolean): void {
    this.connectionClosing(conn);
    this.tearingDown.delete(conn);
    if (!wasAcknowledged || this.options.onDisconnect === undefined) return;
    try {
      this.options.onDisconnect(conn);
    } catch (err) {
      this.reportError(err, conn);
    }
  }

  /** @internal */
  reportError(err: unknown, conn?: Conn): void {
    try {
      this.options.onError(err, conn);
    } catch (failure) {
      // Reports come from teardown and dispatch paths: a throwing onError must not abort a teardown
      // (the connection would never leave the engine) nor become an unhandled rejection.
      console.error('[neffos] onError threw', failure, 'while reporting', err);
    }
  }

  private pingAll(): void {
    for (const conn of this.live) conn.heartbeat();
  }

  // ---- the server API --------------------------------------------------------------------------

  /**
   * Sends one frame, encoded once, to every connection in the namespace (or room) but the excluded
   * ones. Copies carry no token (docs/protocol.md §5.1). Returns how many connections it was written to.
   */
  broadcast(msg: BroadcastMessage, options: BroadcastOptions = {}): number {
    if (this.exchange !== undefined) return this.broadcastClustered(msg, options);
    return this.broadcastLocal(msg.namespace, msg.room ?? '', msg.event, msg.body, msg.binary ?? false, options.except);
  }

  /** With an exchange: published once for the other nodes (exclusions and frame type included), then delivered here. */
  private broadcastClustered(msg: BroadcastMessage, options: BroadcastOptions): number {
    const room = msg.room ?? '';
    const body = toBody(msg.body) ?? '';
    const binary = msg.binary ?? false;
    const except = options.except === undefined ? undefined : typeof options.except === 'string' ? [options.except] : options.except;
    this.exchange!.publish({ namespace: msg.namespace, room, event: msg.event, body, binary, except });
    return this.broadcastLocal(msg.namespace, room, msg.event, body, binary, options.except);
  }

  /** @internal what another node published: delivered to the local connections it concerns */
  deliverLocally(msg: ExchangeEmit): void {
    if (msg.to === undefined) {
      this.broadcastLocal(msg.namespace, msg.room, msg.event, msg.body, msg.binary, msg.except);
      return;
    }
    if (msg.except?.includes(msg.to)) return;
    for (const conn of this.withId(msg.to)) conn.namespace(msg.namespace)?.emitTo(msg.room, msg.event, msg.body, msg.binary);
  }

  private broadcastLocal(namespace: string, room: string, event: string, body: HandlerResult, binary: boolean, exceptIds: string | readonly string[] | undefined): number {
    const members = this.index.members(namespace, room);
    if (members.size === 0) return 0;
    const frame = encodeFrame({ token: '', namespace, room, event, isError: false, isNoOp: false, body: toBody(body) ?? '' });
    const except = typeof exceptIds === 'object' && exceptIds.length > 4 ? new Set(exceptIds) : exceptIds;
    let sent = 0;
    for (const nsConn of members) {
      const id = nsConn.conn.id;
      if (except !== undefined && (typeof except === 'string' ? except === id : 'has' in except ? except.has(id) : except.includes(id))) continue;
      if (nsConn.conn.write(frame, binary)) sent++;
    }
    return sent;
  }

  /**
   * Addresses the connection(s) with this id (ids are not required to be unique, as in Go). With an
   * exchange, an id not held here is published to the other nodes; the count is of local writes.
   */
  to(connectionId: string): { emit(msg: TargetedMessage): number } {
    return {
      emit: (msg) => {
        let sent = 0;
        const conns = this.withId(connectionId);
        if (conns.length === 0) {
          this.exchange?.publish({ namespace: msg.namespace, room: msg.room ?? '', event: msg.event, body: toBody(msg.body) ?? '', binary: msg.binary ?? false, to: connectionId });
          return 0;
        }
        for (const conn of conns) {
          const nsConn = conn.namespace(msg.namespace);
          if (nsConn !== undefined && nsConn.emitTo(msg.room ?? '', msg.event, msg.body, msg.binary ?? false)) sent++;
        }
        return sent;
      },
    };
  }

  /** Asks one connection (the first with that id connected to the namespace) and waits for its reply. */
  ask(connectionId: string, msg: Omit<TargetedMessage, 'binary'>, options: Omit<AskOptions, 'room'> = {}): Promise<Message> {
    const conns = this.withId(connectionId);
    if (conns.length === 0) return this.askRemote(connectionId, msg, options);
    for (const conn of conns) {
      const nsConn = conn.namespace(msg.namespace);
      if (nsConn !== undefined) return nsConn.ask(msg.event, msg.body, { ...options, room: msg.room });
    }
    return Promise.reject(new BadNamespaceError(msg.namespace));
  }

  /** With an exchange, the node holding the connection asks it and sends back the client's reply. */
  private askRemote(connectionId: string, msg: Omit<TargetedMessage, 'binary'>, options: Omit<AskOptions, 'room'>): Promise<Message> {
    if (this.exchange === undefined) return Promise.reject(new ConnectionNotFoundError(connectionId));
    const timeout = options.timeout ?? this.options.askTimeout;
    if (!(Number.isFinite(timeout) && timeout > 0)) {
      return Promise.reject(new InvalidOptionError(ASK_TIMEOUT_INVALID(timeout)));
    }
    const action = { kind: 'ask', namespace: msg.namespace, room: msg.room ?? '', event: msg.event, body: toBody(msg.body) ?? '', binary: options.binary ?? false, timeout } as const;
    return this.exchange.request(connectionId, action).then(({ reply }) => {
      // The client's reply, without its token (it meant nothing outside the holding node).
      if (reply === undefined) return new Message({ namespace: msg.namespace, room: msg.room ?? '', event: msg.event });
      return new Message({ namespace: reply.namespace, room: reply.room, event: reply.event, body: reply.body, isBinary: reply.binary });
    });
  }

  /** The first connection with this id. */
  connection(id: string): Conn | undefined {
    const held = this.byId.get(id);
    return Array.isArray(held) ? held[0] : held;
  }

  /** Every connection with this id (ids need not be unique). */
  connectionsWithId(id: string): Conn[] {
    return this.withId(id);
  }

  /** Every acknowledged connection. */
  connections(): Conn[] {
    return [...this.byId.values()].flat();
  }

  get connectionCount(): number {
    let n = 0;
    for (const held of this.byId.values()) n += Array.isArray(held) ? held.length : 1;
    return n;
  }

  /** Names of the rooms of a namespace that have members on this server. */
  rooms(namespace: string): string[] {
    return this.index.roomNames(namespace);
  }

  /** Ids of the connections in a namespace, or in one of its rooms. */
  members(namespace: string, room = ''): string[] {
    return [...this.index.members(namespace, room)].map((ns) => ns.conn.id);
  }

  /**
   * Stops accepting, closes every connection with 1001 and waits for their teardown hooks
   * (terminating peers that do not answer the close within `shutdownTimeout`, 2 s by default, and
   * giving up on hooks still running as long again, which are reported to `onError`). Connections of
   * the attached HTTP server that would hold its `close()` are closed once it stops listening: idle
   * ones at once, the rest after `shutdownTimeout`. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.detach?.();
    const grace = this.options.shutdownTimeout;
    // What would hold the server's own close() for ever (a TCP connection that never sent a byte).
    if (this.server !== undefined) closeLingeringConnections(this.server, grace);
    if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
    const open = [...this.live];
    for (const conn of open) conn.close(CloseCode.GoingAway, CLOSE_SHUTTING_DOWN);
    const conns = [...open, ...this.tearingDown];
    let tornDown = 0;
    const all = Promise.all(conns.map((c) => c.whenClosed().then(() => tornDown++)));
    if (!(await settlesWithin(all, grace))) {
      for (const conn of conns) conn.terminate();
      // Teardown hooks that never settle must not hold app.close() for ever.
      if (!(await settlesWithin(all, grace))) {
        this.reportError(new Error(TEARDOWN_HOOKS_STUCK(conns.length - tornDown, grace)));
      }
    }
    this.wss.close();
    await this.exchange?.close().catch((err: unknown) => this.reportError(err));
  }
}

/**
 * A generated id (randomUUID's included) can be a rope of a dozen concatenated strings; kept for the
 * connection's lifetime, that is ~0.5 KiB per idle connection. A JSON round trip stores it flat.
 */
function flat(id: string): string {
  return JSON.parse(JSON.stringify(id)) as string;
}

/** Whether `promise` settles within `ms`; the timer never outlives the wait. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    promise.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]);
  clearTimeout(timer);
  return settled;
}

