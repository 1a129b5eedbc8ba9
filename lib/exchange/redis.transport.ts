// ExchangeTransport over Redis pub/sub (ioredis). A node holds exactly two connections whatever its
// client count: one publisher (Redis refuses ordinary commands on a subscribed connection) and one
// subscriber carrying every channel of the node. Go neffos, by contrast, opens one per WebSocket
// connection (docs/protocol.md §5.4).
import { Redis, type RedisOptions } from 'ioredis';

import { BrokerUnavailableError, TransportClosedError } from './broker.errors.js';
import type { ExchangeTransport } from './exchange-transport.js';
import { type StatusListener, TransportStatusTracker } from './transport-status.js';

export interface RedisTransportOptions {
  /** `redis://host:port/db` (default `redis://127.0.0.1:6379`). Ignored when `client` is given. */
  url?: string;
  /** An ioredis client of the app: used to publish, duplicated to subscribe, never closed by us. */
  client?: Redis;
  /** CLIENT SETNAME of the connections we open (`<name>:pub`, `<name>:sub`), to spot them in CLIENT LIST. */
  connectionName?: string;
}

/**
 * How long ioredis' disconnect() waits for a socket to close before destroying it (its default: 2 s).
 * It waits on the socket's 'close' event, which a socket that never opened (a refused dial) has
 * already emitted: the timer then ran its whole 2 s and held the process that long after close().
 * We disconnect only a connection we give up on (never opened, or QUIT failed), so nothing is gained
 * by waiting.
 */
const DISCONNECT_TIMEOUT_MS = 0;

/** Reconnect quickly after a broker restart, backing off to 2 s while it stays away (ioredis' default goes to 5 s). */
function retryDelay(times: number): number {
  return Math.min(50 * 2 ** Math.min(times - 1, 6), 2000) + Math.floor(Math.random() * 50);
}

type Handler = (payload: Buffer) => void;

export class RedisTransport implements ExchangeTransport {
  private readonly status = new TransportStatusTracker();
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly ownsPub: boolean;
  private readonly handlers = new Map<string, Handler>();
  /** Channels the subscriber connection has confirmed since it last (re)connected. */
  private readonly active = new Set<string>();
  private pubReady: boolean;
  private everUp = false;
  private subReady = false;
  private closed = false;
  /** Resolves when both connections are ready the first time (subscribe waits for it, publish does not). */
  private readonly firstUp: Promise<void>;
  private resolveFirstUp!: () => void;
  private readonly detachPub: () => void;

  constructor(options: RedisTransportOptions = {}) {
    this.firstUp = new Promise((resolve) => (this.resolveFirstUp = resolve));
    const name = options.connectionName ?? 'neffos';
    // The subscriber keeps its commands across a reconnect (SUBSCRIBE issued while down is sent
    // when the broker is back); we re-subscribe ourselves so that 'up' means "subscriptions active".
    const subOverrides: Partial<RedisOptions> = {
      autoResubscribe: false,
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      lazyConnect: false,
      disconnectTimeout: DISCONNECT_TIMEOUT_MS,
    };
    if (options.client) {
      this.pub = options.client;
      this.ownsPub = false;
      // A client made with lazyConnect would wait for a first command that publish() never sends while down.
      if (options.client.status === 'wait') options.client.connect().catch(() => {});
      this.sub = options.client.duplicate(subOverrides);
    } else {
      const common: RedisOptions = { retryStrategy: retryDelay, lazyConnect: false, disconnectTimeout: DISCONNECT_TIMEOUT_MS };
      // The publisher fails fast: no offline queue, no resend of a command caught by a disconnect.
      this.pub = new Redis(options.url ?? 'redis://127.0.0.1:6379', {
        ...common,
        connectionName: `${name}:pub`,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        autoResendUnfulfilledCommands: false,
      });
      this.ownsPub = true;
      this.sub = this.pub.duplicate({ ...common, ...subOverrides, connectionName: `${name}:sub` });
    }
    this.pubReady = this.pub.status === 'ready';
    this.detachPub = this.watch(this.pub, (ready) => (this.pubReady = ready));
    this.watch(
      this.sub,
      (ready) => {
        this.subReady = ready;
        if (!ready) this.active.clear();
      },
      () => this.resubscribe(),
    );
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      this.handlers.get(channel.toString())?.(message);
    });
  }

  get isUp(): boolean {
    return this.status.isUp;
  }

  onStatus(listener: StatusListener): void {
    this.status.onStatus(listener);
  }

  publish(channel: string, payload: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new TransportClosedError('redis'));
    if (!this.status.isUp) return Promise.reject(new BrokerUnavailableError('redis', this.status.lastCause));
    const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    return this.pub.publish(channel, bytes).then(
      () => undefined,
      (err: unknown) => {
        throw new BrokerUnavailableError('redis', err instanceof Error ? err : undefined);
      },
    );
  }

  async subscribe(channel: string, handler: Handler): Promise<void> {
    if (this.closed) throw new TransportClosedError('redis');
    const isNew = !this.handlers.has(channel);
    this.handlers.set(channel, handler);
    if (!isNew) return;
    // Before the first connection the caller (the exchange at bootstrap) waits for the broker; during
    // a later outage the subscription is recorded and made when the subscriber is ready again.
    if (this.status.isUp || !this.everUp) {
      await this.firstUp;
      if (this.subReady && !this.active.has(channel) && this.handlers.has(channel)) {
        await this.sub.subscribe(channel);
        this.active.add(channel);
        // Unsubscribed while the SUBSCRIBE was in flight (unsubscribe() found nothing active to undo, e.g. a
        // goCompatible connection that closed at once): undo it now, or Redis keeps the channel until a reconnect.
        if (!this.handlers.has(channel) && this.subReady && this.active.delete(channel)) await this.sub.unsubscribe(channel);
      }
    }
  }

  async unsubscribe(channel: string): Promise<void> {
    if (!this.handlers.delete(channel) || this.closed) return;
    if (this.subReady && this.active.delete(channel)) await this.sub.unsubscribe(channel);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handlers.clear();
    this.detachPub();
    await Promise.all([quit(this.sub), this.ownsPub ? quit(this.pub) : Promise.resolve()]);
  }

  destroy(): void {
    if (!this.closed) {
      this.closed = true;
      this.handlers.clear();
      this.detachPub();
    }
    drop(this.sub);
    if (this.ownsPub) drop(this.pub);
  }

  /** Tracks one connection's readiness; returns a function removing the listeners (for a borrowed client). */
  private watch(conn: Redis, setReady: (ready: boolean) => void, beforeReady?: () => Promise<void>): () => void {
    let lastError: Error | undefined;
    const onError = (err: Error) => {
      lastError = err;
      // An initial connection failure counts as an outage too, so an unreachable broker is logged.
      if (!this.everUp) this.status.set('down', err);
    };
    const onReady = () => {
      lastError = undefined;
      void (async () => {
        try {
          await beforeReady?.();
        } catch (err) {
          // The connection dropped again while re-subscribing; its next 'ready' retries.
          lastError = err instanceof Error ? err : lastError;
          return;
        }
        if (this.closed) return;
        setReady(true);
        this.update();
      })();
    };
    const onClose = () => {
      setReady(false);
      if (!this.closed) this.update(lastError ?? new Error('connection closed'));
    };
    conn.on('error', onError);
    conn.on('ready', onReady);
    conn.on('close', onClose);
    return () => {
      conn.off('error', onError);
      conn.off('ready', onReady);
      conn.off('close', onClose);
    };
  }

  /** Subscribes every recorded channel, including those added while this runs. */
  private async resubscribe(): Promise<void> {
    for (;;) {
      const pending = [...this.handlers.keys()].filter((c) => !this.active.has(c));
      if (pending.length === 0) return;
      await this.sub.subscribe(...pending);
      for (const c of pending) this.active.add(c);
    }
  }

  private update(cause?: Error): void {
    if (this.pubReady && this.subReady) {
      this.everUp = true;
      this.status.set('up');
      this.resolveFirstUp();
    } else if (this.everUp) {
      this.status.set('down', cause);
    }
  }
}

/** QUIT when connected (waits for pending replies); otherwise drop the socket and stop reconnecting. */
/**
 * Closes a connection without waiting for the server: ioredis' disconnect() only ends the socket, which
 * then waits for a server that may never answer, and so do the commands in flight on it. Destroying the
 * socket rejects them (a QUIT among them: quit() then disconnects again, harmlessly).
 */
function drop(conn: Redis): void {
  conn.disconnect();
  conn.stream?.destroy();
}

async function quit(conn: Redis): Promise<void> {
  if (conn.status === 'ready') {
    try {
      await conn.quit();
      return;
    } catch {
      // fall through to a hard disconnect
    }
  }
  conn.disconnect();
}
