// Builds a real Nest app serving NeffosModule for e2e tests: a fresh testing module per test, listening
// on an ephemeral port of 127.0.0.1 (Express or Fastify), with every client it dials tracked so that
// `closeAll()` closes them before `app.close()`. No fixed ports, no sleeps.
import 'reflect-metadata';
import type { DynamicModule, INestApplication, ModuleMetadata, Provider, Type } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { afterAll, afterEach, expect } from 'vitest';
import { NeffosModule, type NeffosModuleOptions } from '../../lib/index.js';
import { dial as dialTestClient, type DialOptions as TestDialOptions, type NeffosTestClient } from '../../lib/testing.js';
import { httpRequest, type HttpResult } from './http.js';
import { closeNeffos, dialNeffos, type ClientNamespaces, type DialOptions, type NeffosConn } from './neffos-client.js';
import { RawClient, type RawClientOptions } from './raw-client.js';
import { withTimeout } from './wait.js';

export type Platform = 'express' | 'fastify';

export interface NestAppOptions {
  /** Providers of the root testing module (controllers of neffos are providers). */
  providers?: Provider[];
  /** HTTP controllers. */
  controllers?: Type[];
  /** Extra imports beside the NeffosModule. */
  imports?: ModuleMetadata['imports'];
  /** Options of `NeffosModule.forRoot` (path defaults to `/echo`). Ignored when `neffosModule` is given. */
  neffos?: Partial<NeffosModuleOptions>;
  /** Another NeffosModule registration (e.g. `forRootAsync`), or `null` for none. */
  neffosModule?: DynamicModule | null;
  platform?: Platform;
  /** Runs after `createNestApplication`, before `listen` (global enhancers, ws adapters …). */
  configure?: (app: INestApplication) => void | Promise<void>;
  /** `false` builds the app without listening (the test calls init/listen itself). */
  listen?: boolean;
}

export interface NestApp {
  app: INestApplication;
  /** `http://127.0.0.1:<port>` (set once listening). */
  httpUrl: string;
  /** `ws://127.0.0.1:<port>` (set once listening). */
  wsBase: string;
  /** The neffos path: `options.neffos.path`, else `/echo` (with `neffosModule`, pass the path to `dial`/`raw`). */
  path: string;
  /** The neffos endpoint, `ws://127.0.0.1:<port><path>` (set once listening). */
  url: string;
  /** Dials neffos.js (always with `allowSynchronousEvents: false`) and tracks the connection; for tests where neffos.js is the point. */
  dial(handlers: ClientNamespaces, options?: DialOptions, path?: string): Promise<NeffosConn>;
  /** Dials the `nestjs-neffos/testing` client (the default for tests of the server) on `path`, closed before the app. */
  client(options?: TestDialOptions, path?: string): Promise<NeffosTestClient>;
  /** A raw `ws` client on `path` (the neffos path by default), closed before the app. */
  raw(options?: RawClientOptions, path?: string): Promise<RawClient>;
  /** A plain HTTP request on the app's server (no keep-alive, so no handle survives); `body` is sent as JSON. */
  http(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpResult>;
  /** Closes the clients, then the app. */
  close(): Promise<void>;
  /** `app.close()` with the clients still open (to observe what the server does to them). */
  closeApp(): Promise<void>;
}

const started: NestApp[] = [];

/** Registers an afterEach that closes every app built in the test (clients first). */
export function useNestApps(): void {
  afterEach(async () => {
    await closeAll();
  });
  afterAll(async () => {
    // Handles finish closing in the close phase of later loop turns (app.close() does not wait for
    // them); give the loop a bounded number of turns, then nothing of ours may be left.
    const tcp = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap');
    for (let turn = 0; turn < 100 && tcp().length > 0; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(tcp(), 'TCP sockets or servers left open after the apps closed').toEqual([]);
  });
}

export async function closeAll(): Promise<void> {
  const apps = started.splice(0);
  for (const app of apps.reverse()) await app.close();
}

export async function createNestApp(options: NestAppOptions = {}): Promise<NestApp> {
  const neffosModule =
    options.neffosModule === undefined ? NeffosModule.forRoot({ path: '/echo', ...options.neffos }) : options.neffosModule;
  const moduleRef = await Test.createTestingModule({
    imports: [...(neffosModule === null ? [] : [neffosModule]), ...(options.imports ?? [])],
    providers: options.providers ?? [],
    controllers: options.controllers ?? [],
  }).compile();
  const app: INestApplication =
    options.platform === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
      : moduleRef.createNestApplication({ logger: false });

  const clients = new Set<NeffosConn>();
  const testClients = new Set<NeffosTestClient>();
  const raws = new Set<RawClient>();
  let closed = false;
  let appClosed = false;

  const handle: NestApp = {
    app,
    httpUrl: '',
    wsBase: '',
    path: (options.neffos?.path as string | undefined) ?? '/echo',
    url: '',
    async dial(handlers, dialOptions = {}, dialPath = handle.path) {
      const conn = await dialNeffos(`${handle.wsBase}${dialPath}`, handlers, dialOptions);
      clients.add(conn);
      return conn;
    },
    async client(clientOptions = {}, clientPath = handle.path) {
      const client = await dialTestClient(`${handle.wsBase}${clientPath}`, clientOptions);
      testClients.add(client);
      return client;
    },
    async raw(rawOptions = {}, rawPath = handle.path) {
      const client = await RawClient.open(`${handle.wsBase}${rawPath}`, rawOptions);
      raws.add(client);
      return client;
    },
    http(method, reqPath, body, headers) {
      return httpRequest(`${handle.httpUrl}${reqPath}`, { method, body, headers });
    },
    async close() {
      if (closed) return;
      closed = true;
      const i = started.indexOf(handle);
      if (i >= 0) started.splice(i, 1);
      await Promise.allSettled([
        ...[...clients].map((c) => closeNeffos(c)),
        ...[...testClients].map((c) => c.close()),
        ...[...raws].map((c) => c.close()),
      ]);
      await handle.closeApp();
    },
    async closeApp() {
      if (appClosed) return;
      appClosed = true;
      await withTimeout(app.close(), 10_000, 'app.close()');
    },
  };
  started.push(handle);
  await options.configure?.(app);
  if (options.listen !== false) await listen(handle);
  return handle;
}

/** Listens on an ephemeral port of 127.0.0.1 and fills in the URLs (`url` on the app's neffos path). */
export async function listen(handle: NestApp): Promise<void> {
  await handle.app.listen(0, '127.0.0.1');
  const url = (await handle.app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  handle.httpUrl = url;
  handle.wsBase = url.replace(/^http/, 'ws');
  handle.url = `${handle.wsBase}${handle.path}`;
}
