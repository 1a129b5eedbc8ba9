// Benchmark orchestrator (`npm run bench -- [--quick] [--servers a,b] [--scenarios a,b] [--no-idle]`):
// for each server × scenario, start a fresh server process pinned to core 0, run the load generator pinned
// to core 1, kill the server by PID, and print the tables. See bench/README.md for how to read them.
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BASELINE_SERVER, parseOptions, USAGE, type BenchOptions, type BenchServer } from './bench.config.js';
import { detectPinning, killByPid, runToExit, spawnNode, tailStderr, waitForListening, type Pinning } from './bench-process.js';
import type { GeneratorConfig, GeneratorResult, IdleResult, LoadResult } from './bench.types.js';
import { formatIdleTable, formatLoadTable, loadMetrics, type IdleRow, type LoadRow } from './report.js';

const SERVER_CORE = 0;
const GENERATOR_CORE = 1;
const STARTUP_TIMEOUT_MS = 20_000;
const GENERATOR_SLACK_MS = 60_000;

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

/** Starts `server`, runs one generator config against it, always kills the server. */
async function runAgainst(server: BenchServer, make: (port: number) => GeneratorConfig, pinning: Pinning): Promise<GeneratorResult> {
  const child = spawnNode(pinning.pinned ? SERVER_CORE : undefined, ['--expose-gc', here(server.script)], {
    ...process.env,
    ...server.env,
    BENCH_ORCHESTRATED: '1',
  });
  const serverStderr = tailStderr(child);
  try {
    const port = await waitForListening(child, STARTUP_TIMEOUT_MS, serverStderr);
    const config = make(port);
    const budget = (config.mode === 'load' ? config.warmupMs + config.durationMs : 0) + GENERATOR_SLACK_MS;
    const generator = spawnNode(pinning.pinned ? GENERATOR_CORE : undefined, [here('./load-generator.js'), JSON.stringify(config)]);
    const generatorStderr = tailStderr(generator);
    const { code, stdout } = await runToExit(generator, budget);
    if (code !== 0) throw new Error(`load generator exit ${code}\n${generatorStderr()}`);
    return JSON.parse(stdout.trim().split('\n').pop()!) as GeneratorResult;
  } finally {
    await killByPid(child);
  }
}

const urls = (port: number) => ({
  url: `ws://127.0.0.1:${port}/echo`,
  statsUrl: `http://127.0.0.1:${port}/__stats`,
});

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

async function main(options: BenchOptions): Promise<void> {
  const pinning = detectPinning();
  console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'}, ${cpus().length} cores`);
  console.log(
    pinning.pinned
      ? `pinning: servers on core ${SERVER_CORE}, load generator on core ${GENERATOR_CORE} (taskset)`
      : `pinning: NONE — ${pinning.reason}; server and generator share cores, numbers are noisier`,
  );
  console.log(
    `window: warmup ${options.warmupMs} ms, measure ${options.durationMs} ms${options.quick ? ' (--quick)' : ''}; ` +
      `payload ${options.payloadBytes} B; ${options.runs} run(s) each, median shown; load average ${loadavg()[0]!.toFixed(2)}\n`,
  );

  const loadRows: LoadRow[] = [];
  for (const scenario of options.scenarios) {
    const rows = options.servers.map((server): LoadRow => ({ server, scenario }));
    const results = rows.map((): LoadResult[] => []);
    // Runs go round-robin over the servers: a noisy stretch on a shared VM then spreads over all of
    // them instead of landing on one server's every run.
    for (let run = 1; run <= options.runs; run++) {
      for (const [i, row] of rows.entries()) {
        const { server } = row;
        const tag = `${server.name} ${scenario.name}${options.runs > 1 ? ` #${run}` : ''}`;
        try {
          const result = (await runAgainst(server, (port) => ({
            ...urls(port),
            mode: 'load',
            protocol: server.protocol,
            connections: scenario.connections,
            depth: scenario.depth,
            payloadBytes: options.payloadBytes,
            warmupMs: options.warmupMs,
            durationMs: options.durationMs,
          }), pinning)) as LoadResult;
          results[i]!.push(result);
          const m = loadMetrics(result);
          console.log(`  ${tag}: ${Math.round(m.roundTripsPerSec)} rt/s, p99 ${m.p99Ms.toFixed(3)} ms, ${m.serverCpuUsPerRt.toFixed(1)} cpu µs/rt, other cpu ${m.otherCpuPct.toFixed(0)}%`);
        } catch (err) {
          row.error = message(err);
          console.log(`  ${tag}: FAILED: ${row.error}`);
        }
      }
    }
    for (const [i, row] of rows.entries()) {
      const sorted = results[i]!.sort((a, b) => a.roundTripsPerSec - b.roundTripsPerSec);
      row.result = sorted[Math.floor((sorted.length - 1) / 2)];
      if (row.result) row.error = undefined;
      loadRows.push(row);
    }
  }

  const idleRows: IdleRow[] = [];
  if (options.idleConnections > 0) {
    for (const server of options.servers.filter((s) => s.idleRss)) {
      const row: IdleRow = { server };
      try {
        row.result = (await runAgainst(server, (port) => ({
          ...urls(port),
          mode: 'idle',
          protocol: server.protocol,
          connections: options.idleConnections,
        }), pinning)) as IdleResult;
        console.log(`  ${server.name} idle: ${row.result.connections} connections`);
      } catch (err) {
        row.error = message(err);
        console.log(`  ${server.name} idle: FAILED: ${row.error}`);
      }
      idleRows.push(row);
    }
  }

  console.log(`\nRound trips (ratios vs ${BASELINE_SERVER}, same scenario; scenario = connections×outstanding per connection)\n`);
  console.log(formatLoadTable(loadRows, BASELINE_SERVER));
  if (idleRows.length > 0) {
    console.log(`\nIdle memory: ${options.idleConnections} handshaken connections (neffos ones also connected to namespace "default")\n`);
    console.log(formatIdleTable(idleRows));
  }
  const failed = [...loadRows, ...idleRows].filter((r) => r.error);
  if (failed.length > 0) {
    console.log(`\n${failed.length} run(s) failed:`);
    for (const r of failed) console.log(`- ${r.server.name}${'scenario' in r ? ` ${r.scenario.name}` : ' idle'}: ${r.error!.split('\n', 1)[0]}`);
    process.exitCode = 1;
  }
}

if (process.argv.includes('--cluster')) {
  // Issue 10's scale-out figures (bench/cluster): cross-node broadcast and ask over Redis and NATS.
  const { runCluster } = await import('./cluster/cluster.run.js');
  try {
    await runCluster(process.argv.slice(2));
  } catch (err) {
    console.error(message(err));
    process.exit(2);
  }
  process.exit();
}

if (process.argv.includes('--abuse')) {
  // The attacks of issue 8 (bench/abuse): a separate mode with its own options and table.
  const { runAbuse } = await import('./abuse/abuse.run.js');
  try {
    await runAbuse(process.argv.slice(2));
  } catch (err) {
    console.error(message(err));
    process.exit(2);
  }
  process.exit();
}

let options: BenchOptions;
try {
  if (process.argv.includes('--help')) {
    console.log(USAGE);
    process.exit(0);
  }
  options = parseOptions(process.argv.slice(2), process.env);
} catch (err) {
  console.error(message(err));
  process.exit(2);
}
await main(options);
