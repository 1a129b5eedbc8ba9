// Boots a Nest testing module as an app listening on a free loopback port, for e2e tests of neffos
// controllers. `@nestjs/testing` is imported when this is called, not when `nestjs-neffos/testing` is
// loaded, so the test client also works in apps that use the bare engine and have no Nest.
import type { INestApplication, LoggerService, LogLevel, ModuleMetadata } from '@nestjs/common';
import type { TestingModuleBuilder } from '@nestjs/testing';
import type { NamespaceMap } from '../protocol/event-map.js';
import { dial, endpointUrl, type DialOptions } from './dial.js';
import type { NeffosTestClient } from './neffos-test-client.js';

export interface TestingAppOptions {
  /** Adjusts the testing module before it compiles: `(b) => b.overrideProvider(Users).useValue(fake)`. */
  configure?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
  /** An HTTP adapter instance, e.g. `new FastifyAdapter()`; default Express. */
  httpAdapter?: unknown;
  /** Runs after the app is created and before it listens: global pipes, guards, adapters. */
  beforeListen?: (app: INestApplication) => void | Promise<void>;
  /** Nest's logger setting for the app; default errors and warnings only. */
  logger?: LoggerService | LogLevel[] | false;
  /** The neffos endpoint path, when the app serves several. */
  path?: string;
}

export interface TestingApp<App extends INestApplication = INestApplication> {
  app: App;
  /** The `ws://127.0.0.1:<port><path>` of the neffos endpoint. */
  url: string;
  /** `dial(url)`, with the client closed by `close()` if the test has not closed it; `dial<App>()` types it (see `dial`). */
  dial<N extends NamespaceMap<N> = any, SN extends NamespaceMap<SN> = N>(options?: DialOptions): Promise<NeffosTestClient<N, SN>>;
  /** Closes every client dialed through `dial()`, then the app: no socket, timer or server left open. */
  close(): Promise<void>;
}

/**
 * Compiles `metadata` as a Nest testing module and listens on port 0 of 127.0.0.1.
 *
 * @example
 * ```ts
 * const testing = await createTestingApp({ imports: [NeffosModule.forRoot({ path: '/ws' })], providers: [ChatController] });
 * const client = await testing.dial();
 * const chat = await client.connect('chat');
 * await testing.close();
 * ```
 */
export async function createTestingApp<App extends INestApplication = INestApplication>(
  metadata: ModuleMetadata,
  options: TestingAppOptions = {},
): Promise<TestingApp<App>> {
  const { Test } = await import('@nestjs/testing');
  let builder = Test.createTestingModule(metadata);
  if (options.configure !== undefined) builder = options.configure(builder);
  const moduleRef = await builder.compile();
  const appOptions = { logger: options.logger ?? (['error', 'warn'] as LogLevel[]) };
  // Without an adapter the options go first: Nest takes a first argument that is no HTTP adapter for
  // the options, and would drop them in second place (the logger setting was ignored with Express).
  const app =
    options.httpAdapter === undefined
      ? moduleRef.createNestApplication<App>(appOptions)
      : moduleRef.createNestApplication<App>(options.httpAdapter as never, appOptions);
  const clients = new Set<NeffosTestClient>();
  let url: string;
  try {
    await options.beforeListen?.(app);
    await app.listen(0, '127.0.0.1');
    // Inside the try: an app without a (single) neffos endpoint is closed, not left listening.
    url = endpointUrl(app, options.path);
  } catch (err) {
    await app.close();
    throw err;
  }
  return {
    app,
    url,
    async dial<N extends NamespaceMap<N> = any, SN extends NamespaceMap<SN> = N>(dialOptions: DialOptions = {}): Promise<NeffosTestClient<N, SN>> {
      const client = await dial<N, SN>(url, dialOptions);
      clients.add(client);
      return client;
    },
    async close() {
      await Promise.all([...clients].map((c) => c.close()));
      clients.clear();
      await app.close();
    },
  };
}
