// What every benchmark server process shares: the `GET /__stats` answer, the `listening <port>` line the
// orchestrator waits for, and shutdown on SIGTERM (or when the orchestrator's stdin pipe closes).
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerStats } from '../bench.types.js';

export const STATS_PATH = '/__stats';
/** A server never outlives a forgotten orchestrator by long. */
const MAX_LIFETIME_MS = 10 * 60_000;

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
}

export function readStats(gc: boolean): ServerStats {
  if (gc) collectGarbage();
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return {
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    hrtimeNs: process.hrtime.bigint().toString(),
  };
}

/** Answers `GET /__stats[?gc=1]`; returns false for any other request. Works for express req/res too. */
export function handleStatsRequest(req: IncomingMessage, res: ServerResponse): boolean {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname !== STATS_PATH) return false;
  const body = JSON.stringify(readStats(url.searchParams.get('gc') === '1'));
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
  return true;
}

/** A plain http request listener: stats, else 404. */
export function statsOnlyListener(req: IncomingMessage, res: ServerResponse): void {
  if (handleStatsRequest(req, res)) return;
  res.writeHead(404).end();
}

export function announceListening(server: Server): void {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
}

/**
 * Runs `close` once on SIGTERM/SIGINT, then exits. Under the orchestrator (`BENCH_ORCHESTRATED=1`) the
 * end of stdin (the orchestrator's pipe) counts as SIGTERM too, so a crashed orchestrator leaves no server.
 */
export function onShutdown(close: () => Promise<void> | void): void {
  let closing = false;
  const shutdown = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    const force = setTimeout(() => process.exit(0), 3_000);
    force.unref();
    try {
      await close();
    } finally {
      process.exit(0);
    }
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  if (process.env.BENCH_ORCHESTRATED === '1') process.stdin.on('end', shutdown).resume();
  setTimeout(shutdown, MAX_LIFETIME_MS).unref();
}
