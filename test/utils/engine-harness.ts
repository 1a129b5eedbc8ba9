// Starts a NeffosEngine on a real http.Server bound to 127.0.0.1 on a free port, tracks the clients a
// test opens, and stops everything in the right order: clients, then the engine, then the server.
//
//   const h = useEngineHarness();          // in a describe: stops the engine after each test
//   await h.start({ path: '/echo', namespaces: { default: { echo: (msg) => msg.body } } });
//   const client = await h.rawConnected();
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { NeffosEngine, type EngineOptions } from '../../lib/engine/index.js';
import { httpRequest, type HttpResult } from './http.js';
import { closeNeffos, dialNeffos, type ClientNamespaces, type DialOptions, type NeffosConn } from './neffos-client.js';
import { RawClient, type RawClientOptions } from './raw-client.js';
import { DEFAULT_WAIT_MS, withTimeout } from './wait.js';

export interface HarnessSetup {
  /** The server's own request handler (a plain HTTP app next to the engine). */
  requestListener?: RequestListener;
  /** Runs on the server before the engine attaches (e.g. another upgrade listener). */
  beforeAttach?(server: Server): void;
}

/** What one `start()` brought up; gone again after `stop()`. */
interface Running {
  readonly engine: NeffosEngine;
  readonly server: Server;
  readonly port: number;
  readonly path: string;
  readonly raws: Set<RawClient>;
  readonly dials: Set<NeffosConn>;
}

/**
 * One harness per describe block, started by each test that needs it and stopped after each test:
 * `h.engine`, `h.raw()` … are usable between `await h.start(…)` and the end of the test.
 */
export function useEngineHarness(): EngineHarness {
  const harness = new EngineHarness();
  afterEach(() => harness.stop());
  return harness;
}

export class EngineHarness {
  private running: Running | undefined;
  private stopping: Promise<void> | undefined;

  /** A harness started outside `useEngineHarness()` (e.g. in `beforeAll`); the caller stops it. */
  static start(options: EngineOptions, setup: HarnessSetup = {}): Promise<EngineHarness> {
    return new EngineHarness().start(options, setup);
  }

  /** Attaches an engine with `options` (no pings, errors swallowed unless `onError` is given) and listens. */
  async start(options: EngineOptions, setup: HarnessSetup = {}): Promise<this> {
    if (this.running !== undefined || this.stopping !== undefined) {
      throw new Error('the engine harness is already started: one engine per test (await h.stop() first)');
    }
    const server = setup.requestListener !== undefined ? createServer(setup.requestListener) : createServer();
    setup.beforeAttach?.(server);
    const engine = new NeffosEngine({ pingInterval: 0, onError: () => {}, ...options }).attach(server);
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      }),
      DEFAULT_WAIT_MS,
      'the http server to listen',
    );
    const { port } = server.address() as AddressInfo;
    this.running = { engine, server, port, path: options.path, raws: new Set(), dials: new Set() };
    return this;
  }

  get engine(): NeffosEngine {
    return this.live().engine;
  }

  get server(): Server {
    return this.live().server;
  }

  get port(): number {
    return this.live().port;
  }

  /** The engine's path. */
  get path(): string {
    return this.live().path;
  }

  /** `ws://127.0.0.1:<port><path>` (the engine's path by default). */
  wsUrl(path: string = this.path): string {
    return `ws://127.0.0.1:${this.port}${path}`;
  }

  /** A raw `ws` client, closed by `stop()`. */
  async raw(options: RawClientOptions = {}, path?: string): Promise<RawClient> {
    const { raws } = this.live();
    const client = await RawClient.open(this.wsUrl(path), options);
    raws.add(client);
    return client;
  }

  /** A raw client past the handshake (`M` → `A<id>`). */
  async rawReady(options: RawClientOptions = {}): Promise<{ client: RawClient; id: string }> {
    const client = await this.raw(options);
    const id = await client.handshake();
    return { client, id };
  }

  /** A raw client past the handshake and connected to `namespace`. */
  async rawConnected(namespace = 'default'): Promise<RawClient> {
    const { client } = await this.rawReady();
    await client.connectNamespace(namespace);
    return client;
  }

  /** A neffos.js client (always with `allowSynchronousEvents: false`), closed by `stop()`. */
  async dial(handlers: ClientNamespaces, options: DialOptions = {}, path?: string): Promise<NeffosConn> {
    const { dials } = this.live();
    const conn = await dialNeffos(this.wsUrl(path), handlers, options);
    dials.add(conn);
    return conn;
  }

  /** A plain HTTP request to this server (no keep-alive); `body` is sent as JSON. */
  http(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpResult> {
    return httpRequest(`http://127.0.0.1:${this.port}${path}`, { method, body, headers });
  }

  /** Closes every client, then the engine, then the HTTP server. Idempotent; the harness can start again. */
  stop(): Promise<void> {
    const running = this.running;
    if (running === undefined) return this.stopping ?? Promise.resolve();
    this.running = undefined;
    this.stopping = shutdown(running).finally(() => (this.stopping = undefined));
    return this.stopping;
  }

  private live(): Running {
    if (this.running === undefined) throw new Error('the engine harness is not started: await h.start(options) first');
    return this.running;
  }
}

async function shutdown({ engine, server, raws, dials }: Running): Promise<void> {
  await Promise.allSettled([...[...raws].map((c) => c.close()), ...[...dials].map((c) => closeNeffos(c))]);
  await withTimeout(engine.close(), 5_000, 'engine.close()');
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      server.close((err) => (err === undefined ? resolve() : reject(err)));
      server.closeAllConnections();
    }),
    DEFAULT_WAIT_MS,
    'the http server to close',
  );
}
