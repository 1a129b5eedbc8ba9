// The attacks of issue 8's table, each at full size (scaled by `--abuse-scale`). Each one runs in the
// attacker process against a fresh server and returns what happened to the attacker's connections;
// the orchestrator adds peak RSS, the event loop's worst delay and the neighbours' latency.
import { connect, type Socket } from 'node:net';
import { request } from 'node:http';
import { clientFrame, repeated, WireClient } from './wire.js';
import type { AbuseStats } from './abuse-server.shared.js';

export interface AttackContext {
  port: number;
  scale: number;
  /** ms since the epoch after which the attack must stop waiting */
  deadline: number;
  stats(options?: { gc?: boolean; reset?: boolean }): Promise<AbuseStats>;
  /** resolves when the orchestrator says the server finished closing (close attack only) */
  stopSignal: Promise<void>;
}

export interface Attack {
  name: string;
  /** what "full size" means, for the table */
  size(scale: number): string;
  /** which finding of the issue it reproduces */
  finding: string;
  run(ctx: AttackContext): Promise<string>;
}

const n = (count: number, scale: number): number => Math.max(1, Math.round(count * scale));
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const fmt = (count: number): string => count.toLocaleString('en-US');
const ONE_BYTE = clientFrame('x');
/** How long the close attack waits for the server's close to return (the issue saw 40 s and 90 s). */
const CLOSE_WAIT_MS = 45_000;

async function openMany(count: number, port: number, batch = 100): Promise<WireClient[]> {
  const clients: WireClient[] = [];
  for (let i = 0; i < count; i += batch) {
    clients.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - i) }, () => WireClient.ready(port)))));
  }
  return clients;
}

/** Sends `sleep <arg>` as an ask: the connection's next frames queue behind it. */
function holdFrame(arg: string): Buffer {
  return clientFrame(`$hold;default;;sleep;0;0;${arg}`);
}

const END = clientFrame('$end;default;;echo;0;0;end');
const isEnd = (f: { payload: Buffer }): boolean => f.payload.toString('latin1', 0, 5) === '$end;';

async function waitUntil(ctx: AttackContext, done: () => Promise<boolean> | boolean, everyMs = 250): Promise<boolean> {
  while (Date.now() < ctx.deadline) {
    if (await done()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return false;
}

/** Waits until the server has read `bytes` more than `base` from upgraded sockets (its flood is in). */
async function waitRead(ctx: AttackContext, base: number, bytes: number): Promise<boolean> {
  return waitUntil(ctx, async () => ((await ctx.stats().catch(() => undefined))?.bytesRead ?? 0) - base >= bytes, 500);
}

/** Polls until `value()` stops changing for `quietMs` (the server has chewed through what it got). */
async function waitQuiet(ctx: AttackContext, value: () => Promise<number>, quietMs = 1_500): Promise<boolean> {
  let last = Number.NaN;
  let since = Date.now();
  return waitUntil(ctx, async () => {
    const v = await value().catch(() => Number.NaN);
    if (v !== last) {
      last = v;
      since = Date.now();
      return false;
    }
    return Date.now() - since >= quietMs;
  }, 300);
}

function backlog(frames: number): Attack['run'] {
  return async (ctx) => {
    const count = n(frames, ctx.scale);
    const client = await WireClient.ready(ctx.port);
    const started = performance.now();
    const end = client.next(isEnd, ctx.deadline - Date.now());
    client.send(holdFrame('1000'));
    client.send(repeated(ONE_BYTE, count));
    client.send(END);
    try {
      await end;
      return `backlog of ${fmt(count)} frames drained, last reply after ${((performance.now() - started) / 1000).toFixed(1)} s`;
    } catch {
      return client.closeCode !== undefined ? `closed ${client.closeCode}` : 'no reply before the deadline';
    } finally {
      client.destroy();
    }
  };
}

export const ATTACKS: readonly Attack[] = [
  {
    name: 'nonreading-flood',
    finding: 'writeBufferHighWaterMark counts bytes only',
    size: (s) => `48 clients × ${fmt(n(300_000, s))} tiny asks, never read`,
    async run(ctx) {
      const perClient = n(300_000, ctx.scale);
      const clients = await openMany(48, ctx.port, 48);
      const flood = repeated(clientFrame('$1;default;;echo;0;0;x'), perClient);
      const { handled: before, bytesRead } = await ctx.stats();
      // From here the server may be too busy to answer a report in time: every reading is optional.
      for (const c of clients) {
        c.stopReading();
        c.send(flood);
      }
      // Every flood read by the server (or its senders closed), then the handler count settles.
      await waitUntil(ctx, async () => {
        const s = await ctx.stats().catch(() => undefined);
        return s !== undefined && (s.handled - before >= 48 * perClient || s.bytesRead - bytesRead >= 48 * flood.length || clients.every((c) => c.socket.destroyed));
      }, 500);
      await waitQuiet(ctx, async () => (await ctx.stats()).handled);
      const last = await ctx.stats().catch(() => undefined);
      const handled = last === undefined ? Number.NaN : last.handled - before;
      await new Promise((r) => setTimeout(r, 200));
      const closed = clients.filter((c) => c.socket.destroyed || c.closeCode !== undefined).length;
      for (const c of clients) c.destroy();
      return `${Number.isNaN(handled) ? 'server unresponsive; ?' : fmt(handled)} of ${fmt(48 * perClient)} asks handled; ${closed} flooders closed by the server`;
    },
  },
  {
    name: 'queued-heap',
    finding: 'maxQueuedBytes counts payload bytes only',
    size: (s) => `8 connections × ${fmt(n(4_000_000, s))} one-byte frames behind a pending handler`,
    async run(ctx) {
      const count = n(4_000_000, ctx.scale);
      const clients = await openMany(8, ctx.port);
      const flood = repeated(ONE_BYTE, count);
      const base = (await ctx.stats()).bytesRead;
      for (const c of clients) {
        c.send(holdFrame('forever'));
        c.send(flood);
      }
      await waitRead(ctx, base, 8 * flood.length);
      await waitQuiet(ctx, async () => Math.round((await ctx.stats()).heapUsed / (8 * 1024 * 1024)), 2_000);
      const heap = (await ctx.stats().catch(() => undefined))?.heapUsed ?? Number.NaN;
      const closed = clients.filter((c) => c.closeCode !== undefined).map((c) => c.closeCode);
      for (const c of clients) c.destroy();
      return `heap ${Number.isNaN(heap) ? '? (server unresponsive)' : mib(heap)} while queued; ${closed.length > 0 ? `closed ${[...new Set(closed)].join('/')} ×${closed.length}` : 'no connection closed'}`;
    },
  },
  {
    name: 'quadratic-drain',
    finding: 'Array#shift drain in one synchronous loop',
    size: (s) => `${fmt(n(200_000, s))} one-byte frames behind a 1 s handler`,
    run: backlog(200_000),
  },
  {
    name: 'preauth-backlog',
    finding: 'frames before authentication (2 s authorize)',
    size: (s) => `${fmt(n(200_000, s))} one-byte frames while authorize runs 2 s`,
    async run(ctx) {
      const count = n(200_000, ctx.scale);
      const client = await WireClient.open(ctx.port, '/echo', { 'x-abuse-auth-delay': '2000' });
      const started = performance.now();
      const end = client.next(isEnd, ctx.deadline - Date.now());
      client.send(clientFrame('M'));
      client.send(repeated(ONE_BYTE, count));
      client.send(clientFrame('$c;default;;_OnNamespaceConnect;0;0;'));
      client.send(END);
      try {
        await end;
        return `pre-auth backlog of ${fmt(count)} drained, last reply after ${((performance.now() - started) / 1000).toFixed(1)} s`;
      } catch {
        return client.closeCode !== undefined ? `closed ${client.closeCode}` : 'no reply before the deadline';
      } finally {
        client.destroy();
      }
    },
  },
  {
    name: 'reader-flood',
    finding: 'no per-connection rate limit',
    size: (s) => `1 reading client, ${fmt(n(1_000_000, s))} pipelined asks`,
    async run(ctx) {
      const count = n(1_000_000, ctx.scale);
      const client = await WireClient.ready(ctx.port);
      const base = client.framesReceived;
      const started = performance.now();
      client.send(repeated(clientFrame('$1;default;;echo;0;0;x'), count));
      await waitUntil(ctx, () => client.framesReceived - base >= count || client.socket.destroyed, 50);
      const got = client.framesReceived - base;
      client.destroy();
      return `${fmt(got)} replies in ${((performance.now() - started) / 1000).toFixed(1)} s${client.closeCode !== undefined ? `, closed ${client.closeCode}` : ''}`;
    },
  },
  {
    name: 'rooms',
    finding: 'no cap on rooms per connection',
    size: (s) => `1 connection joins ${fmt(n(100_000, s))} rooms, then closes`,
    async run(ctx) {
      const count = n(100_000, ctx.scale);
      const heapBefore = (await ctx.stats({ gc: true })).heapUsed;
      const client = await WireClient.ready(ctx.port);
      const base = client.framesReceived;
      const joins = Buffer.concat(Array.from({ length: count }, (_, i) => clientFrame(`$j${i};default;room-${i};_OnRoomJoin;0;0;`)));
      client.send(joins);
      await waitUntil(ctx, () => client.framesReceived - base >= count || client.socket.destroyed, 50);
      const joined = client.framesReceived - base - client.errorReplies;
      const refused = client.errorReplies;
      const heap = (await ctx.stats({ gc: true })).heapUsed - heapBefore;
      const loopBefore = (await ctx.stats({ reset: true })).eldMaxMs;
      client.destroy();
      await waitQuiet(ctx, async () => Math.round((await ctx.stats()).heapUsed / (1024 * 1024)), 1_000);
      const closeDelay = (await ctx.stats()).eldMaxMs;
      return `${fmt(joined)} joined, ${fmt(refused)} refused, +${mib(heap)} heap; loop max ${closeDelay.toFixed(0)} ms during its close (${loopBefore.toFixed(0)} ms while joining)`;
    },
  },
  {
    name: 'huge-room-names',
    finding: 'no cap on rooms per connection (only maxPayload bounds a name)',
    size: (s) => `1 connection joins ${fmt(n(80, s))} rooms with 512 KiB names`,
    async run(ctx) {
      const count = n(80, ctx.scale);
      const heapBefore = (await ctx.stats({ gc: true })).heapUsed;
      const client = await WireClient.ready(ctx.port);
      const base = client.framesReceived;
      for (let i = 0; i < count; i++) client.send(clientFrame(`$j${i};default;${String(i).padStart(6, '0')}${'r'.repeat(512 * 1024 - 6)};_OnRoomJoin;0;0;`));
      await waitUntil(ctx, () => client.framesReceived - base >= count || client.socket.destroyed, 50);
      const joined = client.framesReceived - base - client.errorReplies;
      const heap = (await ctx.stats({ gc: true })).heapUsed - heapBefore;
      client.destroy();
      return `${fmt(joined)} rooms joined, ${fmt(client.errorReplies)} refused${client.closeCode !== undefined ? `, closed ${client.closeCode}` : ''}, +${mib(heap)} heap`;
    },
  },
  {
    name: 'never-settling',
    finding: 'a handler that never settles (no handler timeout)',
    size: (s) => `1 never-settling handler, ${fmt(n(9_999, s))} asks behind it`,
    async run(ctx) {
      const count = n(9_999, ctx.scale);
      const client = await WireClient.ready(ctx.port);
      const base = client.framesReceived;
      client.send(holdFrame('forever'));
      client.send(Buffer.concat(Array.from({ length: count }, (_, i) => clientFrame(`$q${i};default;;echo;0;0;q`))));
      const answered = await waitUntil({ ...ctx, deadline: Math.min(ctx.deadline, Date.now() + 15_000) }, () => client.framesReceived - base >= count + 1, 100);
      const got = client.framesReceived - base;
      client.destroy();
      return answered ? `all ${fmt(count)} asks answered` : `${fmt(got)} of ${fmt(count + 1)} asks answered within 15 s (the rest wait for ever)`;
    },
  },
  {
    name: 'idle',
    finding: '10,000 idle connections',
    size: (s) => `${fmt(n(10_000, s))} handshaken idle connections`,
    async run(ctx) {
      const count = n(10_000, ctx.scale);
      const before = await ctx.stats({ gc: true });
      const clients = await openMany(count, ctx.port);
      await new Promise((r) => setTimeout(r, 500));
      const after = await ctx.stats({ gc: true });
      for (const c of clients) c.destroy();
      const perConn = (after.rss - before.rss) / count / 1024;
      return `${fmt(count)} open: ${perConn.toFixed(1)} KiB RSS, ${((after.heapUsed - before.heapUsed) / count / 1024).toFixed(1)} KiB heap per connection`;
    },
  },
  {
    name: 'close-silent-tcp',
    finding: 'app.close() with TCP connections that sent nothing',
    size: (s) => `close with ${fmt(n(10, s))} silent TCP sockets and ${fmt(n(100, s))} WebSocket clients`,
    async run(ctx) {
      const silent: Socket[] = await Promise.all(Array.from({ length: n(10, ctx.scale) }, () => new Promise<Socket>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port: ctx.port }, () => resolve(s));
        s.on('error', reject);
      })));
      const clients = await openMany(n(100, ctx.scale), ctx.port);
      await new Promise<void>((resolve, reject) => {
        request({ host: '127.0.0.1', port: ctx.port, path: '/__abuse/close', method: 'POST', agent: false }, (res) => {
          res.resume();
          res.on('end', resolve);
        }).on('error', reject).end();
      });
      const waitMs = Math.min(CLOSE_WAIT_MS, Math.max(0, ctx.deadline - Date.now()));
      const stopped = await Promise.race([ctx.stopSignal.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), waitMs))]);
      await Promise.race([Promise.all(clients.map((c) => c.closed)), new Promise((r) => setTimeout(r, 3_000))]);
      const goingAway = clients.filter((c) => c.closeCode === 1001).length;
      for (const s of silent) s.destroy();
      for (const c of clients) c.destroy();
      return `${stopped ? 'close returned' : `close did NOT return within ${(waitMs / 1000).toFixed(0)} s`}; ${goingAway}/${clients.length} clients got 1001`;
    },
  },
];
