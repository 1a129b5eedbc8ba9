// What the soak specs assert on two measurements of the server, and the one line each prints so a
// run's figures can be compared with the last (heap growth per cycle after the warm-up).
import { expect } from 'vitest';
import type { Measurement } from './soak-child.js';

const KiB = 1024;

/** Heap growth from `warm` to `after`, and a line with the figures. */
export function report(name: string, warm: Measurement, after: Measurement, cycles: number): number {
  const growth = after.heap - warm.heap;
  console.log(
    `[soak] ${name}: heap ${(warm.heap / KiB).toFixed(0)} → ${(after.heap / KiB).toFixed(0)} KiB after ${cycles} cycles ` +
      `(${(growth / cycles).toFixed(1)} B/cycle); sizes ${JSON.stringify(after.sizes)}; reachable ${JSON.stringify(after.reachable)}`,
  );
  return growth;
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
