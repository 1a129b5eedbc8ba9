// Direct node-to-node links (the exchange option `nodeLink`): the messages addressed to one node
// (a routed request, its answer, "not here", a presence answer) skip the broker and go over a TCP
// socket between the two nodes, which halves what a cross-node ask costs (the broker adds a hop
// each way). The broker stays in charge of everything else and is the fallback whenever there is no
// link: discovery, broadcasts, presence questions, liveness, and the messages of nodes without one.
//
// Discovery and auth ride on the broker: each node advertises `host:port` and a random key in its
// hello/heartbeat messages; a dialer must present the acceptor's key. Anyone who can read the broker
// can dial, which is the broker's own trust boundary. Between two nodes the one with the smaller node
// id dials (as soon as it hears of the other, and again after a loss), so two nodes never dial each
// other at once and hold one connection, which carries frames both ways.
import { randomBytes } from 'node:crypto';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { InvalidOptionError } from '../engine/engine.errors.js';
import type { NeffosLogger } from '../engine/stack-exchange.js';
import type { LinkAdvert } from './cluster-message.js';
import { type LinkAddress, formatLinkAddress, parseLinkAddress } from './node-link.codec.js';
import { NodeLinkConnection, type NodeLinkHooks, type NodeLinkSettings } from './node-link.connection.js';

/** Options of the direct node link (the exchange option `nodeLink`). */
export interface NodeLinkOptions {
  /** Interface to listen on. Default `127.0.0.1` (one machine); a private-network address across machines. */
  host?: string;
  /** Port to listen on; default 0 (any free port, advertised as it is bound). */
  port?: number;
  /** `host:port` the other nodes dial (behind NAT or when listening on `0.0.0.0`); default `host:<bound port>`. */
  advertise?: string;
}

export interface ResolvedNodeLinkOptions {
  host: string;
  port: number;
  advertise: string | undefined;
}

/** Bytes a link frame may have: a bigger payload goes through the broker, a peer announcing one is dropped. */
export const MAX_LINK_FRAME = 16 * 1024 * 1024;
/** Bytes queued on a link's socket above which messages to that node go through the broker instead. */
export const MAX_LINK_BACKLOG = 1024 * 1024;
/** A socket must authenticate within this long. */
export const LINK_HANDSHAKE_MS = 3_000;
/** Sockets still in their handshake at once; more are dropped unread. */
const MAX_HANDSHAKES = 64;
/** Retry delays after failed dials: 100 ms doubling to 5 s. */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;

const WILDCARD = new Set(['0.0.0.0', '::', '']);

export function resolveNodeLink(option: NodeLinkOptions | boolean | undefined): ResolvedNodeLinkOptions | undefined {
  if (option === undefined || option === false) return undefined;
  const o: NodeLinkOptions = option === true ? {} : option;
  if (typeof o !== 'object' || o === null) throw new InvalidOptionError(`exchange option nodeLink must be true or { host?, port?, advertise? }, got ${JSON.stringify(option)}`);
  const host = o.host ?? '127.0.0.1';
  if (typeof host !== 'string') throw new InvalidOptionError(`exchange option nodeLink.host must be an interface address, got ${JSON.stringify(host)}`);
  const port = o.port ?? 0;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new InvalidOptionError(`exchange option nodeLink.port must be 0-65535 (0: any free port), got ${JSON.stringify(port)}`);
  if (o.advertise !== undefined && (typeof o.advertise !== 'string' || parseLinkAddress(o.advertise) === undefined)) {
    throw new InvalidOptionError(`exchange option nodeLink.advertise must be "host:port" or "[v6]:port", got ${JSON.stringify(o.advertise)}`);
  }
  if (o.advertise === undefined && WILDCARD.has(host)) {
    throw new InvalidOptionError(`exchange option nodeLink.host ${JSON.stringify(host)} listens on every interface, which is no address to dial: set nodeLink.advertise to the "host:port" the other nodes reach this node at`);
  }
  return { host, port, advertise: o.advertise };
}

export interface NodeLinksHooks {
  /** A payload from a linked peer: the same bytes as on the broker. */
  payload(payload: Buffer, from: string): void;
  /** An open link to `node` closed: what was in flight on it may be lost. */
  lost(node: string, reason: string): void;
  /** A misbehaving socket (drop-log.ts: one line per kind per interval). */
  dropped(kind: string, line: string): void;
  logger(): NeffosLogger | undefined;
}

interface Peer {
  /** As advertised, to spot a change cheaply on each heartbeat. */
  at: string;
  keyText: string;
  address: LinkAddress;
  key: Buffer;
  /** Our dial in progress (we dial only peers whose id sorts after ours). */
  dialing: NodeLinkConnection | undefined;
  retry: NodeJS.Timeout | undefined;
  /** Consecutive failed dials; the first of a streak is logged, the end of one too. */
  failures: number;
}

export class NodeLinks {
  private server: Server | undefined;
  private readonly key = randomBytes(16);
  private ad: LinkAdvert | undefined;
  private readonly peers = new Map<string, Peer>();
  /** Open links by peer node id. */
  private readonly links = new Map<string, NodeLinkConnection>();
  /** Every socket, open or still in its handshake, to destroy on close. */
  private readonly sockets = new Set<NodeLinkConnection>();
  private handshakes = 0;
  private closed = false;
  private readonly hooks: NodeLinkHooks;

  constructor(
    private readonly options: ResolvedNodeLinkOptions,
    private readonly nodeId: string,
    private readonly events: NodeLinksHooks,
  ) {
    this.hooks = {
      opened: (link) => this.opened(link),
      frame: (payload, from) => this.events.payload(payload, from),
      closed: (link, wasOpen, reason) => this.closedLink(link, wasOpen, reason),
      dropped: (kind, line) => this.events.dropped(kind, line),
    };
  }

  /** What this node puts in its hello and heartbeats (set once listening). */
  get advert(): LinkAdvert | undefined {
    return this.ad;
  }

  /** Peers with an open link. */
  get linked(): string[] {
    return [...this.links.keys()];
  }

  /** Listens; rejects with an actionable error when the address is taken or not local. */
  async listen(): Promise<void> {
    const server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server = server;
    server.on('error', (err) => this.events.logger()?.error(`exchange: the direct-link server failed: ${err.message}`));
    const { host, port } = this.options;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(new InvalidOptionError(`exchange option nodeLink: cannot listen on ${formatLinkAddress(host, port)} (${err.message}); pick another port or interface`));
      server.once('error', onError);
      server.listen({ host, port }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    const bound = (server.address() as { port: number }).port;
    this.ad = { at: this.options.advertise ?? formatLinkAddress(host, bound), key: this.key.toString('base64url') };
  }

  /** A hello or heartbeat from `node`: remember its link address (or that it has none) and dial it if it is ours to dial. */
  peer(node: string, advert: LinkAdvert | undefined): void {
    if (this.closed) return;
    let peer = this.peers.get(node);
    if (advert === undefined) {
      if (peer !== undefined) this.forget(node, 'it no longer advertises a link');
      return;
    }
    if (peer === undefined || peer.at !== advert.at || peer.keyText !== advert.key) {
      const address = parseLinkAddress(advert.at);
      const key = Buffer.from(advert.key, 'base64url');
      if (address === undefined) return; // the codec checked it; a defensive no-op
      if (peer === undefined) {
        peer = { at: advert.at, keyText: advert.key, address, key, dialing: undefined, retry: undefined, failures: 0 };
        this.peers.set(node, peer);
      } else {
        Object.assign(peer, { at: advert.at, keyText: advert.key, address, key });
      }
    }
    if (this.dials(node) && !this.links.has(node) && peer.dialing === undefined && peer.retry === undefined) this.dial(node, peer);
  }

  /** `node` left or expired: drop its link and stop dialing it. */
  forget(node: string, reason = 'the node left'): void {
    const peer = this.peers.get(node);
    if (peer !== undefined) {
      this.peers.delete(node);
      clearTimeout(peer.retry);
      peer.dialing?.destroy(reason);
    }
    this.links.get(node)?.destroy(reason);
  }

  /**
   * Sends a payload encoded after FRAME_HEAD free bytes to `node` over its link; false when there is
   * none (or it is backed up): then the caller publishes `framed.subarray(FRAME_HEAD)` on the broker.
   */
  sendFramed(node: string, framed: Buffer): boolean {
    const link = this.links.get(node);
    return link !== undefined && link.sendFramed(framed);
  }

  /** @internal The socket of the open link to `node` (tests cut it to check the fallback). */
  socketOf(node: string): Socket | undefined {
    return this.links.get(node)?.socket;
  }

  /** Closes the server and every link; resolves when the server no longer listens. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const peer of this.peers.values()) clearTimeout(peer.retry);
    this.peers.clear();
    for (const link of this.sockets) link.destroy('this node is shutting down');
    this.links.clear();
    const server = this.server;
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private dials(node: string): boolean {
    return this.nodeId < node;
  }

  private settings(key: Buffer): NodeLinkSettings {
    return { nodeId: this.nodeId, key, maxFrame: MAX_LINK_FRAME, handshakeMs: LINK_HANDSHAKE_MS, maxBacklog: MAX_LINK_BACKLOG };
  }

  private dial(node: string, peer: Peer): void {
    const socket = connect({ host: peer.address.host, port: peer.address.port, noDelay: true });
    const link = new NodeLinkConnection(socket, 'dial', this.settings(peer.key), this.hooks, node);
    peer.dialing = link;
    this.sockets.add(link);
  }

  private accept(socket: Socket): void {
    if (this.closed || this.handshakes >= MAX_HANDSHAKES) {
      if (!this.closed) this.events.dropped('link-handshakes', `exchange: dropped a direct-link socket from ${socket.remoteAddress}: ${MAX_HANDSHAKES} sockets are already in their handshake`);
      socket.destroy();
      return;
    }
    this.handshakes++;
    this.sockets.add(new NodeLinkConnection(socket, 'accept', this.settings(this.key), this.hooks));
  }

  private opened(link: NodeLinkConnection): void {
    const node = link.peer!;
    if (link.role === 'accept') this.handshakes--;
    else {
      const peer = this.peers.get(node);
      if (peer?.dialing === link) {
        peer.dialing = undefined;
        if (peer.failures > 0) this.events.logger()?.log(`exchange: node ${node}'s direct link at ${peer.at} is reachable again`);
        peer.failures = 0;
      }
    }
    // A peer that dials again has given up on its previous socket (it may not have closed here yet).
    const previous = this.links.get(node);
    this.links.set(node, link);
    previous?.destroy('replaced by a new link from the same node');
    this.events.logger()?.log(`exchange: direct link to node ${node} is up (${link.role === 'dial' ? 'dialed' : 'accepted'}); messages addressed to it skip the broker`);
  }

  private closedLink(link: NodeLinkConnection, wasOpen: boolean, reason: string): void {
    this.sockets.delete(link);
    if (!wasOpen && link.role === 'accept') this.handshakes--;
    if (this.closed) return;
    const node = link.peer;
    if (node === undefined) return;
    if (wasOpen) {
      if (this.links.get(node) === link) this.links.delete(node);
      this.events.logger()?.log(`exchange: direct link to node ${node} closed (${reason}); messages to it go through the broker until it is back`);
      this.events.lost(node, reason);
    }
    if (link.role !== 'dial') return;
    const peer = this.peers.get(node);
    if (peer === undefined) return; // forgotten: the node left
    if (peer.dialing === link) {
      peer.dialing = undefined;
      if (peer.failures++ === 0) {
        this.events.logger()?.warn(`exchange: cannot open the direct link to node ${node} at ${peer.at} (${reason}); messages to it go through the broker; retrying with backoff`);
      }
    }
    if (this.links.has(node)) return;
    const delay = Math.min(RETRY_MIN_MS * 2 ** Math.min(peer.failures, 10), RETRY_MAX_MS);
    peer.retry = setTimeout(() => {
      peer.retry = undefined;
      if (!this.closed && this.peers.get(node) === peer && !this.links.has(node) && peer.dialing === undefined) this.dial(node, peer);
    }, delay);
    peer.retry.unref();
  }
}
