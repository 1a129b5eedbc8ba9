// `npm run bench -- --abuse [--attacks a,b] [--targets engine,nest] [--abuse-scale 0.1]`: each attack of
// issue 8's table at full size against a fresh server process (pinned to core 0, the attacker and its
// healthy neighbours on core 1), loopback only. Prints peak RSS (from /proc, so a server that dies still
// has a figure), the server's worst event-loop delay and the neighbours' ask latency per attack.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { detectPinning, killByPid, runToExit, spawnNode, tailStderr, waitForListening } from '../bench-process.js';
import { ATTACKS } from './attacks.js';
import type { AttackerConfig, AttackerResult } from './attacker.js';
import type { NeighbourReport } from './neighbours.js';

const SERVER_CORE = 0;
const ATTACKER_CORE = 1;
const TARGETS: Record<string, string> = { engine: './abuse-engine.server.js', nest: './abuse-nest.server.js' };

export const ABUSE_USAGE = `usage: npm run bench -- --abuse [--attacks LIST] [--targets engine,nest] [--abuse-scale F] [--budget-s N]
  --attacks LIST    ${ATTACKS.map((a) => a.name).join(',')} (default: all)
  --targets LIST    engine (default), nest
  --abuse-scale F   multiply every count (default 1 = the issue's full size; 0.1 for a quick look)
  --budget-s N      seconds an attack may run before it stops waiting (default 120)`;

interface AbuseOptions {
  attacks: typeof ATTACKS[number][];
  targets: string[];
  scale: number;
  budgetMs: number;
}

function parse(argv: readonly string[]): AbuseOptions {
  const options: AbuseOptions = { attacks: [...ATTACKS], targets: ['engine'], scale: 1, budgetMs: 120_000 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = (): string => inline ?? argv[++i] ?? '';
    if (flag === '--abuse') continue;
    if (flag === '--attacks') {
      options.attacks = value().split(',').map((name) => {
        const found = ATTACKS.find((a) => a.name === name.trim());
        if (found === undefined) throw new Error(`unknown attack "${name}"\n${ABUSE_USAGE}`);
        return found;
      });
    } else if (flag === '--targets') {
      options.targets = value().split(',').map((t) => t.trim());
      for (const t of options.targets) if (!(t in TARGETS)) throw new Error(`unknown target "${t}"\n${ABUSE_USAGE}`);
    } else if (flag === '--abuse-scale') options.scale = Number(value());
    else if (flag === '--budget-s') options.budgetMs = Number(value()) * 1000;
    else throw new Error(`unknown argument "${argv[i]}"\n${ABUSE_USAGE}`);
  }
  if (!(options.scale > 0) || !(options.budgetMs > 0)) throw new Error(`--abuse-scale and --budget-s must be positive\n${ABUSE_USAGE}`);
  return options;
}

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

/** Peak RSS (VmHWM) of a live process in bytes, from /proc; undefined where there is no /proc. */
function peakRss(pid: number): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

interface Row {
  neighbours?: NeighbourReport;
  attack: string;
  target: string;
  size: string;
  peakRss?: number;
  result?: AttackerResult;
  serverDied?: string;
  closeMs?: number;
  error?: string;
}

/** Resolves with the first stdout line of `child` that `match` accepts. */
function lineOf(child: ReturnType<typeof spawnNode>, match: (line: string) => boolean, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no expected line within ${timeoutMs} ms`)), timeoutMs);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (!match(line)) return;
      clearTimeout(timer);
      lines.close();
      resolve(line);
    });
    child.once('exit', () => reject(new Error('exited before the expected line')));
  });
}

async function runOne(attack: typeof ATTACKS[number], target: string, options: AbuseOptions, pinned: boolean): Promise<Row> {
  const row: Row = { attack: attack.name, target, size: attack.size(options.scale) };
  const server = spawnNode(pinned ? SERVER_CORE : undefined, ['--expose-gc', here(TARGETS[target]!)], { ...process.env, BENCH_ORCHESTRATED: '1' });
  const serverStderr = tailStderr(server);
  let peak = 0;
  let killing = false;
  const sampler = setInterval(() => (peak = Math.max(peak, peakRss(server.pid!) ?? 0)), 100);
  server.once('exit', (code, signal) => {
    if (!killing) row.serverDied = `${signal ?? `exit ${code}`}: ${serverStderr().split('\n').filter(Boolean).slice(-2).join(' | ')}`;
  });
  let neighbours: ReturnType<typeof spawnNode> | undefined;
  try {
    const port = await waitForListening(server, 60_000, serverStderr);
    neighbours = spawnNode(pinned ? ATTACKER_CORE : undefined, [here('./neighbours.process.js'), String(port), '4', String(options.budgetMs + 90_000)]);
    await lineOf(neighbours, (l) => l === 'ready', 20_000);
    const report = lineOf(neighbours, (l) => l.startsWith('{'), options.budgetMs + 120_000);
    const config: AttackerConfig = { port, attack: attack.name, scale: options.scale, budgetMs: options.budgetMs };
    const attacker = spawnNode(pinned ? ATTACKER_CORE : undefined, [here('./attacker.js'), JSON.stringify(config)]);
    const attackerStderr = tailStderr(attacker);
    createInterface({ input: server.stdout! }).on('line', (line) => {
      const m = /^closed (\d+)$/.exec(line.trim());
      if (m === null) return;
      row.closeMs = Number(m[1]);
      attacker.stdin!.write('stop\n');
    });
    const { code, stdout } = await runToExit(attacker, options.budgetMs + 90_000);
    neighbours.stdin!.write('stop\n');
    row.neighbours = JSON.parse(await report) as NeighbourReport;
    if (code !== 0) throw new Error(`attacker exit ${code}: ${attackerStderr().split('\n').slice(-3).join(' | ')}`);
    row.result = JSON.parse(stdout.trim().split('\n').pop()!) as AttackerResult;
  } catch (err) {
    row.error = err instanceof Error ? err.message.split('\n')[0] : String(err);
  } finally {
    clearInterval(sampler);
    peak = Math.max(peak, peakRss(server.pid!) ?? 0);
    row.peakRss = peak > 0 ? peak : row.result?.maxRss;
    killing = true;
    if (neighbours !== undefined) await killByPid(neighbours);
    await killByPid(server);
  }
  return row;
}

const MiB = 1024 * 1024;
const ms = (v: number | undefined): string => (v === undefined ? '—' : v.toFixed(v < 10 ? 1 : 0));

function table(rows: Row[]): string {
  const header = ['attack', 'server', 'size', 'peak RSS MiB', 'loop max ms', 'loop max CPU ms', 'worst read ms', 'neighbour p99 ms', 'neighbour max ms', 'neighbour asks/s', 'outcome'];
  const lines = rows.map((r) => {
    // Shutdown closes the neighbours too: their figures say nothing there.
    const nb = r.attack === 'close-silent-tcp' ? undefined : r.neighbours;
    let outcome = r.error ?? r.result?.outcome ?? '';
    if (r.closeMs !== undefined) outcome = `close took ${(r.closeMs / 1000).toFixed(2)} s; ${outcome}`;
    if (r.serverDied !== undefined && r.attack !== 'close-silent-tcp') outcome = `SERVER DIED (${r.serverDied}); ${outcome}`;
    return [r.attack, r.target, r.size, r.peakRss ? (r.peakRss / MiB).toFixed(0) : '—', ms(r.result?.eldMaxMs), ms(r.result?.loopCpuMaxMs), ms(r.result?.worstReadMs), ms(nb?.p99Ms), ms(nb?.maxMs), nb ? nb.asksPerSec.toFixed(0) : '—', outcome];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

/** The issue's targets, one line each, from the rows that measure them. */
function targets(rows: Row[]): string {
  const lines = ['issue 8 targets (wall-time figures depend on the machine\'s load; see the load averages above):'];
  for (const r of rows) {
    if (r.attack === 'idle') lines.push(`  ${r.target} idle connections (target ≤ 8 KiB RSS each): ${r.result?.outcome ?? r.error ?? '?'}`);
    if (r.attack === 'nonreading-flood') lines.push(`  ${r.target} 48 non-reading flooders (target < 500 MiB peak RSS): ${r.peakRss ? `${(r.peakRss / MiB).toFixed(0)} MiB` : '?'}`);
  }
  const blocks = rows.filter((r) => r.attack !== 'close-silent-tcp' && r.result?.eldMaxMs !== undefined);
  if (blocks.length > 0) {
    const worst = blocks.reduce((a, b) => ((b.result!.eldMaxMs ?? 0) > (a.result!.eldMaxMs ?? 0) ? b : a));
    const worstRead = blocks.reduce((a, b) => ((b.result!.worstReadMs ?? 0) > (a.result!.worstReadMs ?? 0) ? b : a));
    const worstCpu = blocks.reduce((a, b) => ((b.result!.loopCpuMaxMs ?? 0) > (a.result!.loopCpuMaxMs ?? 0) ? b : a));
    lines.push(`  worst event-loop block (target ≤ 50 ms): ${ms(worst.result!.eldMaxMs)} ms wall (${worst.target} ${worst.attack}), ${ms(worstCpu.result!.loopCpuMaxMs)} ms CPU (${worstCpu.target} ${worstCpu.attack}); worst single read ${ms(worstRead.result!.worstReadMs)} ms (${worstRead.target} ${worstRead.attack})`);
  }
  return lines.join('\n');
}

export async function runAbuse(argv: readonly string[]): Promise<void> {
  const options = parse(argv);
  const pinning = detectPinning();
  console.log(`abuse bench: node ${process.version}; ${pinning.pinned ? 'server on core 0, attacker + 4 neighbours on core 1' : `pinning: NONE (${pinning.reason})`}; scale ${options.scale}; budget ${options.budgetMs / 1000} s per attack; load average ${loadavg()[0]!.toFixed(1)}`);
  const rows: Row[] = [];
  for (const target of options.targets) {
    for (const attack of options.attacks) {
      const started = performance.now();
      const row = await runOne(attack, target, options, pinning.pinned);
      rows.push(row);
      console.log(`  ${target} ${attack.name}: ${row.error ?? row.result?.outcome ?? ''} (${((performance.now() - started) / 1000).toFixed(0)} s, load average ${loadavg()[0]!.toFixed(1)})`);
    }
  }
  console.log('\nneighbours: 4 honest connections asking `echo` one at a time during the attack; "loop max" is the server\'s monitorEventLoopDelay max;');
  console.log('"loop max CPU" the most CPU the server\'s main thread used between two ticks of a 10 ms timer (a block, not inflated by a loaded machine preempting the server;');
  console.log('at least 10 ms while the server is saturated); "worst read" the longest the server took to handle one socket read (ws parsing it, the engine\'s work on its frames), wall time\n');
  console.log(table(rows));
  console.log(`\n${targets(rows)}`);
  if (rows.some((r) => r.error !== undefined)) process.exitCode = 1;
}
