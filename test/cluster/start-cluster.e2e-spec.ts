// `npm run start:cluster` as a user runs it: the package built (scripts/build.mjs, in a staged copy so
// the repository's dist/ is not touched) and scripts/start-cluster.mjs started, which starts a
// redis-server and two sample chat nodes over RedisExchange (ports from PORT_A / PORT_B / REDIS_PORT,
// free ones here instead of 3000, 3001 and 6390). Two neffos.js clients, one per node, see each other
// in the room's member list and chat; Ctrl-C (SIGINT) stops all three processes.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, run } from '../packaging/scratch-app.js';
import { canConnect, freePort } from '../../scripts/broker-process.mjs';
import { closeNeffos, dialNeffos, type NeffosConn, type NeffosMessage, type NeffosNSConn } from '../utils/neffos-client.js';
import { EventLog, withTimeout } from '../utils/wait.js';

const START_MS = 30_000;
const WAIT_MS = 10_000;

interface Members {
  room: string;
  members: string[];
}

/** A chat client of the sample on one node, logging the `members` and `chat` events it receives. */
async function chatter(port: number, nickname: string): Promise<{ conn: NeffosConn; ns: NeffosNSConn; got: EventLog<string> }> {
  const got = new EventLog<string>();
  const log = (_ns: NeffosNSConn, msg: NeffosMessage) => void got.push(`${msg.Event} ${String(msg.Body)}`);
  const conn = await dialNeffos(`ws://127.0.0.1:${port}/chat`, { default: { members: log, chat: log } }, { headers: { 'X-Nickname': nickname } }, WAIT_MS);
  const ns = await withTimeout(conn.connect('default'), WAIT_MS, `${nickname} to connect`);
  return { conn, ns, got };
}

describe('npm run start:cluster', () => {
  let work: string;
  let stage: string;
  let cluster: ChildProcess | undefined;
  let exited: Promise<number | null>;
  const lines = new EventLog<string>();
  const ports = { a: 0, b: 0, redis: 0 };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'start-cluster-'));
    stage = join(work, 'stage');
    await mkdir(join(stage, 'scripts'), { recursive: true });
    await cp(join(REPO, 'package.json'), join(stage, 'package.json'));
    for (const f of ['build.mjs', 'start-cluster.mjs', 'broker-process.mjs']) await cp(join(REPO, 'scripts', f), join(stage, 'scripts', f));
    for (const dir of ['lib', 'sample']) await cp(join(REPO, dir), join(stage, dir), { recursive: true });
    await symlink(join(REPO, 'node_modules'), join(stage, 'node_modules'), 'dir');
    await run('node', ['scripts/build.mjs'], stage, 120_000);
    ports.a = await freePort();
    ports.b = await freePort();
    ports.redis = await freePort();
    cluster = spawn(process.execPath, ['scripts/start-cluster.mjs'], {
      cwd: stage,
      env: { ...process.env, PORT_A: String(ports.a), PORT_B: String(ports.b), REDIS_PORT: String(ports.redis), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exited = new Promise((resolve) => cluster!.once('exit', (code) => resolve(code)));
    for (const stream of [cluster.stdout!, cluster.stderr!]) {
      let rest = '';
      stream.on('data', (chunk: Buffer) => {
        const parts = (rest + chunk.toString()).split('\n');
        rest = parts.pop()!;
        for (const line of parts) lines.push(line);
      });
    }
    for (const port of [ports.a, ports.b]) {
      await lines.waitFor((l) => l.startsWith(`[node :${port}] Chat sample listening`), `node :${port} to listen`, START_MS);
    }
  }, 150_000);

  afterAll(async () => {
    if (cluster !== undefined && cluster.exitCode === null && cluster.signalCode === null) {
      cluster.kill('SIGINT');
      await withTimeout(exited, 15_000, 'start:cluster to stop').catch(() => cluster!.kill('SIGKILL'));
    }
    await rm(work, { recursive: true, force: true });
  }, 30_000);

  it('is the build and then scripts/start-cluster.mjs', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['start:cluster']).toBe('node scripts/build.mjs && node scripts/start-cluster.mjs');
  });

  it('runs redis-server and two chat nodes over Redis: people on different nodes share a room, its member list and its chat', async () => {
    expect(lines.entries.some((l) => l.includes(`redis://127.0.0.1:${ports.redis}`))).toBe(true);
    const alice = await chatter(ports.a, 'alice');
    const bob = await chatter(ports.b, 'bob');
    try {
      await withTimeout(alice.ns.ask('join', 'general'), WAIT_MS, 'alice to join #general');
      const reply = await withTimeout(bob.ns.ask('join', 'general'), WAIT_MS, 'bob to join #general');
      // Bob's node lists alice, whom only the other node holds.
      expect((JSON.parse(String(reply.Body)) as Members).members).toEqual(['alice', 'bob']);
      await alice.got.waitFor((e) => e.startsWith('members ') && (JSON.parse(e.slice(8)) as Members).members.join() === 'alice,bob', 'alice to see bob in #general', WAIT_MS);
      alice.ns.room('general')!.emit('chat', 'hello from node a');
      await bob.got.waitFor((e) => e.startsWith('chat ') && e.includes('"from":"alice"') && e.includes('hello from node a'), 'bob to get alice\'s line', WAIT_MS);
    } finally {
      await closeNeffos(alice.conn);
      await closeNeffos(bob.conn);
    }
  });

  it('Ctrl-C stops both nodes and redis-server', async () => {
    cluster!.kill('SIGINT');
    expect(await withTimeout(exited, 15_000, 'start:cluster to stop')).toBe(0);
    expect(lines.entries).toContain('cluster stopped');
    for (const port of [ports.a, ports.b, ports.redis]) expect(await canConnect(port)).toBe(false);
  });
});
