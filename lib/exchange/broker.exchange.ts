// What RedisExchange and NatsExchange share: a StackExchange over one broker transport, either our own
// cluster protocol (default) or Go neffos' bus format (`goCompatible`), chosen once at construction.
import type {
  ExchangeEmit,
  ExchangeNode,
  PresenceAnswer,
  PresenceQuery,
  RemoteAction,
  RemoteOutcome,
  StackExchange,
} from '../engine/stack-exchange.js';
import { InvalidOptionError } from '../engine/engine.errors.js';
import { ClusterExchange, type ClusterExchangeOptions, resolveClusterOptions } from './cluster.exchange.js';
import type { ExchangeTransport } from './exchange-transport.js';
import type { GoBusLayout } from './go-compat.codec.js';
import { GoCompatExchange } from './go-compat.exchange.js';

export interface BrokerExchangeOptions extends ClusterExchangeOptions {
  /**
   * Join a cluster of Go neffos servers on the same broker, in Go's channel layout and frame format
   * (`prefix` = Go's channel/subject prefix). Between our own nodes everything keeps working; what
   * Go's StackExchange cannot carry does not reach Go nodes (see the README, "Joining a Go neffos cluster").
   */
  goCompatible?: boolean;
}

/**
 * Checks what would otherwise fail only after the broker connection is open: the subclasses call it
 * before they create their transport, so a refused option leaves no client reconnecting behind.
 */
export function checkBrokerOptions(options: BrokerExchangeOptions): void {
  const { goCompatible, ...cluster } = options;
  const { nodeLink } = resolveClusterOptions(cluster);
  if (goCompatible === true && nodeLink !== undefined) {
    // Go nodes neither advertise nor accept links, and this mode's point is to speak Go's bus exactly.
    throw new InvalidOptionError('exchange option nodeLink cannot be combined with goCompatible: Go neffos nodes have no direct links; switch nodeLink on once the last Go node is gone');
  }
}

export abstract class BrokerExchange implements StackExchange {
  private readonly inner: ClusterExchange | GoCompatExchange;
  /** Set only in Go-compatible mode, where every connection listens on its own channel. */
  readonly connectionOpened?: (connectionId: string) => void;
  readonly connectionClosed?: (connectionId: string) => void;

  protected constructor(
    private readonly transport: ExchangeTransport,
    options: BrokerExchangeOptions,
    layout: GoBusLayout,
  ) {
    const { goCompatible, ...rest } = options;
    if (goCompatible === true) {
      const go = new GoCompatExchange(transport, { ...rest, layout });
      this.inner = go;
      this.connectionOpened = (id) => go.connectionOpened(id);
      this.connectionClosed = (id) => go.connectionClosed(id);
    } else {
      this.inner = new ClusterExchange(transport, rest);
    }
  }

  /** This node's id in the cluster. */
  get nodeId(): string {
    return this.inner.nodeId;
  }

  /** Whether the broker connection is up right now. */
  get isUp(): boolean {
    return this.transport.isUp;
  }

  /**
   * Go-compatible mode: resolves when the channels of the connections opened so far are subscribed, so
   * a Go node's `To` reaches them, and those of the connections closed so far are unsubscribed.
   * Otherwise resolves at once (our own nodes route by node, not by channel).
   */
  subscriptionsSettled(): Promise<void> {
    return this.inner instanceof GoCompatExchange ? this.inner.settled() : Promise.resolve();
  }

  attach(node: ExchangeNode): Promise<void> {
    return this.inner.attach(node);
  }

  publish(msg: ExchangeEmit): void {
    this.inner.publish(msg);
  }

  request(connectionId: string, action: RemoteAction): Promise<RemoteOutcome> {
    return this.inner.request(connectionId, action);
  }

  query(query: PresenceQuery): Promise<PresenceAnswer[]> {
    return this.inner.query(query);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
