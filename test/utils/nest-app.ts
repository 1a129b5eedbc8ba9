// Builds a real Nest app serving NeffosModule for e2e tests: a fresh testing module per test, listening
// on an ephemeral port of 127.0.0.1 (Express or Fastify), with every client it dials tracked so that
// `closeAll()` closes them before `app.close()`. No fixed ports, no sleeps.
import 'reflect-metadata';
import type { DynamicModule, INestApplication, ModuleMetadata, Provider, Type } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { request as httpRequest } from 'node:http';
import { afterAll, afterEach, expect } from 'vitest';
import { WebSocket } from 'ws';
import { NeffosModule, type NeffosModuleOptions } from '../../lib/index.js';
import { closeNeffos, dialNeffos, type ClientNamespaces, type DialOptions, type NeffosConn } from './neffos-client.js';
import { DEFAULT_WAIT_MS, withTimeout, type CloseInfo } from './raw-client.js';

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
  /** The neffos endpoint, `ws://127.0.0.1:<port>/echo` by default. */
  url: string;
  /** Dials neffos.js (always with `allowSynchronousEvents: false`) and tracks the connection. */
  dial(handlers: ClientNamespaces, options?: DialOptions, path?: string): Promise<NeffosConn>;
  /** Tracks a raw `ws` socket so it is closed before the app. */
  track(ws: WebSocket): WebSocket;
  /** A plain HTTP request on the app's server (no keep-alive, so no handle survives). */
  http(method: string, path: string, body?: unknown): Promise<{ status: number; text: string; json<T = unknown>(): T }>;
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
  const sockets = new Set<WebSocket>();
  let closed = false;
  let appClosed = false;
  const path = (options.neffos?.path as string | undefined) ?? '/echo';

  const handle: NestApp = {
    app,
    httpUrl: '',
    wsBase: '',
    url: '',
    async dial(handlers, dialOptions = {}, dialPath = path) {
      const conn = await dialNeffos(`${handle.wsBase}${dialPath}`, handlers, dialOptions);
      clients.add(conn);
      return conn;
    },
    track(ws) {
      sockets.add(ws);
      ws.on('error', () => {});
      return ws;
    },
    http(method, reqPath, body) {
      return httpCall(`${handle.httpUrl}${reqPath}`, method, body);
    },
    async close() {
      if (closed) return;
      closed = true;
      const i = started.indexOf(handle);
      if (i >= 0) started.splice(i, 1);
      await Promise.all([...clients].map((c) => closeNeffos(c)));
      await Promise.all([...sockets].map((ws) => closeRaw(ws)));
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

/** Listens on an ephemeral port of 127.0.0.1 and fills in the URLs. */
export async function listen(handle: NestApp): Promise<void> {
  await handle.app.listen(0, '127.0.0.1');
  const url = (await handle.app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  handle.httpUrl = url;
  handle.wsBase = url.replace(/^http/, 'ws');
  handle.url = `${handle.wsBase}/echo`;
}

function httpCall(url: string, method: string, body?: unknown): Promise<{ status: number; text: string; json<T = unknown>(): T }> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = httpRequest(
        url,
        {
          method,
          agent: false,
          headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, text, json: <T>() => JSON.parse(text) as T });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    }),
    DEFAULT_WAIT_MS * 2,
    `${method} ${url}`,
  );
}

async function closeRaw(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return;
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  if (ws.readyState === WebSocket.OPEN) ws.close();
  else ws.terminate();
  await withTimeout(closed, DEFAULT_WAIT_MS, 'a raw socket to close').catch(() => ws.terminate());
}

/** Opens a raw `ws` socket (no neffos handshake) to `url`; resolves once open. */
export function openRaw(url: string, headers?: Record<string, string>): Promise<WebSocket> {
  const ws = new WebSocket(url, { headers, perMessageDeflate: false, allowSynchronousEvents: false });
  ws.on('error', () => {});
  return withTimeout(
    new Promise<WebSocket>((resolve, reject) => {
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => {
        ws.terminate();
        reject(new Error(`upgrade refused with HTTP ${res.statusCode}`));
      });
      ws.once('close', (code) => reject(new Error(`closed before open (${code})`)));
      ws.once('error', reject);
    }),
    DEFAULT_WAIT_MS,
    `opening ${url}`,
    () => ws.terminate(),
  );
}

/** Resolves with the close code/reason of a raw socket. */
export function rawClosed(ws: WebSocket, ms = DEFAULT_WAIT_MS): Promise<CloseInfo> {
  return withTimeout(
    new Promise<CloseInfo>((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) resolve({ code: -1, reason: 'already closed' });
      else ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString('utf8') }));
    }),
    ms,
    'a raw socket to close',
  );
}

/** Resolves with the next message of a raw socket as text. */
export function rawNext(ws: WebSocket, ms = DEFAULT_WAIT_MS): Promise<string> {
  return withTimeout(
    new Promise<string>((resolve) => ws.once('message', (data: Buffer) => resolve(data.toString('utf8')))),
    ms,
    'a raw socket message',
  );
}
