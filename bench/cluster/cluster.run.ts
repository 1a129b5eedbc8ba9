// `npm run bench -- --cluster [--quick] [--brokers redis,nats] [--subscribers 500]`: cross-node
// broadcast fan-out and cross-node asks over Redis and NATS, next to the single-node figures of the
// same run. See bench/README.md ("Cluster benchmark") for what each column means.
//
// Setup per row: fresh node processes (bench/cluster/cluster-node.server.ts, our engine), a fresh
// broker on a free loopback port, and this process as the load generator with raw `ws` clients.
// - broadcast: 1 publisher on node A emits `bcast`; node A broadcasts each message to the namespace.
//   Single node: 2×S subscribers on node A. Cluster: S on node A and S on node B (the same fan-out).
//   At most WINDOW messages are in flight (a message is done when all its copies arrived), so the
//   rate is what the setup sustains without queueing without bound. Lost = copies that never came.
// - ask: a driver on node A asks `askPeer` with a target id; node A asks that connection `ping`
//   (`engine.ask`, routed to node B over the broker when the target lives there) and replies with
//   the time that `engine.ask` took on node A. One target client sits on node A, one on node B (the
//   same client code, the same payload); local and cross-node asks alternate, one at a time, in the
//   same loop, so load on the machine hits both alike. The ratio of their p50s is the figure.
// - ask over the direct node link: the same on two more nodes with `nodeLink` on, so the request
//   and its answer go over a TCP socket between the nodes instead of through the broker.
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { killByPid, spawnNode, tailStderr, waitForListening } from '../bench-process.js';
import { ClusterBenchClient, type DeliverySink } from './cluster-client.js';
import { NeffosJsTarget } from './neffos-js-target.js';
import { topologyFloor, type FloorResult } from './topology-floor.js';

type BrokerKind = 'redis' | 'nats';
type BrokerModule = typeof import('../../scripts/broker-process.mjs');

interface Options {
  brokers: BrokerKind[];
  subscribers: number;
  messages: number;
  asks: number;
  /** Asks alternate this long before the measured ones (ms), as the single-node bench warms up. */
  warmupMs: number;
  broadcast: boolean;
}

const WINDOW = 4;
const STALL_MS = 5_000;
const STARTUP_TIMEOUT_MS = 20_000;
const ROOT = fileURLToPath(new URL('../../..', import.meta.url)); // dist/bench/cluster -> repo root
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

function parse(argv: string[]): Options {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const brokers = (value('brokers') ?? 'redis,nats').split(',').filter((b): b is BrokerKind => b === 'redis' || b === 'nats');
  return {
    brokers,
    subscribers: Number(value('subscribers') ?? 500),
    messages: quick ? 100 : 400,
    asks: Number(value('asks') ?? (quick ? 300 : 2000)),
    warmupMs: quick ? 300 : 1_000,
    broadcast: !argv.includes('--no-broadcast'),
  };
}

interface Node {
  child: ChildProcess;
  url: string;
}

async function startNode(env: Record<string, string>): Promise<Node> {
  const child = spawnNode(undefined, [here('./cluster-node.server.js')], { ...process.env, ...env, BENCH_ORCHESTRATED: '1' });
  const stderr = tailStderr(child);
  const port = await waitForListening(child, STARTUP_TIMEOUT_MS, stderr);
  return { child, url: `ws://127.0.0.1:${port}/echo` };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function connectAll(url: string, count: number, sink?: DeliverySink): Promise<ClusterBenchClient[]> {
  const clients: ClusterBenchClient[] = [];
  // In batches, so the nodes are not hit by hundreds of handshakes in one tick.
  for (let i = 0; i < count; i += 50) {
    const batch = Array.from({ length: Math.min(50, count - i) }, () => new ClusterBenchClient(url, sink));
    await Promise.all(batch.map((c) => c.connect()));
    clients.push(...batch);
  }
  return clients;
}

interface BroadcastResult {
  delivered: number;
  expected: number;
  lost: number;
  perSecond: number;
  p50: number;
  p99: number;
}

async function runBroadcast(publisherUrl: string, subscriberUrls: string[], perNode: number, messages: number): Promise<BroadcastResult> {
  const fanOut = perNode * subscriberUrls.length;
  const counts = new Uint32Array(messages);
  const latencies = new Float64Array(messages * fanOut);
  let delivered = 0;
  let completed = 0;
  let onProgress: () => void = () => {};
  const sink: DeliverySink = {
    delivered(seq, latencyUs) {
      if (seq >= messages) return;
      latencies[delivered++] = latencyUs;
      if (++counts[seq]! === fanOut) {
        completed++;
        onProgress();
      }
    },
  };
  const subscribers = (await Promise.all(subscriberUrls.map((url) => connectAll(url, perNode, sink)))).flat();
  const [publisher] = await connectAll(publisherUrl, 1);
  // One round trip through every node, so that all subscriptions are in place before we measure.
  await new Promise((r) => setTimeout(r, 300));
  const started = process.hrtime.bigint();
  let sent = 0;
  await new Promise<void>((resolve) => {
    let stall: NodeJS.Timeout | undefined;
    const pump = (): void => {
      clearTimeout(stall);
      while (sent < messages && sent - completed < WINDOW) {
        publisher!.send(`;default;;bcast;0;0;${sent}:${process.hrtime.bigint()}`);
        sent++;
      }
      if (completed >= messages) return resolve();
      stall = setTimeout(resolve, STALL_MS); // copies that never come: count them lost
    };
    onProgress = pump;
    pump();
  });
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  for (const c of [...subscribers, publisher!]) c.close();
  const sorted = latencies.subarray(0, delivered).sort();
  const expected = messages * fanOut;
  return { delivered, expected, lost: expected - delivered, perSecond: delivered / elapsedS, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

interface AskStats {
  p50: number;
  p99: number;
}

interface AskResult {
  /** `engine.ask` on node A, as node A timed it (µs). */
  server: AskStats;
  /** The driver's round trip: driver → A, A's ask, A → driver (µs). */
  client: AskStats;
  failed: number;
  /** CPU time per ask (µs) on node A and, for cross-node asks, node B; driver overhead included on A. */
  cpu?: { a: number; b?: number };
}

function stats(values: Float64Array): AskStats {
  const sorted = values.sort();
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/** Who answers the nodes' `ping` asks: the raw `ws` echo, or the real neffos.js client. */
type TargetKind = 'echo' | 'neffos.js';

interface AskTarget {
  readonly id: string;
  ask(event: string, body: string): Promise<string>;
  close(): void;
}

async function connectTarget(url: string, kind: TargetKind): Promise<AskTarget> {
  if (kind === 'echo') return (await connectAll(url, 1))[0]!;
  const target = new NeffosJsTarget(url);
  await target.connect();
  return target;
}

/**
 * Strict ping-pong asks from one driver on node A, alternating between a target on node A (local) and,
 * when given, one on node B (cross-node); the order within each pair alternates too.
 */
async function runAsks(nodeUrl: string, crossUrl: string | undefined, asks: number, warmupMs: number, kind: TargetKind = 'echo'): Promise<{ local: AskResult; cross?: AskResult }> {
  const [driver] = await connectAll(nodeUrl, 1);
  const localTarget = await connectTarget(nodeUrl, kind);
  const crossTarget = crossUrl === undefined ? undefined : await connectTarget(crossUrl, kind);
  const targets = crossTarget === undefined ? [localTarget] : [localTarget, crossTarget];
  const samples = targets.map(() => ({ server: new Float64Array(asks), client: new Float64Array(asks), failed: 0 }));
  const one = async (k: number, i: number): Promise<void> => {
    const t = process.hrtime.bigint();
    const s = samples[k]!;
    try {
      const ns = await driver!.ask('askPeer', targets[k]!.id);
      s.client[i] = Number(process.hrtime.bigint() - t) / 1000;
      s.server[i] = Number(ns) / 1000;
    } catch {
      s.failed++;
      s.client[i] = s.server[i] = Number(process.hrtime.bigint() - t) / 1000;
    }
  };
  // Warm-up by time, as the single-node bench does: fresh node processes run their ask paths in V8's
  // baseline tiers for the first thousands of asks, and the cross-node path (two processes, more code)
  // reaches optimized code later than the local one, so a short warm-up measured the JIT, not the path.
  const warmUntil = performance.now() + warmupMs;
  for (let i = 0; i < 50 || performance.now() < warmUntil; i++) for (let k = 0; k < targets.length; k++) await one(k, 0);
  for (const s of samples) s.failed = 0;
  for (let i = 0; i < asks; i++) {
    for (let j = 0; j < targets.length; j++) await one((i + j) % targets.length, i);
  }
  const results: AskResult[] = samples.map((s) => ({ server: stats(s.server), client: stats(s.client), failed: s.failed }));
  // CPU per ask: one kind at a time (these asks' latencies are not kept), each node's CPU time read
  // before and after by an ask of its own.
  const cpuOf = async (client: AskTarget): Promise<number> => Number(await client.ask('cpu', ''));
  for (let k = 0; k < targets.length; k++) {
    const cross = k === 1 ? crossTarget : undefined;
    const [a0, b0] = [await cpuOf(driver!), cross && (await cpuOf(cross))];
    for (let i = 0; i < asks; i++) await one(k, i);
    const [a1, b1] = [await cpuOf(driver!), cross && (await cpuOf(cross))];
    results[k]!.cpu = { a: (a1 - a0) / asks, ...(b0 !== undefined && b1 !== undefined ? { b: (b1 - b0) / asks } : {}) };
  }
  for (const c of [driver!, ...targets]) c.close();
  const [local, cross] = results;
  return { local: local!, cross };
}

/** Broker connections the nodes hold, counted by the broker (connection names carry the prefix). */
async function brokerConnections(kind: BrokerKind, port: number, monitorPort: number | undefined, prefix: string): Promise<number> {
  if (kind === 'redis') {
    const { Redis } = await import('ioredis');
    const admin = new Redis(`redis://127.0.0.1:${port}`);
    try {
      const list = (await admin.client('LIST')) as string;
      return list.split('\n').filter((l) => l.includes(` name=neffos:${prefix}:`)).length;
    } finally {
      admin.disconnect();
    }
  }
  const res = await fetch(`http://127.0.0.1:${monitorPort}/connz`);
  const connz = (await res.json()) as { connections: Array<{ name?: string }> };
  return connz.connections.filter((c) => c.name === `neffos:${prefix}`).length;
}

interface Row {
  setup: string;
  broadcast?: BroadcastResult;
  localAsk?: AskResult;
  crossAsk?: AskResult;
  /** The same loop on two nodes with the direct node link on. */
  linkLocalAsk?: AskResult;
  linkCrossAsk?: AskResult;
  /** The nodeLink pair again, with neffos.js answering the asks instead of the raw echo. */
  jsLocalAsk?: AskResult;
  jsCrossAsk?: AskResult;
  floor?: FloorResult;
  connectionsPerNode?: string;
  error?: string;
}

const f0 = (n: number | undefined): string => (n === undefined || Number.isNaN(n) ? '-' : Math.round(n).toLocaleString('en-US'));
const f2 = (n: number | undefined): string => (n === undefined || Number.isNaN(n) ? '-' : (n / 1000).toFixed(2));
const f3 = (n: number | undefined): string => (n === undefined || Number.isNaN(n) ? '-' : (n / 1000).toFixed(3));

function table(rows: Row[], subscribers: number): string {
  const head = ['setup', `broadcast msgs/s (${2 * subscribers} subs)`, 'bcast p50 ms', 'bcast p99 ms', 'lost', 'ask local p50/p99 ms', 'ask cross-node p50/p99 ms', 'ask cross-node over nodeLink p50/p99 ms', 'broker conns/node'];
  const body = rows.map((r) =>
    r.error
      ? [r.setup, `failed: ${r.error.split('\n', 1)[0]}`, '', '', '', '', '', '', '']
      : [
          r.setup,
          f0(r.broadcast?.perSecond),
          f2(r.broadcast?.p50),
          f2(r.broadcast?.p99),
          r.broadcast ? `${r.broadcast.lost}/${r.broadcast.expected}` : '-',
          r.localAsk ? `${f3(r.localAsk.server.p50)} / ${f2(r.localAsk.server.p99)}${r.localAsk.failed ? ` (${r.localAsk.failed} failed)` : ''}` : '-',
          r.crossAsk ? `${f3(r.crossAsk.server.p50)} / ${f2(r.crossAsk.server.p99)}${r.crossAsk.failed ? ` (${r.crossAsk.failed} failed)` : ''}` : '-',
          r.linkCrossAsk ? `${f3(r.linkCrossAsk.server.p50)} / ${f2(r.linkCrossAsk.server.p99)}${r.linkCrossAsk.failed ? ` (${r.linkCrossAsk.failed} failed)` : ''}` : '-',
          r.connectionsPerNode ?? '-',
        ],
  );
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

export async function runCluster(argv: string[]): Promise<void> {
  const options = parse(argv);
  const brokers = (await import(pathToFileURL(join(ROOT, 'scripts/broker-process.mjs')).href)) as BrokerModule;
  console.log(
    `cluster benchmark: ${options.messages} broadcasts × ${2 * options.subscribers} subscribers, ${options.asks} asks per target, one at a time, after ${options.warmupMs} ms of warm-up asks; ` +
      `nodes, brokers and this generator share the machine's ${cpus().length} cores (no pinning); load average ${loadavg()[0]!.toFixed(2)}\n`,
  );
  const rows: Row[] = [];

  // Single node: the baseline at the same fan-out, and a local ask.
  {
    const row: Row = { setup: 'single node' };
    let node: Node | undefined;
    try {
      node = await startNode({});
      if (options.broadcast) row.broadcast = await runBroadcast(node.url, [node.url], 2 * options.subscribers, options.messages);
      row.localAsk = (await runAsks(node.url, undefined, options.asks, options.warmupMs)).local;
    } catch (err) {
      row.error = err instanceof Error ? err.message : String(err);
    } finally {
      if (node) await killByPid(node.child);
    }
    rows.push(row);
  }

  for (const kind of options.brokers) {
    const row: Row = { setup: `2 nodes over ${kind}` };
    const prefix = `bench${Date.now() % 100000}`;
    const broker = await brokers.BrokerProcess.start(kind === 'redis' ? brokers.REDIS : brokers.NATS, { withMonitor: kind === 'nats' });
    const nodes: Node[] = [];
    try {
      const url = `${kind}://127.0.0.1:${broker.port}`;
      const env = { BENCH_BROKER: kind, BENCH_BROKER_URL: url, BENCH_PREFIX: prefix };
      nodes.push(await startNode(env), await startNode(env));
      const [a, b] = nodes as [Node, Node];
      if (options.broadcast) row.broadcast = await runBroadcast(a.url, [a.url, b.url], options.subscribers, options.messages);
      ({ local: row.localAsk, cross: row.crossAsk } = await runAsks(a.url, b.url, options.asks, options.warmupMs));
      const conns = await brokerConnections(kind, broker.port, broker.monitorPort, prefix);
      row.connectionsPerNode = `${conns / nodes.length} (${conns} for ${nodes.length} nodes, ${2 * options.subscribers + 2} clients)`;
      await Promise.all(nodes.splice(0).map((n) => killByPid(n.child)));
      const linkEnv = { ...env, BENCH_PREFIX: `${prefix}l`, BENCH_NODE_LINK: '1' };
      nodes.push(await startNode(linkEnv), await startNode(linkEnv));
      const [la, lb] = nodes as [Node, Node];
      ({ local: row.linkLocalAsk, cross: row.linkCrossAsk } = await runAsks(la.url, lb.url, options.asks, options.warmupMs));
      ({ local: row.jsLocalAsk, cross: row.jsCrossAsk } = await runAsks(la.url, lb.url, options.asks, options.warmupMs, 'neffos.js'));
      row.floor = await topologyFloor(kind, url, options.asks);
    } catch (err) {
      row.error = err instanceof Error ? err.message : String(err);
    } finally {
      await Promise.all(nodes.map((n) => killByPid(n.child)));
      await broker.stop();
    }
    rows.push(row);
  }

  console.log(table(rows, options.subscribers));
  const single = rows[0]?.broadcast;
  for (const row of rows.slice(1)) {
    if (!row.broadcast || !single) continue;
    const ratio = row.broadcast.perSecond / single.perSecond;
    console.log(`${row.setup}: broadcast ${(100 * ratio).toFixed(0)}% of the single-node rate (target ≥ 50%), lost ${row.broadcast.lost}`);
  }
  console.log('\nask p50, engine.ask on node A (local: target on A; cross-node: target on B), measured in the same loop:');
  const singleAsk = rows[0]?.localAsk;
  if (singleAsk) console.log(`  single node (no exchange): local ${f3(singleAsk.server.p50)} ms (driver round trip ${f3(singleAsk.client.p50)} ms)`);
  const cpuLine = (setup: string, local: AskResult, cross: AskResult): void => {
    if (!local.cpu || !cross.cpu) return;
    const crossTotal = cross.cpu.a + (cross.cpu.b ?? 0);
    console.log(
      `    CPU per ask (${setup}): local ${f0(local.cpu.a)} µs on A; cross-node ${f0(cross.cpu.a)} µs on A + ${f0(cross.cpu.b)} µs on B = ${f0(crossTotal)} µs, ` +
        `${(crossTotal / local.cpu.a).toFixed(2)}× (A's figures include its driver's askPeer; the target client's echo is not counted)`,
    );
  };
  for (const row of rows.slice(1)) {
    if (!row.localAsk || !row.crossAsk) continue;
    const { localAsk: l, crossAsk: c } = row;
    console.log(
      `  ${row.setup}: local ${f3(l.server.p50)} ms, cross-node ${f3(c.server.p50)} ms, ratio ${(c.server.p50 / l.server.p50).toFixed(2)}× (target ≤ 2×); ` +
        `driver round trip: local ${f3(l.client.p50)} ms, cross-node ${f3(c.client.p50)} ms, ratio ${(c.client.p50 / l.client.p50).toFixed(2)}×`,
    );
    cpuLine('broker', l, c);
    if (row.linkLocalAsk && row.linkCrossAsk) {
      const { linkLocalAsk: ll, linkCrossAsk: lc } = row;
      console.log(
        `  ${row.setup}, direct node link (nodeLink): local ${f3(ll.server.p50)} ms, cross-node ${f3(lc.server.p50)} ms, ratio ${(lc.server.p50 / ll.server.p50).toFixed(2)}× (target ≤ 2×); ` +
          `p99 ${f2(lc.server.p99)} ms${lc.failed ? ` (${lc.failed} failed)` : ''}; driver round trip: local ${f3(ll.client.p50)} ms, cross-node ${f3(lc.client.p50)} ms, ratio ${(lc.client.p50 / ll.client.p50).toFixed(2)}×`,
      );
      cpuLine('nodeLink', ll, lc);
    }
    if (row.jsLocalAsk && row.jsCrossAsk) {
      const { jsLocalAsk: jl, jsCrossAsk: jc } = row;
      console.log(
        `  ${row.setup}, nodeLink, neffos.js answering the asks (what a Node client runs) instead of the raw echo: local ${f3(jl.server.p50)} ms, ` +
          `cross-node ${f3(jc.server.p50)} ms, ratio ${(jc.server.p50 / jl.server.p50).toFixed(2)}×; p99 ${f2(jc.server.p99)} ms${jc.failed ? ` (${jc.failed} failed)` : ''}`,
      );
      cpuLine('nodeLink, neffos.js', jl, jc);
    }
    const floor = row.floor;
    if (floor !== undefined) {
      console.log(
        `    floor, the same processes and hops with no neffos code (bench/cluster/topology-floor.ts): local ${f3(floor.local)} ms, ` +
          `cross-node ${f3(floor.cross)} ms, ratio ${(floor.cross / floor.local).toFixed(2)}×; our cross-node ask is ${f3(c.server.p50 - floor.cross)} ms above it. ` +
          `Over a direct node-to-node socket instead of the broker: ${f3(floor.direct)} ms, ${(floor.direct / floor.local).toFixed(2)}× (WebSocket), ` +
          `${f3(floor.tcp)} ms, ${(floor.tcp / floor.local).toFixed(2)}× (plain TCP, as nodeLink)` +
          (row.linkCrossAsk ? `; our cross-node ask over nodeLink is ${f3(row.linkCrossAsk.server.p50 - floor.tcp)} ms above that` : ''),
      );
    }
  }
  console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
  if (rows.some((r) => r.error)) process.exitCode = 1;
}
