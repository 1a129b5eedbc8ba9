// What the soak specs assert on two measurements of the server, and the one line each prints so a
// run's figures can be compared with the last (heap growth per cycle after the warm-up).
import { expect } from 'vitest';
import type { Measurement } from './soak-child.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Cycles a spec runs: a few seconds' worth by default (CI), `SOAK_CYCLES` for a real soak run
 * (e.g. `SOAK_CYCLES=20000 npx vitest run test/soak`), where the heap bound below gets tight per cycle.
 */
export function soakCycles(ciDefault: number): number {
  const n = Number(process.env.SOAK_CYCLES ?? ciDefault);
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`SOAK_CYCLES must be a positive whole number, got ${process.env.SOAK_CYCLES}`);
  return n;
}

/** A test's timeout for `cycles` cycles (long runs take ~2-3 ms a cycle here, more on a loaded machine). */
export function soakTimeout(cycles: number): number {
  return Math.max(60_000, cycles * 10);
}

/**
 * Heap growth allowed after `cycles` cycles: what the warm-up leaves to settle (up to ~0.8 MiB measured,
 * whatever the run's length: 16,000 Nest cycles grew 8 B/cycle, 1,500 grew 479) plus 64 B per cycle.
 * A leak of 200 B per connection fails it from ~10,000 cycles on; shorter runs rely on the exact checks
 * (sizes, reachable objects), which catch whatever keeps a connection or an entry of a map.
 */
export function heapAllowance(cycles: number): number {
  return 1.25 * MiB + cycles * 64;
}

/** Heap growth from `warm` to `after`, and a line with the figures. */
export function report(name: string, warm: Measurement, after: Measurement, cycles: number): number {
  const growth = after.heap - warm.heap;
  console.log(
    `[soak] ${name}: heap ${(warm.heap / KiB).toFixed(0)} → ${(after.heap / KiB).toFixed(0)} KiB after ${cycles} cycles ` +
      `(${(growth / cycles).toFixed(1)} B/cycle); sizes ${JSON.stringify(after.sizes)}; reachable ${JSON.stringify(after.reachable)}`,
  );
  return growth;
}

/**
 * A cycle soak's measurements: before it, after `warmUp` cycles, and after `cycles` more; the growth is
 * counted from the warm-up (reported as `name`). `run(from, count)` runs cycles `from`… of the soak.
 */
export async function measureSoak(
  server: { measure(): Promise<Measurement> },
  name: string,
  warmUp: number,
  cycles: number,
  run: (from: number, count: number) => Promise<void>,
): Promise<{ baseline: Measurement; after: Measurement; growth: number }> {
  const baseline = await server.measure();
  await run(0, warmUp);
  const warm = await server.measure();
  await run(warmUp, cycles);
  const after = await server.measure();
  return { baseline, after, growth: report(name, warm, after, cycles) };
}

/** Every map of the engine (and exchange) back to its size before the run. */
export function expectSizesBack(baseline: Measurement, after: Measurement, keys = Object.keys(baseline.sizes)): void {
  expect(Object.fromEntries(keys.map((k) => [k, after.sizes[k]]))).toEqual(Object.fromEntries(keys.map((k) => [k, baseline.sizes[k]])));
}

/**
 * Objects of each kind still reachable after the run: none of the thousands made may stay (a few may
 * be held by a module's "last seen" field, or not yet finalized).
 */
export function expectReleased(after: Measurement, kinds: string[], made: number): void {
  for (const kind of kinds) {
    expect(after.reachable[kind], `${kind} still reachable of ${made} made`).toBeLessThan(20);
  }
}
