// ExchangeTransport over NATS core pub/sub (@nats-io/transport-node). One connection per node carries
// both directions whatever its client count (Go neffos opens one per WebSocket connection,
// docs/protocol.md §5.4). Subscriptions survive a reconnect: the client re-sends them.
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';

import { BrokerUnavailableError, PayloadTooLargeError, TransportClosedError } from './broker.errors.js';
import type { ExchangeTransport } from './exchange-transport.js';
import { type StatusListener, TransportStatusTracker } from './transport-status.js';

export interface NatsTransportOptions {
  /** `nats://host:port`, or several for a NATS cluster (default `nats://127.0.0.1:4222`). Ignored with `connection`. */
  servers?: string | string[];
  /** A connection of the app: used as is, never closed or drained by us. */
  connection?: NatsConnection;
  /** Client name shown in the server's /connz. */
  name?: string;
}

type Handler = (payload: Buffer) => void;

/** Between connection attempts, first or after a loss (nats.js reconnectTimeWait, plus up to the jitter). */
const RETRY_MS = 250;
const RETRY_JITTER_MS = 50;

export class NatsTransport implements ExchangeTransport {
  private readonly status = new TransportStatusTracker();
  private readonly subs = new Map<string, Subscription>();
  /** The handler each channel was last subscribed with; unsubscribe() removes it, even while subscribe() still waits. */
  private readonly wanted = new Map<string, Handler>();
  private readonly owned: boolean;
  private readonly ready: Promise<NatsConnection>;
  private nc: NatsConnection | undefined;
  private statusIterator: { stop(): void } | undefined;
  private closed = false;
  /** Resolves when close() or destroy() starts. */
  private readonly gone: Promise<void>;
  private markGone!: () => void;

  constructor(options: NatsTransportOptions = {}) {
    this.gone = new Promise((resolve) => (this.markGone = resolve));
    this.owned = !options.connection;
    this.ready = options.connection ? Promise.resolve(options.connection) : this.connectOwned(options);
    // Subscribe awaits `ready`; a node that never reaches its broker must not also crash on an unhandled rejection.
    this.ready.then((nc) => this.attach(nc), () => {});
  }

  get isUp(): boolean {
    return this.status.isUp;
  }

  onStatus(listener: StatusListener): void {
    this.status.onStatus(listener);
  }

  publish(channel: string, payload: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new TransportClosedError('nats'));
    // While disconnected nats.js would buffer publishes until the reconnect; we refuse instead.
    if (!this.status.isUp || !this.nc) return Promise.reject(new BrokerUnavailableError('nats', this.status.lastCause));
    // The server refuses a bigger message; nats.js would throw a plain error that reads like an outage.
    const max = this.nc.info?.max_payload;
    if (max !== undefined && payload.byteLength > max) return Promise.reject(new PayloadTooLargeError('nats', payload.byteLength, max));
    try {
      this.nc.publish(channel, payload);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async subscribe(channel: string, handler: Handler): Promise<void> {
    if (this.closed) throw new TransportClosedError('nats');
    this.wanted.set(channel, handler);
    const nc = await this.ready;
    // Unsubscribed (or subscribed again) while this waited: subscribing now would leave a subscription
    // nobody removes, still calling this handler.
    if (this.closed || this.wanted.get(channel) !== handler) return;
    this.subs.get(channel)?.unsubscribe();
    const sub = nc.subscribe(channel, {
      callback: (err, msg) => {
        if (err) return;
        const data = msg.data;
        handler(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      },
    });
    this.subs.set(channel, sub);
    // A round trip, so that publishes by other nodes after we resolve are delivered to us. While
    // down the client re-sends the subscription on reconnect; waiting for that could take forever.
    if (this.status.isUp) await nc.flush();
  }

  async unsubscribe(channel: string): Promise<void> {
    this.wanted.delete(channel);
    const sub = this.subs.get(channel);
    if (!sub) return;
    this.subs.delete(channel);
    sub.unsubscribe();
    // Resolves once the server has processed the UNSUB (a PING/PONG after it), as Redis' UNSUBSCRIBE reply does,
    // or once this transport closes: nats.js leaves a flush pending for ever when the connection is closed under it.
    if (this.status.isUp && this.nc !== undefined && !this.closed) await Promise.race([this.nc.flush().catch(() => {}), this.gone]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.markGone();
    this.statusIterator?.stop();
    const nc = this.nc;
    if (!nc || nc.isClosed()) return;
    if (!this.owned) {
      for (const sub of this.subs.values()) sub.unsubscribe();
      this.subs.clear();
      return;
    }
    this.subs.clear();
    // drain() flushes what we published; it needs the server, so a node shutting down during an outage just closes.
    if (this.status.isUp) await nc.drain().catch(() => nc.close());
    else await nc.close();
  }

  destroy(): void {
    if (!this.closed) {
      this.closed = true;
      this.markGone();
      this.statusIterator?.stop();
    }
    const nc = this.nc;
    if (nc === undefined || nc.isClosed()) return;
    if (this.owned) {
      // A drain() still waiting for the server fails now, and close() then runs again: harmless.
      nc.close().catch(() => {});
      return;
    }
    for (const sub of this.subs.values()) sub.unsubscribe();
    this.subs.clear();
  }

  /**
   * Connects, reporting a failed attempt as 'down' (so an unreachable broker is logged) and retrying
   * until close(). Our own loop rather than nats.js' waitOnFirstConnect: that one has no way to stop
   * before it connects, so a transport closed while its broker was unreachable kept dialing for ever,
   * and its timers kept the process from exiting.
   */
  private async connectOwned(options: NatsTransportOptions): Promise<NatsConnection> {
    const base = {
      servers: options.servers ?? 'nats://127.0.0.1:4222',
      name: options.name ?? 'nestjs-neffos',
      maxReconnectAttempts: -1,
      reconnectTimeWait: RETRY_MS,
      reconnectJitter: RETRY_JITTER_MS,
    };
    for (;;) {
      try {
        return await connect(base);
      } catch (err) {
        if (this.closed) throw new TransportClosedError('nats');
        this.status.set('down', err instanceof Error ? err : new Error(String(err)));
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([new Promise((resolve) => (timer = setTimeout(resolve, RETRY_MS + Math.random() * RETRY_JITTER_MS))), this.gone]);
      clearTimeout(timer);
      if (this.closed) throw new TransportClosedError('nats');
    }
  }

  private attach(nc: NatsConnection): void {
    if (this.closed) {
      if (this.owned) void nc.close();
      return;
    }
    this.nc = nc;
    const iterator = nc.status();
    // nats.js returns a QueuedIterator; stop() detaches it from a connection we borrowed and keep open.
    if ('stop' in iterator && typeof iterator.stop === 'function') this.statusIterator = iterator as { stop(): void };
    if (!nc.isClosed()) this.status.set('up');
    void (async () => {
      for await (const s of iterator) {
        if (this.closed) return;
        if (s.type === 'disconnect') this.status.set('down', new Error(`lost the connection to ${s.server}`));
        else if (s.type === 'reconnect') {
          // 'up' once the server has our re-sent subscriptions (a PING/PONG after them).
          await nc.flush().then(
            () => this.status.set('up'),
            () => {},
          );
        } else if (s.type === 'close') this.status.set('down', new Error('connection closed'));
      }
    })();
  }
}
