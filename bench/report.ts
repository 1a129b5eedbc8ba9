/** Turns generator results into the printed tables (all derived numbers are computed here). */
import type { BenchServer, Scenario } from './bench.config.js';
import type { IdleResult, LoadResult, ServerStats } from './bench.types.js';

export interface LoadRow {
  server: BenchServer;
  scenario: Scenario;
  result?: LoadResult;
  error?: string;
}

export interface IdleRow {
  server: BenchServer;
  result?: IdleResult;
  error?: string;
}

const cpuUs = (s: ServerStats): number => s.cpuUserUs + s.cpuSystemUs;

export interface LoadMetrics {
  roundTripsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** server CPU time (user + system, all threads) per round trip */
  serverCpuUsPerRt: number;
  /** server CPU time / server wall time over the window: 100 = one core saturated */
  serverCpuPct: number;
  generatorCpuPct: number;
  /** machine CPU used by neither the server nor the generator (other processes, steal), % of one core */
  otherCpuPct: number;
  rssMiB: number;
  errors: number;
}

export function loadMetrics(r: LoadResult): LoadMetrics {
  const serverCpu = cpuUs(r.serverAfter) - cpuUs(r.serverBefore);
  const serverWallUs = Number(BigInt(r.serverAfter.hrtimeNs) - BigInt(r.serverBefore.hrtimeNs)) / 1000;
  const windowUs = r.seconds * 1e6;
  // the server snapshots bracket the client window, so scale server CPU to it before subtracting
  const other = r.machineBusyUs === undefined ? NaN : r.machineBusyUs - r.generatorCpuUs - serverCpu * (windowUs / serverWallUs);
  return {
    roundTripsPerSec: r.roundTripsPerSec,
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    serverCpuUsPerRt: r.roundTrips > 0 ? serverCpu / r.roundTrips : NaN,
    serverCpuPct: (serverCpu / serverWallUs) * 100,
    generatorCpuPct: (r.generatorCpuUs / windowUs) * 100,
    otherCpuPct: Math.max(0, (other / windowUs) * 100),
    rssMiB: r.serverAfter.rss / 2 ** 20,
    errors: r.errors,
  };
}

export function idleKiBPerConnection(r: IdleResult): { rss: number; heap: number } {
  return {
    rss: (r.serverAfter.rss - r.serverBefore.rss) / r.connections / 1024,
    heap: (r.serverAfter.heapUsed - r.serverBefore.heapUsed) / r.connections / 1024,
  };
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const fixed = (n: number, digits: number): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const ratio = (n: number, base: number | undefined): string =>
  base === undefined || !Number.isFinite(n) || !base ? '-' : `${(n / base).toFixed(2)}x`;

export function formatLoadTable(rows: readonly LoadRow[], baseline: string): string {
  const baseOf = new Map<string, LoadMetrics>();
  for (const row of rows) if (row.server.name === baseline && row.result) baseOf.set(row.scenario.name, loadMetrics(row.result));
  const header = ['server', 'scenario', 'rt/s', 'vs raw', 'p50 ms', 'p99 ms', 'cpu µs/rt', 'vs raw', 'srv cpu%', 'gen cpu%', 'other cpu%', 'rss MiB', 'errors'];
  const body = rows.map((row) => {
    const name = [row.server.label, `${row.scenario.name} (${row.scenario.connections}×${row.scenario.depth})`];
    if (!row.result) return [...name, 'failed', ...Array<string>(header.length - 3).fill('')];
    const m = loadMetrics(row.result);
    const base = baseOf.get(row.scenario.name);
    return [
      ...name,
      int(m.roundTripsPerSec),
      ratio(m.roundTripsPerSec, base?.roundTripsPerSec),
      fixed(m.p50Ms, 3),
      fixed(m.p99Ms, 3),
      fixed(m.serverCpuUsPerRt, 1),
      ratio(m.serverCpuUsPerRt, base?.serverCpuUsPerRt),
      fixed(m.serverCpuPct, 0),
      fixed(m.generatorCpuPct, 0),
      fixed(m.otherCpuPct, 0),
      fixed(m.rssMiB, 1),
      String(m.errors),
    ];
  });
  return table(header, body);
}

export function formatIdleTable(rows: readonly IdleRow[]): string {
  const header = ['server', 'connections', 'rss KiB/conn', 'heap KiB/conn', 'rss before MiB', 'rss after MiB'];
  const body = rows.map((row) => {
    if (!row.result) return [row.server.label, 'failed', '', '', '', ''];
    const r = row.result;
    const per = idleKiBPerConnection(r);
    return [
      row.server.label,
      String(r.connections),
      fixed(per.rss, 1),
      fixed(per.heap, 1),
      fixed(r.serverBefore.rss / 2 ** 20, 1),
      fixed(r.serverAfter.rss / 2 ** 20, 1),
    ];
  });
  return table(header, body);
}
