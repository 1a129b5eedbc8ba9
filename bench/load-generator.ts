// The load generator: one process (pinned by the orchestrator), raw `ws` clients to 127.0.0.1 only.
// Usage: node dist/bench/load-generator.js '<GeneratorConfig JSON>'; prints one GeneratorResult JSON
// line on stdout and exits. Bounded in time: a hard deadline kills it if anything hangs.
import { get } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientProtocol, GeneratorConfig, IdleConfig, IdleResult, LoadConfig, LoadResult, ServerStats } from './bench.types.js';
import { makePayload, RoundTripRecorder, type BenchClient } from './clients/bench-client.js';
import { NeffosBenchClient } from './clients/neffos.client.js';
import { NestJsonBenchClient } from './clients/nest-json.client.js';
import { readMachineBusyUs } from './machine-cpu.js';

const CONNECT_BATCH = 100;
const DRAIN_TIMEOUT_MS = 2_000;
/** idle mode: connections opened (and kept) before the "before" snapshot, so one-time costs are excluded */
const IDLE_WARM_CONNECTIONS = 10;

function createClient(protocol: ClientProtocol, url: string, depth: number, payload: string, recorder: RoundTripRecorder): BenchClient {
  switch (protocol) {
    case 'neffos':
      return new NeffosBenchClient(url, depth, payload, recorder);
    case 'nest-json':
      return new NestJsonBenchClient(url, depth, payload, recorder);
  }
}

function fetchStats(statsUrl: string, gc = false): Promise<ServerStats> {
  const url = new URL(statsUrl);
  if (gc) url.searchParams.set('gc', '1');
  return new Promise((resolve, reject) => {
    get(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`GET ${url} -> ${res.statusCode}: ${body}`));
        else resolve(JSON.parse(body) as ServerStats);
      });
    }).on('error', reject);
  });
}

async function connectAll(clients: BenchClient[]): Promise<void> {
  for (let i = 0; i < clients.length; i += CONNECT_BATCH) {
    await Promise.all(clients.slice(i, i + CONNECT_BATCH).map((c) => c.connect()));
  }
}

async function runLoad(config: LoadConfig): Promise<LoadResult> {
  const recorder = new RoundTripRecorder();
  const payload = makePayload(config.payloadBytes);
  const clients = Array.from({ length: config.connections }, () =>
    createClient(config.protocol, config.url, config.depth, payload, recorder),
  );
  await connectAll(clients);
  for (const c of clients) c.start();
  await sleep(config.warmupMs);

  // Server snapshots bracket the client window (before ⊇ after), so server CPU is never undercounted.
  const serverBefore = await fetchStats(config.statsUrl);
  const cpu0 = process.cpuUsage();
  const machine0 = readMachineBusyUs();
  const t0 = process.hrtime.bigint();
  recorder.measuring = true;
  await sleep(config.durationMs);
  recorder.measuring = false;
  const t1 = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpu0);
  const machine1 = readMachineBusyUs();
  const serverAfter = await fetchStats(config.statsUrl);

  for (const c of clients) c.stop();
  const drainDeadline = Date.now() + DRAIN_TIMEOUT_MS;
  while (clients.some((c) => c.outstanding > 0) && Date.now() < drainDeadline) await sleep(10);
  for (const c of clients) c.close();

  const seconds = Number(t1 - t0) / 1e9;
  const h = recorder.histogram;
  return {
    mode: 'load',
    roundTrips: recorder.roundTrips,
    seconds,
    roundTripsPerSec: recorder.roundTrips / seconds,
    p50Ms: h.percentileMs(50),
    p99Ms: h.percentileMs(99),
    maxMs: h.maxMs(),
    errors: recorder.errors,
    generatorCpuUs: cpu.user + cpu.system,
    machineBusyUs: machine0 !== undefined && machine1 !== undefined ? machine1 - machine0 : undefined,
    serverBefore,
    serverAfter,
  };
}

async function runIdle(config: IdleConfig): Promise<IdleResult> {
  const recorder = new RoundTripRecorder();
  const make = (): BenchClient => createClient(config.protocol, config.url, 1, '', recorder);
  const warm = Array.from({ length: IDLE_WARM_CONNECTIONS }, make);
  await connectAll(warm);
  const serverBefore = await fetchStats(config.statsUrl, true);
  const clients = Array.from({ length: config.connections }, make);
  await connectAll(clients);
  await sleep(200); // let the server finish its per-connection work before the snapshot
  const serverAfter = await fetchStats(config.statsUrl, true);
  for (const c of [...warm, ...clients]) c.close();
  return { mode: 'idle', connections: config.connections, serverBefore, serverAfter };
}

const config = JSON.parse(process.argv[2] ?? '') as GeneratorConfig;
const deadlineMs = (config.mode === 'load' ? config.warmupMs + config.durationMs : 0) + 60_000;
setTimeout(() => {
  process.stderr.write(`load-generator: deadline of ${deadlineMs} ms exceeded\n`);
  process.exit(3);
}, deadlineMs).unref();

try {
  const result = config.mode === 'load' ? await runLoad(config) : await runIdle(config);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
} catch (err) {
  process.stderr.write(`load-generator: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
}
