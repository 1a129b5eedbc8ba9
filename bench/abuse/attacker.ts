// The attacker process: one attack runs, and one JSON line reports what the attack got and the
// server's own figures. Usage: node attacker.js '<AttackerConfig JSON>'.
// Bounded: the attack stops waiting at its deadline and a hard timer exits the process after it.
import { get } from 'node:http';
import { createInterface } from 'node:readline';
import type { AbuseStats } from './abuse-server.shared.js';
import { ATTACKS } from './attacks.js';

export interface AttackerConfig {
  port: number;
  attack: string;
  scale: number;
  budgetMs: number;
}

export interface AttackerResult {
  outcome: string;
  /** the server's event loop's worst delay over the attack, ms (undefined if the server died) */
  eldMaxMs?: number;
  /** the most CPU the server's main thread ran between two 10 ms ticks, ms (see AbuseStats) */
  loopCpuMaxMs?: number;
  /** the longest one socket read took to handle on the server, ms */
  worstReadMs?: number;
  maxRss?: number;
  heapUsed?: number;
}

const config = JSON.parse(process.argv[2]!) as AttackerConfig;
setTimeout(() => {
  process.stderr.write('attacker: hard deadline\n');
  process.exit(3);
}, config.budgetMs + 60_000).unref();

/** Worst event-loop delay and socket read over every reading (an attack may reset the server's figures mid-way). */
let loopMax = 0;
let readMax = 0;
let loopCpuMax: number | undefined;

async function stats(options: { gc?: boolean; reset?: boolean } = {}): Promise<AbuseStats> {
  const s = await fetchStats(options);
  loopMax = Math.max(loopMax, s.eldMaxMs);
  readMax = Math.max(readMax, s.worstReadMs);
  if (s.loopCpuMaxMs !== undefined) loopCpuMax = Math.max(loopCpuMax ?? 0, s.loopCpuMaxMs);
  return s;
}

function fetchStats(options: { gc?: boolean; reset?: boolean }): Promise<AbuseStats> {
  const query = new URLSearchParams();
  if (options.gc) query.set('gc', '1');
  if (options.reset) query.set('reset', '1');
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port: config.port, path: `/__abuse?${query}`, agent: false, timeout: 30_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => {
        try {
          resolve(JSON.parse(body) as AbuseStats);
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    req.on('error', reject).on('timeout', () => req.destroy(new Error('stats timed out')));
  });
}

const stopSignal = new Promise<void>((resolve) => {
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === 'stop') resolve();
  });
});

const attack = ATTACKS.find((a) => a.name === config.attack);
if (attack === undefined) throw new Error(`unknown attack ${config.attack}`);

await fetchStats({ reset: true });
let outcome: string;
// The attack's own reports may time out on a frozen server; that is a finding, not a bench failure.
try {
  outcome = await attack.run({ port: config.port, scale: config.scale, deadline: Date.now() + config.budgetMs, stats, stopSignal });
} catch (err) {
  outcome = `attack failed: ${err instanceof Error ? err.message : String(err)}`;
}
const result: AttackerResult = { outcome };
if (config.attack !== 'close-silent-tcp') {
  const final = await Promise.race([stats(), new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000))]).catch(() => undefined);
  if (final !== undefined) Object.assign(result, { eldMaxMs: Math.max(loopMax, final.eldMaxMs), loopCpuMaxMs: final.loopCpuMaxMs === undefined ? loopCpuMax : Math.max(loopCpuMax ?? 0, final.loopCpuMaxMs), worstReadMs: Math.max(readMax, final.worstReadMs), maxRss: final.maxRss, heapUsed: final.heapUsed });
}
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
