// An in-process bus: several engines in one process act as a cluster, for tests and for trying the
// cluster semantics without a broker. Delivery is asynchronous (setImmediate, FIFO), like a network
// hop, so code that only works when a publish is delivered synchronously fails here too.
import type { ExchangeTransport } from './exchange-transport.js';

type Handler = (payload: Buffer) => void;
type StatusListener = (status: 'up' | 'down', cause?: Error) => void;

/** The broker of the in-process bus; give the same bus to every node's MemoryTransport. */
export class MemoryBus {
  private readonly channels = new Map<string, Set<MemoryTransport>>();
  private readonly transports = new Set<MemoryTransport>();
  private _isUp = true;
  /** Bumped by each outage: what was in flight when it began is lost, as with a real broker. */
  private _epoch = 0;

  /** @internal */
  get epoch(): number {
    return this._epoch;
  }

  get isUp(): boolean {
    return this._isUp;
  }

  /** Simulates an outage: every transport reports 'down', publishes reject, nothing is delivered. */
  down(cause = new Error('memory bus stopped')): void {
    if (!this._isUp) return;
    this._isUp = false;
    this._epoch++;
    for (const t of this.transports) t.status('down', cause);
  }

  /** Ends the outage: every transport reports 'up'; subscriptions were kept, as brokers' clients resubscribe. */
  up(): void {
    if (this._isUp) return;
    this._isUp = true;
    for (const t of this.transports) t.status('up');
  }

  /** How many transports subscribe to `channel` (tests check that subscriptions do not grow per client). */
  subscriberCount(channel: string): number {
    return this.channels.get(channel)?.size ?? 0;
  }

  /** Channels with at least one subscriber. */
  channelNames(): string[] {
    return [...this.channels.keys()];
  }

  /** @internal */
  join(t: MemoryTransport): void {
    this.transports.add(t);
  }

  /** @internal */
  leave(t: MemoryTransport): void {
    this.transports.delete(t);
    for (const [name, set] of this.channels) if (set.delete(t) && set.size === 0) this.channels.delete(name);
  }

  /** @internal */
  addSubscriber(channel: string, t: MemoryTransport): void {
    let set = this.channels.get(channel);
    if (set === undefined) this.channels.set(channel, (set = new Set()));
    set.add(t);
  }

  /** @internal */
  removeSubscriber(channel: string, t: MemoryTransport): void {
    const set = this.channels.get(channel);
    if (set?.delete(t) && set.size === 0) this.channels.delete(channel);
  }

  /** @internal */
  route(channel: string, payload: Buffer): void {
    const set = this.channels.get(channel);
    if (set === undefined) return;
    for (const t of set) t.enqueue(channel, payload);
  }
}

/** One node's connection to a MemoryBus. */
export class MemoryTransport implements ExchangeTransport {
  private readonly handlers = new Map<string, Handler>();
  private readonly listeners: StatusListener[] = [];
  private closed = false;

  constructor(private readonly bus: MemoryBus) {
    bus.join(this);
  }

  get isUp(): boolean {
    return this.bus.isUp && !this.closed;
  }

  publish(channel: string, payload: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error('memory transport is closed'));
    if (!this.bus.isUp) return Promise.reject(new Error('memory bus is down'));
    // A copy, as a network hop makes one: the publisher may reuse its buffer.
    this.bus.route(channel, Buffer.from(payload));
    return Promise.resolve();
  }

  async subscribe(channel: string, handler: (payload: Buffer) => void): Promise<void> {
    if (this.closed) throw new Error('memory transport is closed');
    this.handlers.set(channel, handler);
    this.bus.addSubscriber(channel, this);
  }

  async unsubscribe(channel: string): Promise<void> {
    this.handlers.delete(channel);
    this.bus.removeSubscriber(channel, this);
  }

  onStatus(listener: StatusListener): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handlers.clear();
    this.bus.leave(this);
  }

  /** @internal */
  enqueue(channel: string, payload: Buffer): void {
    const epoch = this.bus.epoch;
    setImmediate(() => {
      // Dropped, not queued, across an outage or after unsubscribing: at-most-once, like the brokers.
      if (this.bus.epoch !== epoch || this.closed) return;
      this.handlers.get(channel)?.(payload);
    });
  }

  /** @internal */
  status(status: 'up' | 'down', cause?: Error): void {
    for (const l of this.listeners) l(status, cause);
  }
}
