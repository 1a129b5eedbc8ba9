// Scale-out over any publish/subscribe bus (socket.io-adapter's ClusterAdapter, for neffos): one
// publish hook, typed cross-node messages, node ids to drop one's own echoes. A node subscribes to
// two channels whatever its client count: `<prefix>.all` (emits, queries, heartbeats, requests) and
// `<prefix>.node.<id>` (answers meant for it, and asks for connections it is known to hold: see
// connection-routes.ts). Go neffos' StackExchange faults (docs/protocol.md §5.4–§5.5) are
// avoided by design: exclusions and the binary flag travel with the message, asks have their own
// request/answer routing, and connection ids are never used as channel names.
import { randomBytes } from 'node:crypto';
import { MAX_TIMER_MS } from '../engine/deadline-queue.js';
import { AskTimeoutError, ConnectionNotFoundError, InvalidOptionError } from '../engine/engine.errors.js';
import type {
  ExchangeEmit,
  ExchangeNode,
  PresenceAnswer,
  PresenceQuery,
  RemoteAction,
  RemoteOutcome,
  StackExchange,
} from '../engine/stack-exchange.js';
import { OnNamespaceDisconnect, OnRoomJoin, OnRoomLeave } from '../protocol/index.js';
import type { ClusterMessage } from './cluster-message.js';
import { NODE_ID, decodeClusterMessage, encodeClusterMessage, type OutgoingClusterMessage } from './cluster-message.codec.js';
import { PayloadTooLargeError } from './broker.errors.js';
import type { ExchangeTransport } from './exchange-transport.js';
import { ConnectionRoutes } from './connection-routes.js';
import { settlesWithin } from './close-grace.js';
import { DropLog } from './drop-log.js';
import { ExchangeNotAttachedError, ExchangeUnavailableError, NodeLinkClosedError, fromWireError, toWireError } from './exchange.errors.js';
import { NodeDirectory } from './node-directory.js';
import { FRAME_HEAD } from './node-link.codec.js';
import { NodeLinks, type NodeLinkOptions, type ResolvedNodeLinkOptions, resolveNodeLink } from './node-link.manager.js';
import { PendingCalls } from './pending-calls.js';

const EMPTY = Buffer.alloc(0);

export interface ClusterExchangeOptions {
  /** Channel name prefix; nodes of one app share it, different apps on one broker must not. Default `neffos`. */
  prefix?: string;
  /**
   * This node's id (letters, digits, `_`, `-`); default: 12 random URL-safe characters. Unique per
   * node: messages carrying this node's own id are dropped as its echoes, so two nodes given one id
   * never hear each other.
   */
  nodeId?: string;
  /** How often a node says it is alive, in ms. Default 1000. */
  heartbeatInterval?: number;
  /**
   * A node not heard from for this long (ms) is taken for dead: cluster-wide answers stop waiting for
   * it. Default 3 × heartbeatInterval. This bounds how long a crashed node can delay an answer.
   */
  nodeTimeout?: number;
  /**
   * How long attaching (the engine's `ready()`, a Nest app's bootstrap) waits for the broker the first
   * time, in ms; past it, it rejects with an ExchangeUnavailableError instead of holding the start-up
   * (and every HTTP route, health checks included) for ever. Default 10,000.
   */
  connectTimeout?: number;
  /**
   * A direct TCP link to each other node that has one too, for the messages addressed to one node
   * (a routed ask and its answer): they skip the broker, which roughly halves a cross-node ask. The
   * broker still carries discovery, broadcasts and presence, and everything whenever a link is down.
   * Off by default: it opens a port (`true` = `127.0.0.1`, any free port). See the README, "Direct
   * node links". Not in Go-compatible mode.
   */
  nodeLink?: NodeLinkOptions | boolean;
}

interface Resolved {
  prefix: string;
  nodeId: string;
  heartbeatInterval: number;
  nodeTimeout: number;
  connectTimeout: number;
  nodeLink: ResolvedNodeLinkOptions | undefined;
}

const TIMER_LIMIT = ` up to ${MAX_TIMER_MS} (the longest Node timer, about 24.8 days)`;

/**
 * A delay a Node timer can wait: past MAX_TIMER_MS Node fires after 1 ms, so `heartbeatInterval: 3e9`
 * would publish a heartbeat every millisecond and `connectTimeout: 3e9` would give up at once.
 */
function isTimerMs(ms: number): boolean {
  return typeof ms === 'number' && ms > 0 && ms <= MAX_TIMER_MS;
}

/** Checks and defaults the options once; throws InvalidOptionError naming the bad one. */
export function resolveClusterOptions(options: ClusterExchangeOptions): Resolved {
  const prefix = options.prefix ?? 'neffos';
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9_.:-]{1,100}$/.test(prefix)) {
    throw new InvalidOptionError(`exchange option prefix must be 1-100 letters, digits or "_.:-", got ${JSON.stringify(prefix)}`);
  }
  const nodeId = options.nodeId ?? randomBytes(9).toString('base64url');
  if (!NODE_ID.test(nodeId)) throw new InvalidOptionError(`exchange option nodeId must be 1-64 letters, digits, "_" or "-", got ${JSON.stringify(nodeId)}`);
  const heartbeatInterval = options.heartbeatInterval ?? 1000;
  if (!isTimerMs(heartbeatInterval)) throw new InvalidOptionError(`exchange option heartbeatInterval must be a positive number of milliseconds${TIMER_LIMIT}, got ${heartbeatInterval}`);
  const nodeTimeout = options.nodeTimeout ?? 3 * heartbeatInterval;
  if (!(isTimerMs(nodeTimeout) && nodeTimeout > heartbeatInterval)) {
    throw new InvalidOptionError(`exchange option nodeTimeout must be a number of milliseconds above heartbeatInterval (${heartbeatInterval})${TIMER_LIMIT}, got ${nodeTimeout}`);
  }
  const connectTimeout = options.connectTimeout ?? 10_000;
  if (!isTimerMs(connectTimeout)) throw new InvalidOptionError(`exchange option connectTimeout must be a positive number of milliseconds${TIMER_LIMIT}, got ${connectTimeout}`);
  return { prefix, nodeId, heartbeatInterval, nodeTimeout, connectTimeout, nodeLink: resolveNodeLink(options.nodeLink) };
}

/** Why a call's message did not go out: the broker's outage, or the message's own size. */
function unsent(err: Error): Error {
  return err instanceof PayloadTooLargeError ? err : new ExchangeUnavailableError(err);
}

/** The error a remote action reports when nobody answers, as the local call would. */
function timeoutOf(connectionId: string, action: RemoteAction, timeoutMs: number): Error {
  // A close waits for no client; no answer means the holder is gone, and its connections with it.
  if (action.kind === 'close') return new ConnectionNotFoundError(connectionId);
  const event = action.kind === 'ask' ? action.event : action.kind === 'join' ? OnRoomJoin : action.kind === 'leave' ? OnRoomLeave : OnNamespaceDisconnect;
  return new AskTimeoutError(event, timeoutMs);
}

export class ClusterExchange implements StackExchange {
  readonly nodeId: string;
  /** The channel every node subscribes to. */
  readonly broadcastChannel: string;
  /** This node's own channel (answers to its requests and queries). */
  readonly nodeChannel: string;
  private readonly options: Resolved;
  private readonly directory: NodeDirectory;
  private readonly pending = new PendingCalls();
  private readonly routes = new ConnectionRoutes();
  private readonly drops = new DropLog(() => this.node?.logger);
  /** Direct links to other nodes (the `nodeLink` option); undefined without it. */
  private readonly links: NodeLinks | undefined;
  private node: ExchangeNode | undefined;
  private state: 'unattached' | 'attached' | 'closed' = 'unattached';
  private heartbeat: NodeJS.Timeout | undefined;
  /** When the heartbeat timer last fired (or started): how late a tick is tells how long this node's loop was held. */
  private lastTick = 0;
  /** The reason of the current outage; set while a failure has been logged, cleared when the broker is back. */
  private outage: Error | undefined;

  constructor(
    protected readonly transport: ExchangeTransport,
    options: ClusterExchangeOptions = {},
  ) {
    this.options = resolveClusterOptions(options);
    this.nodeId = this.options.nodeId;
    this.broadcastChannel = `${this.options.prefix}.all`;
    this.nodeChannel = this.channelOf(this.nodeId);
    this.directory = new NodeDirectory(this.options.nodeTimeout);
    const linkOptions = this.options.nodeLink;
    this.links =
      linkOptions === undefined
        ? undefined
        : new NodeLinks(linkOptions, this.nodeId, {
            payload: (payload, from) => this.onPayload(payload, from),
            lost: (node, reason) => this.pending.linkLost(node, () => new NodeLinkClosedError(node, reason)),
            dropped: (kind, line) => this.drops.drop(kind, line),
            logger: () => this.node?.logger,
          });
  }

  /** @internal The direct links (tests reach their sockets); undefined without the `nodeLink` option. */
  get nodeLinks(): NodeLinks | undefined {
    return this.links;
  }

  /** Other nodes heard from within the node timeout. */
  get nodes(): string[] {
    return this.directory.living();
  }

  /** The longest a crashed node can keep a cluster-wide answer waiting, in ms. */
  get nodeTimeout(): number {
    return this.options.nodeTimeout;
  }

  async attach(node: ExchangeNode): Promise<void> {
    if (this.state !== 'unattached') throw new InvalidOptionError('this exchange is already attached to an engine; create one exchange per engine');
    this.node = node;
    this.state = 'attached';
    // Listen first: the hello below advertises the link, and a taken port fails attach before anything is subscribed.
    await this.links?.listen();
    this.transport.onStatus((status, cause) => this.onStatus(status, cause));
    const onPayload = (payload: Buffer) => this.onPayload(payload);
    try {
      await this.withinConnectTimeout(
        this.transport.subscribe(this.broadcastChannel, onPayload).then(() => this.transport.subscribe(this.nodeChannel, onPayload)),
      );
    } catch (err) {
      // A start-up that fails leaves no port open, even if nobody closes the engine after it.
      await this.links?.close();
      throw err;
    }
    this.lastTick = Date.now();
    this.heartbeat = setInterval(() => this.tick(), this.options.heartbeatInterval).unref();
    this.send(this.broadcastChannel, this.presenceMessage('hello'));
  }

  /** The first subscriptions wait for the broker's first connection: bounded, so a start-up cannot hang on it. */
  private async withinConnectTimeout(subscribing: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const ms = this.options.connectTimeout;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ExchangeUnavailableError(new Error(`no broker connection within connectTimeout (${ms} ms)`))), ms);
    });
    subscribing.catch(() => {}); // when the timeout wins, a later failure of the subscribe is expected
    try {
      await Promise.race([subscribing, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  publish(msg: ExchangeEmit): void {
    if (this.state !== 'attached') return;
    this.send(this.broadcastChannel, {
      t: 'emit',
      n: this.nodeId,
      ns: msg.namespace,
      room: msg.room,
      ev: msg.event,
      bin: msg.binary,
      ...(msg.except !== undefined && msg.except.length > 0 ? { except: [...msg.except] } : {}),
      ...(msg.to !== undefined ? { to: msg.to } : {}),
      body: msg.body,
    });
  }

  request(connectionId: string, action: RemoteAction): Promise<RemoteOutcome> {
    const refused = this.refusal();
    if (refused !== undefined) return Promise.reject(refused);
    const timeoutMs = action.kind === 'close' ? this.options.nodeTimeout : action.timeout;
    const onTimeout = (): Error => timeoutOf(connectionId, action, timeoutMs);
    const onError = (err: Error): void => this.pending.fail(rid, unsent(err));
    // Only asks are routed: they are the latency-bound call, and routing one cannot change its
    // outcome (with duplicate ids it took the first answer anyway). Remote join/leave/disconnect/close
    // keep reaching every node, so each node holding that id still runs them as before.
    const known = action.kind === 'ask' ? this.routes.get(connectionId) : undefined;
    const holder = known !== undefined && this.directory.has(known) ? known : undefined;
    /** The request, FRAME_HEAD free bytes in front for a link (see sendToNode); the broker gets the rest. */
    let framed: Buffer | undefined;
    const { rid, promise } =
      holder !== undefined
        ? this.pending.request(connectionId, [holder], timeoutMs, onTimeout, () => {
            // The holder moved on (or is gone): ask everyone else, as for an unknown connection.
            if (framed !== undefined) this.sendPayload(this.broadcastChannel, framed.subarray(FRAME_HEAD), onError);
            return this.directory.living().filter((n) => n !== holder);
          })
        : this.pending.request(connectionId, this.directory.living(), timeoutMs, onTimeout);
    // The action goes as it is (an ask's body included): the codec writes the body once, as the body.
    framed = this.encode({ t: 'req', n: this.nodeId, rid, id: connectionId, action, body: action.kind === 'ask' ? action.body : EMPTY }, onError, FRAME_HEAD);
    if (framed !== undefined) {
      if (holder !== undefined) this.sendFramed(holder, framed, onError);
      else this.sendPayload(this.broadcastChannel, framed.subarray(FRAME_HEAD), onError);
    }
    return promise;
  }

  query(query: PresenceQuery): Promise<PresenceAnswer[]> {
    const refused = this.refusal();
    if (refused !== undefined) return Promise.reject(refused);
    const { rid, promise } = this.pending.query(this.directory.living(), this.options.nodeTimeout);
    this.send(this.broadcastChannel, { t: 'q', n: this.nodeId, rid, query }, (err) => this.pending.fail(rid, unsent(err)));
    return promise;
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const wasAttached = this.state === 'attached';
    this.state = 'closed';
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    this.drops.close();
    this.pending.failAll(new ExchangeNotAttachedError('closed'));
    await this.links?.close();
    let polite = true;
    if (wasAttached) {
      // Tell the others to stop waiting for us; best effort (the broker may be down, or hang).
      const bye = this.transport.isUp ? this.transport.publish(this.broadcastChannel, encodeClusterMessage({ t: 'bye', n: this.nodeId })).catch(() => {}) : Promise.resolve();
      polite = await settlesWithin(bye.then(() => Promise.allSettled([this.transport.unsubscribe(this.broadcastChannel), this.transport.unsubscribe(this.nodeChannel)])));
    }
    // A broker that did not take the goodbye in time will not take a polite close either.
    if (polite && (await settlesWithin(this.transport.close()))) return;
    this.transport.destroy?.();
  }

  // ---- inbound ----------------------------------------------------------------------------------

  /** A payload from the broker, or from the direct link of node `from` (which may only speak for itself). */
  private onPayload(payload: Buffer, from?: string): void {
    if (this.state !== 'attached') return;
    const decoded = decodeClusterMessage(payload);
    if (!decoded.ok) {
      this.drops.drop(decoded.kind, `exchange: dropped a ${payload.length}-byte ${from === undefined ? 'bus message' : `message from node ${from}'s direct link`}: ${decoded.reason}`);
      return;
    }
    const msg = decoded.msg;
    if (msg.n === this.nodeId) return; // our own echo on the shared channel
    if (from !== undefined && msg.n !== from) {
      this.drops.drop('invalid', `exchange: dropped a "${msg.t}" message on node ${from}'s direct link that claims to come from node ${msg.n}`);
      return;
    }
    try {
      this.handle(msg);
    } catch (err) {
      // A message that passed validation but still broke a handler must not take the node down.
      this.drops.drop('handler-failure', `exchange: failed to handle a "${msg.t}" message from node ${msg.n}: ${err instanceof Error ? err.message : String(err)}`, 'error');
    }
  }

  private handle(msg: ClusterMessage): void {
    const node = this.node!;
    if (msg.t === 'bye') {
      this.links?.forget(msg.n);
      if (!this.directory.remove(msg.n)) return;
      node.logger.log(`exchange: node ${msg.n} left; ${this.directory.size} peer(s)`);
      this.routes.forgetNode(msg.n);
      this.pending.nodeGone(msg.n);
      return;
    }
    if (this.directory.seen(msg.n)) node.logger.log(`exchange: node ${msg.n} joined; ${this.directory.size} peer(s)`);
    switch (msg.t) {
      case 'hello':
        this.links?.peer(msg.n, msg.link);
        this.send(this.broadcastChannel, this.presenceMessage('hb'));
        return;
      case 'hb':
        this.links?.peer(msg.n, msg.link);
        return;
      case 'emit':
        node.deliver({ namespace: msg.ns, room: msg.room, event: msg.ev, body: msg.body, binary: msg.bin, except: msg.except, to: msg.to });
        return;
      case 'req':
        return this.serve(msg);
      case 'q':
        this.sendToNode(msg.n, { t: 'qa', n: this.nodeId, rid: msg.rid, answer: node.presence(msg.query) });
        return;
      case 'res': {
        this.learn(msg.rid, msg.n);
        const r = msg.reply;
        this.pending.resolved(msg.rid, r === undefined ? {} : { reply: { namespace: r.ns, room: r.room, event: r.ev, body: msg.body, binary: r.bin } });
        return;
      }
      case 'fail':
        this.learn(msg.rid, msg.n);
        return this.pending.fail(msg.rid, fromWireError(msg.err));
      case 'absent': {
        const id = this.pending.connectionOf(msg.rid);
        if (id !== undefined) this.routes.forget(id, msg.n);
        return this.pending.absent(msg.rid, msg.n);
      }
      case 'qa':
        return this.pending.answer(msg.rid, msg.n, msg.answer);
    }
  }

  /** Only the holder answers `res` or `fail` to a request: remember it for the next request to that id. */
  private learn(rid: number, node: string): void {
    const id = this.pending.connectionOf(rid);
    if (id !== undefined) this.routes.learn(id, node);
  }

  /** Runs another node's request on a local connection and answers on that node's channel. */
  private serve(msg: Extract<ClusterMessage, { t: 'req' }>): void {
    const node = this.node!;
    const { n: to, rid } = msg;
    if (msg.action.kind === 'ask' && node.askLocal !== undefined) {
      // The latency-bound call: the answer leaves from the client's reply's own read, no promise hop.
      const served = node.askLocal(msg.id, { ...msg.action, body: msg.body }, (err, r) => {
        if (err !== undefined) this.sendToNode(to, { t: 'fail', n: this.nodeId, rid, err: toWireError(err) });
        else this.sendToNode(to, { t: 'res', n: this.nodeId, rid, reply: { ns: r!.namespace, room: r!.room, ev: r!.event, bin: r!.binary }, body: r!.body });
      });
      if (!served) this.sendToNode(to, { t: 'absent', n: this.nodeId, rid });
      return;
    }
    const action = (msg.action.kind === 'ask' ? { ...msg.action, body: msg.body } : msg.action) as RemoteAction;
    const running = node.perform(msg.id, action);
    if (running === undefined) {
      this.sendToNode(to, { t: 'absent', n: this.nodeId, rid });
      return;
    }
    running.then(
      (outcome) => {
        const r = outcome.reply;
        this.sendToNode(to, r === undefined ? { t: 'res', n: this.nodeId, rid, body: EMPTY } : { t: 'res', n: this.nodeId, rid, reply: { ns: r.namespace, room: r.room, ev: r.event, bin: r.binary }, body: r.body });
      },
      (err: unknown) => this.sendToNode(to, { t: 'fail', n: this.nodeId, rid, err: toWireError(err) }),
    );
  }

  // ---- liveness and outages ---------------------------------------------------------------------

  private tick(): void {
    const now = Date.now();
    // Node runs due timers before it reads its sockets: after a stall of this node's own loop, this
    // tick comes before the peers' heartbeats that arrived meanwhile. A tick late by `late` ms means
    // this node was deaf that long, not that its peers were silent.
    const late = now - this.lastTick - this.options.heartbeatInterval;
    this.lastTick = now;
    if (this.state !== 'attached' || !this.transport.isUp) return;
    if (late > 0) this.directory.excuse(late);
    this.send(this.broadcastChannel, this.presenceMessage('hb'));
    for (const gone of this.directory.expire(now)) {
      this.node!.logger.warn(`exchange: node ${gone} has not been heard from for ${this.options.nodeTimeout} ms; its connections no longer count; ${this.directory.size} peer(s)`);
      this.links?.forget(gone, 'the node expired');
      this.routes.forgetNode(gone);
      this.pending.nodeGone(gone);
    }
  }

  private onStatus(status: 'up' | 'down', cause?: Error): void {
    if (this.state !== 'attached') return;
    if (status === 'down') {
      this.reportOutage(cause ?? new Error('connection lost'));
      // Answers in flight are lost with the connection: fail now rather than at each timeout.
      this.pending.failAll(new ExchangeUnavailableError(this.outage));
      return;
    }
    if (this.outage !== undefined) this.node!.logger.log('exchange: broker connection restored; cross-node delivery resumes (messages published meanwhile are not replayed)');
    this.outage = undefined;
    this.directory.refreshAll();
    this.send(this.broadcastChannel, this.presenceMessage('hello'));
  }

  /** One log line per outage, not one per message. */
  private reportOutage(cause: Error): void {
    if (this.outage !== undefined) return;
    this.outage = cause;
    this.node!.logger.warn(`exchange: broker unreachable (${cause.message}); cross-node delivery is paused, local delivery goes on, cross-node calls fail fast`);
  }

  /** A publish went through: a failure logged without a status change (a blip) is over. */
  private readonly published = (): void => {
    if (this.outage === undefined || !this.transport.isUp) return;
    this.outage = undefined;
    this.node?.logger.log('exchange: publishing to the broker works again');
  };

  private refusal(): Error | undefined {
    if (this.state !== 'attached') return new ExchangeNotAttachedError(this.state);
    if (!this.transport.isUp) return new ExchangeUnavailableError(this.outage);
    return undefined;
  }

  private channelOf(nodeId: string): string {
    return `${this.options.prefix}.node.${nodeId}`;
  }

  /** A hello or heartbeat, with this node's link address and key when it has a link. */
  private presenceMessage(t: 'hello' | 'hb'): OutgoingClusterMessage {
    const link = this.links?.advert;
    return link === undefined ? { t, n: this.nodeId } : { t, n: this.nodeId, link };
  }

  /**
   * A message for one node: over its direct link when one is open and keeping up, else on its broker
   * channel. Encoded after FRAME_HEAD free bytes, so a link frame needs neither a copy nor a second write.
   */
  private sendToNode(node: string, msg: OutgoingClusterMessage, onError?: (err: Error) => void): void {
    const framed = this.encode(msg, onError, FRAME_HEAD);
    if (framed !== undefined) this.sendFramed(node, framed, onError);
  }

  private sendFramed(node: string, framed: Buffer, onError?: (err: Error) => void): void {
    if (this.links?.sendFramed(node, framed) === true) return;
    this.sendPayload(this.channelOf(node), framed.subarray(FRAME_HEAD), onError);
  }

  private send(channel: string, msg: OutgoingClusterMessage, onError?: (err: Error) => void): void {
    const payload = this.encode(msg, onError);
    if (payload !== undefined) this.sendPayload(channel, payload, onError);
  }

  private encode(msg: OutgoingClusterMessage, onError?: (err: Error) => void, headroom = 0): Buffer | undefined {
    try {
      return encodeClusterMessage(msg, headroom);
    } catch (err) {
      onError?.(err as Error);
      return undefined;
    }
  }

  private sendPayload(channel: string, payload: Buffer, onError?: (err: Error) => void): void {
    const wasUp = this.transport.isUp;
    this.transport.publish(channel, payload).then(this.published, (err: unknown) => {
      const error = err instanceof Error ? err : new Error(String(err));
      // Refused for its size: the broker is fine, only this message does not cross. Not an outage.
      if (error instanceof PayloadTooLargeError) this.drops.drop('too-large', `exchange: ${error.message}`);
      // Refused while down but handled once the broker is back (over NATS: the PONG that ends an outage
      // and a peer's hello read in one chunk): that outage was logged and is over, this is no new one.
      else if (wasUp || !this.transport.isUp) this.reportOutage(error);
      onError?.(error);
    });
  }
}
