// Joins a cluster of Go neffos servers on their own bus (docs/protocol.md §5.4), so an Iris shop can move one node
// at a time: emits travel on Go's channels in Go's frame format (a namespace channel per namespace, a
// channel per connection for `To`), while what Go's StackExchange cannot do at all (asks, remote
// joins/leaves/closes, presence) runs between our own nodes through a ClusterExchange on channels Go
// never touches (`<prefix>-nest.*`). Go nodes take no part in those: docs/protocol.md §5.5.
import type { ExchangeEmit, ExchangeNode, PresenceAnswer, PresenceQuery, RemoteAction, RemoteOutcome, StackExchange } from '../engine/stack-exchange.js';
import { ClusterExchange, type ClusterExchangeOptions } from './cluster.exchange.js';
import { DropLog } from './drop-log.js';
import type { ExchangeTransport } from './exchange-transport.js';
import { type GoBusLayout, decodeGoFrame, encodeGoFrame, goChannelNamer } from './go-compat.codec.js';

export interface GoCompatExchangeOptions extends Omit<ClusterExchangeOptions, 'prefix' | 'nodeLink'> {
  /** Go's channel prefix: the redis `channel` argument of Go's NewStackExchange, or the NATS `SubjectPrefix` (default `neffos`). */
  prefix?: string;
  /** Redis channels end with a dot, NATS subjects do not (Go's two StackExchanges differ there). */
  layout: GoBusLayout;
}

/** One NATS subject token that is no wildcard: what Go's `<prefix>.<connection id>` needs the id to be. */
const NATS_TOKEN = /^[^\s.*>]+$/;

export class GoCompatExchange implements StackExchange {
  /** Asks, remote actions and presence between our own nodes. */
  private readonly cluster: ClusterExchange;
  private readonly channel: (name: string) => string;
  private readonly layout: GoBusLayout;
  private readonly subscribed = new Set<string>();
  /** Subscriptions sent to the broker and not yet confirmed. */
  private readonly inflight = new Set<Promise<void>>();
  private node: ExchangeNode | undefined;
  /** Connections opened before attach() finished (an engine attached to a server already listening): subscribed once it has. */
  private early: Set<string> | undefined = new Set();
  private closed = false;
  private readonly drops = new DropLog(() => this.node?.logger);

  constructor(
    private readonly transport: ExchangeTransport,
    options: GoCompatExchangeOptions,
  ) {
    const prefix = options.prefix ?? 'neffos';
    const { layout, ...clusterOptions } = options;
    this.cluster = new ClusterExchange(transport, { ...clusterOptions, prefix: `${prefix}-nest` });
    this.channel = goChannelNamer(prefix, layout);
    this.layout = layout;
  }

  get nodeId(): string {
    return this.cluster.nodeId;
  }

  async attach(node: ExchangeNode): Promise<void> {
    await this.cluster.attach(node);
    this.node = node;
    const early = this.early ?? [];
    this.early = undefined;
    for (const id of early) this.connectionOpened(id);
    // Go subscribes a namespace channel per connected namespace; we hold one per served namespace.
    await Promise.all(node.namespaces.map((ns) => this.listen(this.channel(ns))));
  }

  publish(msg: ExchangeEmit): void {
    if (this.closed || this.node === undefined) return;
    const channel = this.channel(msg.to ?? msg.namespace);
    let payload: Buffer;
    try {
      payload = encodeGoFrame(this.nodeId, msg);
    } catch (err) {
      this.node.logger.warn(`exchange: could not encode an emit for the Go bus: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    // Failures while the broker is down are reported once by the cluster exchange's status handling.
    this.transport.publish(channel, payload).catch(() => {});
  }

  request(connectionId: string, action: RemoteAction): Promise<RemoteOutcome> {
    return this.cluster.request(connectionId, action);
  }

  query(query: PresenceQuery): Promise<PresenceAnswer[]> {
    return this.cluster.query(query);
  }

  /** Go routes `To` by a channel per connection id, so every connection here listens on its own. */
  connectionOpened(connectionId: string): void {
    if (this.closed) return;
    if (this.node === undefined) return void this.early?.add(connectionId);
    if (this.layout === 'nats' && !NATS_TOKEN.test(connectionId)) {
      // A subject built from `>` or `*` is a wildcard: this connection would receive the `To` messages
      // of every other connection. Ids can come from a client (an idGenerator reading a header).
      this.drops.drop('go-unroutable-id', `exchange: connection id ${JSON.stringify(connectionId)} cannot be a NATS subject token (whitespace, ".", "*" or ">"), so Go nodes cannot reach it with To; in goCompatible mode on NATS, idGenerator must avoid those characters`);
      return;
    }
    const listening = this.listen(this.channel(connectionId), connectionId);
    this.inflight.add(listening);
    void listening.finally(() => this.inflight.delete(listening));
  }

  /**
   * Resolves when every per-connection channel asked for so far is subscribed (Go nodes can reach
   * those connections), and the channels of the connections closed so far are unsubscribed.
   */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
  }

  connectionClosed(connectionId: string): void {
    if (this.early?.delete(connectionId)) return;
    const channel = this.channel(connectionId);
    if (!this.subscribed.delete(channel)) return;
    const leaving = this.transport.unsubscribe(channel).catch(() => {});
    this.inflight.add(leaving);
    void leaving.finally(() => this.inflight.delete(leaving));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.drops.close();
    const channels = [...this.subscribed];
    this.subscribed.clear();
    // Issued first, so a healthy broker gets them before the cluster's goodbye; waited for alongside it, so a
    // broker that hangs costs one grace (close-grace.ts), after which the cluster's close drops the connections.
    const unsubscribed = Promise.allSettled(channels.map((c) => this.transport.unsubscribe(c)));
    await Promise.all([unsubscribed, this.cluster.close()]);
  }

  private async listen(channel: string, to?: string): Promise<void> {
    if (this.subscribed.has(channel)) return;
    this.subscribed.add(channel);
    try {
      await this.transport.subscribe(channel, (payload) => this.onPayload(payload, to));
    } catch (err) {
      this.subscribed.delete(channel);
      this.node?.logger.warn(`exchange: could not subscribe to the Go bus channel "${channel}": ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private onPayload(payload: Buffer, to: string | undefined): void {
    const node = this.node;
    if (this.closed || node === undefined) return;
    const decoded = decodeGoFrame(payload);
    if (!decoded.ok) {
      this.drops.drop('go-frame', `exchange: dropped a ${payload.length}-byte message on the Go bus: ${decoded.reason}`);
      return;
    }
    const { msg, origin } = decoded;
    if (origin.nodeId === this.nodeId) return; // our own echo
    try {
      node.deliver({ namespace: msg.namespace, room: msg.room, event: msg.event, body: msg.body, binary: msg.isBinary, except: origin.except, to });
    } catch (err) {
      this.drops.drop('go-deliver-failure', `exchange: failed to deliver a message from the Go bus: ${err instanceof Error ? err.message : String(err)}`, 'error');
    }
  }
}
