/** The servers and scenarios the benchmark knows, and the command-line/env options that select them. */
import type { ClientProtocol } from './bench.types.js';

export interface BenchServer {
  /** selector used by `--servers` / `BENCH_SERVERS` */
  name: string;
  /** row label in the tables */
  label: string;
  /** the server's entry point, relative to dist/bench/ */
  script: string;
  protocol: ClientProtocol;
  /** include in the idle-RSS-per-connection measurement */
  idleRss: boolean;
  /** extra environment for the server process */
  env?: Readonly<Record<string, string>>;
}

/**
 * Add a server here: write `servers/<name>.server.ts` with the server-harness (prints `listening <port>`,
 * answers `GET /__stats`, exits on SIGTERM) and list it.
 */
export const SERVERS: readonly BenchServer[] = [
  { name: 'raw-ws', label: 'raw ws (ceiling)', script: 'servers/raw-ws.server.js', protocol: 'neffos', idleRss: true },
  { name: 'engine', label: 'neffos engine', script: 'servers/engine.server.js', protocol: 'neffos', idleRss: true },
  // The engine with the per-connection rate limit off: what the limit's bookkeeping costs.
  {
    name: 'engine-unlimited',
    label: 'neffos engine, messageRate 0',
    script: 'servers/engine.server.js',
    protocol: 'neffos',
    idleRss: false,
    env: { BENCH_MESSAGE_RATE: '0' },
  },
  { name: 'nest-static', label: 'NeffosModule static', script: 'servers/nest-neffos.server.js', protocol: 'neffos', idleRss: true },
  {
    name: 'nest-scoped',
    label: 'NeffosModule per-conn',
    script: 'servers/nest-neffos.server.js',
    protocol: 'neffos',
    idleRss: true,
    env: { BENCH_NEFFOS_SCOPE: 'request' },
  },
  { name: 'platform-ws', label: 'nest platform-ws', script: 'servers/platform-ws.server.js', protocol: 'nest-json', idleRss: true },
];

/** Ratios in the table are relative to this server, per scenario. */
export const BASELINE_SERVER = 'raw-ws';

export interface Scenario {
  name: string;
  connections: number;
  /** requests outstanding per connection */
  depth: number;
}

export const SCENARIOS: readonly Scenario[] = [
  { name: 'c1', connections: 1, depth: 1 },
  { name: 'c10', connections: 10, depth: 1 },
  { name: 'c100', connections: 100, depth: 1 },
  { name: 'c100x16', connections: 100, depth: 16 },
];

export interface BenchOptions {
  servers: BenchServer[];
  scenarios: Scenario[];
  warmupMs: number;
  durationMs: number;
  payloadBytes: number;
  /** idle connections for the RSS measurement; 0 skips it */
  idleConnections: number;
  /** runs per server × scenario (fresh server each); the table shows the median run by round trips/s */
  runs: number;
  quick: boolean;
}

export const USAGE = `usage: npm run bench -- [--quick] [--servers a,b] [--scenarios a,b] [--runs N] [--no-idle]
  --quick          warmup 0.3 s, measure 1 s (default: warmup 1 s, measure 3 s)   env BENCH_QUICK=1
  --servers LIST   ${SERVERS.map((s) => s.name).join(',')}   env BENCH_SERVERS
  --scenarios LIST ${SCENARIOS.map((s) => s.name).join(',')}   env BENCH_SCENARIOS
  --runs N         repeat each server × scenario N times, report the median run   env BENCH_RUNS
  --no-idle        skip the idle RSS per connection measurement (1000 connections)`;

function pick<T extends { name: string }>(list: readonly T[], csv: string | undefined, what: string): T[] {
  if (!csv) return [...list];
  return csv.split(',').map((name) => {
    const found = list.find((item) => item.name === name.trim());
    if (!found) throw new Error(`unknown ${what} "${name}"; known: ${list.map((i) => i.name).join(', ')}`);
    return found;
  });
}

/** Flags win over env variables. Throws with a usage hint on anything unknown. */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  let quick = env.BENCH_QUICK === '1';
  let servers = env.BENCH_SERVERS;
  let scenarios = env.BENCH_SCENARIOS;
  let runs = env.BENCH_RUNS;
  let idle = true;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = (): string => inline ?? argv[++i] ?? '';
    if (flag === '--quick') quick = true;
    else if (flag === '--servers') servers = value();
    else if (flag === '--scenarios') scenarios = value();
    else if (flag === '--runs') runs = value();
    else if (flag === '--no-idle') idle = false;
    else throw new Error(`unknown argument "${argv[i]}"\n${USAGE}`);
  }
  const runCount = runs === undefined ? 1 : Number(runs);
  if (!Number.isInteger(runCount) || runCount < 1) throw new Error(`--runs needs a positive integer, got "${runs}"`);
  return {
    servers: pick(SERVERS, servers, 'server'),
    scenarios: pick(SCENARIOS, scenarios, 'scenario'),
    warmupMs: quick ? 300 : 1_000,
    durationMs: quick ? 1_000 : 3_000,
    payloadBytes: 32,
    idleConnections: idle ? 1_000 : 0,
    runs: runCount,
    quick,
  };
}
