// Starts a NeffosEngine on a real http.Server bound to 127.0.0.1 on a free port, tracks the clients a
// test opens, and stops everything in the right order: clients, then the engine, then the server.
import { createServer, request, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NeffosEngine, type EngineOptions } from '../../lib/engine/index.js';
import { closeNeffos, dialNeffos, type ClientNamespaces, type DialOptions, type NeffosConn } from './neffos-client.js';
import { DEFAULT_WAIT_MS, RawClient, withTimeout, type RawClientOptions } from './raw-client.js';

export interface HarnessSetup {
  /** The server's own request handler (a plain HTTP app next to the engine). */
  requestListener?: RequestListener;
  /** Runs on the server before the engine attaches (e.g. another upgrade listener). */
  beforeAttach?(server: Server): void;
}

export class EngineHarness {
  private readonly raws = new Set<RawClient>();
  private readonly dials = new Set<NeffosConn>();
  private stopped: Promise<void> | undefined;

  private constructor(
    readonly engine: NeffosEngine,
    readonly server: Server,
    readonly port: number,
    readonly path: string,
  ) {}

  static async start(options: EngineOptions, setup: HarnessSetup = {}): Promise<EngineHarness> {
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
    return new EngineHarness(engine, server, port, options.path);
  }

  /** `ws://127.0.0.1:<port><path>` (the engine's path by default). */
  wsUrl(path: string = this.path): string {
    return `ws://127.0.0.1:${this.port}${path}`;
  }

  /** A raw `ws` client, closed by `stop()`. */
  async raw(options: RawClientOptions = {}, path?: string): Promise<RawClient> {
    const client = await RawClient.open(this.wsUrl(path), options);
    this.raws.add(client);
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
    const conn = await dialNeffos(this.wsUrl(path), handlers, options);
    this.dials.add(conn);
    return conn;
  }

  /** A plain HTTP request to this server (no keep-alive); resolves with status and headers. */
  http(method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
    return withTimeout(
      new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: this.port, path, method, headers, agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      }),
      DEFAULT_WAIT_MS,
      `HTTP ${method} ${path}`,
    );
  }

  /** Closes every client, then the engine, then the HTTP server. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    await Promise.allSettled([...[...this.raws].map((c) => c.close()), ...[...this.dials].map((c) => closeNeffos(c))]);
    await withTimeout(this.engine.close(), 5_000, 'engine.close()');
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        this.server.close((err) => (err === undefined ? resolve() : reject(err)));
        this.server.closeAllConnections();
      }),
      DEFAULT_WAIT_MS,
      'the http server to close',
    );
  }
}
