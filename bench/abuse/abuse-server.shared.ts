// What both abuse servers (bare engine, Nest app) share: the handlers the attacks aim at, and the
// `GET /__abuse` report (peak RSS, heap, the event loop's worst delay since the last reset, frames
// handled) that the attacker polls. `POST /__abuse/close` starts a shutdown and prints `closed <ms>`.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export const ABUSE_PATH = '/__abuse';
export const CLOSE_PATH = '/__abuse/close';
export const AUTH_DELAY_HEADER = 'x-abuse-auth-delay';

export interface AbuseStats {
  rss: number;
  /** peak resident set size of the process so far, bytes */
  maxRss: number;
  heapUsed: number;
  /** the event loop's worst delay since the last `?reset=1`, ms */
  eldMaxMs: number;
  /**
   * the most CPU the main thread used between two ticks of a 10 ms timer since the last reset, ms: the
   * worst block as CPU, which a loaded machine preempting the server does not inflate (at least the
   * 10 ms of the tick itself when the server is saturated); undefined where Linux's schedstat is missing
   */
  loopCpuMaxMs?: number;
  /** the longest one socket read took to handle (ws parsing it and the engine's work on its frames) since the last reset, ms */
  worstReadMs: number;
  /** `echo` frames handled so far */
  handled: number;
  /** bytes the server has read from upgraded sockets (live and closed): how far it got through a flood */
  bytesRead: number;
}

let handled = 0;
const eld = monitorEventLoopDelay({ resolution: 10 });
eld.enable();
/** The worst delay seen before the histogram was last cleared of a forced GC's own pause. */
let carriedMaxMs = 0;

const upgraded = new Set<Duplex & { bytesRead?: number }>();
let closedBytesRead = 0;
let worstReadMs = 0;
let readStart = 0;

function onUpgradedClose(this: Duplex & { bytesRead?: number }): void {
  upgraded.delete(this);
  closedBytesRead += this.bytesRead ?? 0;
}

function markReadStart(): void {
  readStart = performance.now();
}

function markReadEnd(): void {
  worstReadMs = Math.max(worstReadMs, performance.now() - readStart);
}

/**
 * Counts what the server has read from every upgraded socket, so an attacker knows when its flood has
 * been consumed. A second upgrade listener only watches: the engine's still answers every upgrade.
 */
export function trackUpgradedSockets(server: Server): void {
  server.on('upgrade', (_req: IncomingMessage, socket: Duplex & { bytesRead?: number }) => {
    upgraded.add(socket);
    // The server's own 'data' listener (ws's) was added during the upgrade, before this one: these two
    // bracket it, so one read's synchronous handling is timed whole. Shared functions, not closures:
    // the idle attack measures memory per connection.
    socket.prependListener('data', markReadStart);
    socket.on('data', markReadEnd);
    // 'close' comes once: a shared listener, not a once() wrapper and a closure per socket.
    socket.on('close', onUpgradedClose);
  });
}

function bytesRead(): number {
  let sum = closedBytesRead;
  for (const s of upgraded) sum += s.bytesRead ?? 0;
  return sum;
}

/** `probe`: the neighbours' echo, not counted in `handled`. */
export function probe(body: Buffer): Buffer {
  return body;
}

/** `echo`: the reply is the body. */
export function echo(body: Buffer): Buffer {
  handled++;
  return body;
}

/** `sleep`: settles after `<ms>` of the body, or never for `forever` (a handler that never settles). */
export function hold(text: string): Promise<string> {
  if (text === 'forever') return new Promise<string>(() => {});
  return sleep(Number(text) || 0).then(() => 'slept');
}

/** `authorize`: waits as long as the attacker's header asks (a slow auth service). */
export async function authorize(req: IncomingMessage): Promise<boolean> {
  const delay = Number(req.headers[AUTH_DELAY_HEADER] ?? 0);
  if (delay > 0) await sleep(delay);
  return true;
}

const eldMaxMs = (): number => Math.max(carriedMaxMs, eld.max / 1e6);

/** Linux's scheduler statistics of the main thread: its first field is the CPU time it ran, in ns. */
const SCHEDSTAT = `/proc/${process.pid}/task/${process.pid}/schedstat`;
const LOOP_CPU_TICK_MS = 10;

function mainThreadCpuMs(): number | undefined {
  try {
    return Number.parseInt(readFileSync(SCHEDSTAT, 'latin1'), 10) / 1e6;
  } catch {
    return undefined;
  }
}

let lastCpuMs = mainThreadCpuMs();
let loopCpuMaxMs = 0;
let carriedCpuMaxMs = 0;
if (lastCpuMs !== undefined) {
  setInterval(() => {
    const now = mainThreadCpuMs()!;
    loopCpuMaxMs = Math.max(loopCpuMaxMs, now - lastCpuMs!);
    lastCpuMs = now;
  }, LOOP_CPU_TICK_MS).unref();
}
const loopCpuMax = (): number | undefined => (lastCpuMs === undefined ? undefined : Math.max(carriedCpuMaxMs, loopCpuMaxMs));

/**
 * The report. `?gc=1` collects garbage first, and keeps that collection's own pause out of the loop
 * delay (the histogram records it when its timer fires late, so it is cleared a little later).
 */
async function readAbuseStats(url: URL): Promise<AbuseStats> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (url.searchParams.get('gc') === '1' && gc) {
    const before = eldMaxMs();
    const beforeCpu = loopCpuMax() ?? 0;
    gc();
    gc();
    await sleep(40);
    eld.reset();
    carriedMaxMs = before;
    loopCpuMaxMs = 0;
    carriedCpuMaxMs = beforeCpu;
  }
  const mem = process.memoryUsage();
  const stats: AbuseStats = {
    rss: mem.rss,
    maxRss: process.resourceUsage().maxRSS * 1024,
    heapUsed: mem.heapUsed,
    eldMaxMs: eldMaxMs(),
    loopCpuMaxMs: loopCpuMax(),
    worstReadMs,
    handled,
    bytesRead: bytesRead(),
  };
  if (url.searchParams.get('reset') === '1') {
    eld.reset();
    carriedMaxMs = 0;
    loopCpuMaxMs = 0;
    carriedCpuMaxMs = 0;
    worstReadMs = 0;
  }
  return stats;
}

/** Answers the abuse endpoints; false for any other request. `close` runs the server's shutdown. */
export function handleAbuseRequest(req: IncomingMessage, res: ServerResponse, close: () => Promise<void>): boolean {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === CLOSE_PATH) {
    res.writeHead(202, { 'content-length': '0', connection: 'close' }).end();
    const started = performance.now();
    void close().then(
      () => process.stdout.write(`closed ${Math.round(performance.now() - started)}\n`),
      (err: unknown) => process.stdout.write(`close failed ${String(err)}\n`),
    );
    return true;
  }
  if (url.pathname !== ABUSE_PATH) return false;
  void readAbuseStats(url).then((stats) => {
    const body = JSON.stringify(stats);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  return true;
}
