// Tools for the hardening tests: raw masked frames written straight to a client's TCP socket (so a
// flood of a million frames is one Buffer, not a million ws sends holding client-side memory), the
// server-side view of a connection, event-loop delay, a neighbour's ask latency, and heap snapshots.
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { Conn, NeffosEngine } from '../../lib/engine/index.js';
import type { RawClient } from '../utils/raw-client.js';
import { withTimeout } from '../utils/wait.js';

/** One masked client frame (mask key 0, so the payload goes as it is); text unless `binary`. */
export function maskedFrame(payload: string | Buffer, binary = false): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const len = body.length;
  const header = len < 126 ? Buffer.from([binary ? 0x82 : 0x81, 0x80 | len]) : Buffer.from([binary ? 0x82 : 0x81, 0x80 | 126, len >> 8, len & 0xff]);
  if (len > 0xffff) throw new Error('maskedFrame: payload too big for this helper');
  return Buffer.concat([header, Buffer.alloc(4), body]);
}

/** `count` copies of one masked frame, as one Buffer. */
export function floodOf(payload: string | Buffer, count: number): Buffer {
  const one = maskedFrame(payload);
  const out = Buffer.allocUnsafe(one.length * count);
  for (let i = 0; i < count; i++) one.copy(out, i * one.length);
  return out;
}

/** The TCP socket under a raw client: write pre-encoded frames, or pause it to stop reading. */
export function tcpOf(client: RawClient): Socket {
  return (client.ws as WebSocket & { _socket: Socket })._socket;
}

/** The server-side Conn of a raw client, found by the id its handshake returned. */
export function serverConn(engine: NeffosEngine, id: string): Conn {
  const conn = engine.connection(id);
  if (conn === undefined) throw new Error(`no server connection with id ${id}`);
  return conn;
}

/** The server's WebSocket of a connection (a private field of Conn: tests look, never touch). */
export function serverWs(conn: Conn): WebSocket {
  return (conn as unknown as { socket: WebSocket }).socket;
}

/** The server's TCP socket of a connection. */
export function serverTcp(conn: Conn): Socket {
  return (serverWs(conn) as WebSocket & { _socket: Socket })._socket;
}

/**
 * Waits until `condition()` holds, checking on every loop turn (a condition wait, not a sleep: it
 * returns as soon as the state is reached, and fails after `ms`).
 */
export function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  let stop = false;
  const check = new Promise<void>((resolve) => {
    const tick = (): void => {
      if (stop) return;
      if (condition()) resolve();
      else setTimeout(tick, 5);
    };
    tick();
  });
  return withTimeout(check, ms, what, () => (stop = true));
}

/** Records the event loop's delay until `stop()`; returns the worst and p99 delay in ms. */
export function watchLoop(): { stop(): { maxMs: number; p99Ms: number } } {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  return {
    stop() {
      h.disable();
      return { maxMs: h.max / 1e6, p99Ms: h.percentile(99) / 1e6 };
    },
  };
}

/** Sends `echo` asks one after another until `done()`; returns every round trip in ms. */
export async function neighbourAsks(client: RawClient, done: () => boolean, max = 2_000, timeoutMs = 10_000): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < max && (times.length < 5 || !done()); i++) {
    const start = performance.now();
    await client.expectEcho('default', `n${i}`).catch((err: unknown) => {
      throw new Error(`neighbour ask ${i} failed: ${String(err)}`);
    });
    times.push(performance.now() - start);
    if (performance.now() - start > timeoutMs) break;
  }
  return times;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Heap plus ArrayBuffer memory after a full GC (the tests run with --expose-gc), in MiB. */
export function memoryMiB(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  // Without it the figures carry whatever garbage is lying around, and the budgets prove nothing.
  if (gc === undefined) throw new Error('run with --expose-gc (vitest.config.ts gives it to the workers)');
  gc();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / (1024 * 1024);
}

/** Linux's per-thread scheduler statistics of the main thread: its first field is the CPU time it ran, in ns. */
const MAIN_THREAD_SCHEDSTAT = `/proc/${process.pid}/task/${process.pid}/schedstat`;

/**
 * CPU ms the main thread has run, where Linux tells it (background threads left out: JIT compilation
 * and concurrent marking run beside the loop, not in it), else the whole process's.
 */
function mainThreadCpuMs(): () => number {
  try {
    readFileSync(MAIN_THREAD_SCHEDSTAT, 'latin1');
    return () => Number.parseInt(readFileSync(MAIN_THREAD_SCHEDSTAT, 'latin1'), 10) / 1e6;
  } catch {
    return () => {
      const used = process.cpuUsage();
      return (used.user + used.system) / 1000;
    };
  }
}

/** Loop turns after which every garbage collection before the call has reached `takeRecords()`. */
const GC_ENTRY_TURNS = 3;

/**
 * The 'gc' entries `observer` has not delivered yet, once every collection before this call has been
 * queued to it: Node makes a collection's entry in an immediate after it and hands it to observers in
 * the next one (two loop turns, whatever the machine's load), so this waits turns, not milliseconds.
 */
export async function pendingGcEntries(observer: PerformanceObserver): Promise<PerformanceEntry[]> {
  for (let turn = 0; turn < GC_ENTRY_TURNS; turn++) await new Promise((resolve) => setImmediate(resolve));
  return observer.takeRecords();
}

/**
 * Records the longest stretch the event loop ran between two of its turns (a setImmediate chain marks
 * every turn, check phase, until `stop()`), as CPU time of the main thread, so a loaded machine that
 * preempts the process does not count against the engine. The garbage collections' pauses within a
 * stretch are taken off it (a collection of the whole heap is no connection's work).
 */
export function watchTurns(): { stop(): Promise<{ maxCpuMs: number; gcMs: number }> } {
  /** Stretches over LONG_MS of CPU: the only ones the maximum can come from. */
  const LONG_MS = 2;
  const long: Array<{ start: number; end: number; cpuMs: number }> = [];
  const pauses: Array<{ start: number; end: number }> = [];
  const addPauses = (entries: PerformanceEntry[]): void => {
    for (const e of entries) pauses.push({ start: e.startTime, end: e.startTime + e.duration });
  };
  const observer = new PerformanceObserver((list) => addPauses(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  const cpuMs = mainThreadCpuMs();
  let cpu = cpuMs();
  let wall = performance.now();
  let stopped = false;
  const tick = (): void => {
    if (stopped) return;
    const nowCpu = cpuMs();
    const now = performance.now();
    if (nowCpu - cpu > LONG_MS) long.push({ start: wall, end: now, cpuMs: nowCpu - cpu });
    cpu = nowCpu;
    wall = now;
    setImmediate(tick);
  };
  setImmediate(tick);
  return {
    async stop() {
      stopped = true;
      addPauses(await pendingGcEntries(observer));
      observer.disconnect();
      let maxCpuMs = 0;
      let gcMs = 0;
      for (const r of long) {
        const paused = pauses.reduce((sum, p) => sum + Math.max(0, Math.min(p.end, r.end) - Math.max(p.start, r.start)), 0);
        if (r.cpuMs - paused > maxCpuMs) {
          maxCpuMs = r.cpuMs - paused;
          gcMs = paused;
        }
      }
      return { maxCpuMs, gcMs };
    },
  };
}
