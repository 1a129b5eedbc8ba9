/** Whole-machine busy CPU time from /proc/stat (Linux), to show how much of a window others used. */
import { readFileSync } from 'node:fs';

const USER_HZ = 100;

/** Busy time of all cores since boot in µs (user+nice+system+irq+softirq+steal), or undefined off Linux. */
export function readMachineBusyUs(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0]!;
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    const ticks = user! + nice! + system! + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
    return Number.isFinite(ticks) ? (ticks * 1e6) / USER_HZ : undefined;
  } catch {
    return undefined;
  }
}
