// Issue 8 item 7: the fuzz probe as a test. Seeded random and mutated frames — random bytes, 0–10
// separators, huge tokens, invalid UTF-8, binary frames carrying protocol text, escape sequences in odd
// places, system events with odd flags, mutations of valid frames — from several connections (some never
// handshaken, some handshaken, some connected to the namespace; a closed one is replaced) against a real
// engine and a real Nest app on 127.0.0.1, while a healthy neffos.js connection keeps asking and every one
// of its asks must come back with the right answer. The server runs in this process: an uncaught
// exception or unhandled rejection anywhere during the run fails the test (as
// `--unhandled-rejections=strict` would kill a server). Bounded: a fixed number of frames, no sleeps.
import 'reflect-metadata';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type Message, NeffosController, type NSConn } from '../../lib/index.js';
import { useEngineHarness } from '../utils/engine-harness.js';
import { bodyText, type NeffosConn } from '../utils/neffos-client.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';
import { withTimeout } from '../utils/wait.js';

const FRAMES_PER_SERVER = 60_000; // × 2 servers = 120,000 frames
const ATTACKERS = 6;
const BATCH = 250;
const SEED = 0x5eed_8;

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Frame = { data: Buffer; binary: boolean };

const TOKENS = ['', '$1', '$c', '$', '#9', '1', '42', 'neffos(0x1)', '$1.5', '99999999999999999999'];
const NAMESPACES = ['default', '', 'other', 'constructor', '__proto__', 'dëfault'];
const ROOMS = ['', 'r', 'room-1', 'toString', ' '];
const EVENTS = ['echo', 'fail', 'later', 'askBack', '_OnNamespaceConnect', '_OnNamespaceDisconnect', '_OnRoomJoin', '_OnRoomLeave', '_OnRoomLeft', '_OnRoomJoined', '_OnNamespaceConnected', '_OnNativeMessage', '_OnAnyEvent', 'constructor', 'hasOwnProperty', 'unknown'];
const FLAGS = ['0', '1', '', '2', '-1', '01', 'true', '9'];
const ESCAPES = ['@%!semicolon@%!', '@%!semi', '@%!', '%!semicolon@', '@%!semicolon@%!@%!semicolon@%!'];

class FrameFactory {
  constructor(private readonly rnd: () => number) {}

  private int(n: number): number {
    return Math.floor(this.rnd() * n);
  }

  private pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }

  private bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }

  private text(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(32 + this.int(95));
    return s;
  }

  private field(): string {
    const r = this.rnd();
    if (r < 0.15) return this.pick(ESCAPES) + this.text(this.int(4));
    if (r < 0.25) return this.text(this.int(12));
    if (r < 0.252) return 'x'.repeat(10_000 + this.int(200_000)); // a huge token (rare: each costs the server a parse)
    return this.pick([...TOKENS, ...NAMESPACES, ...ROOMS, ...EVENTS, ...FLAGS]);
  }

  /** A frame shaped like the protocol: fields chosen from the vocabulary, 0–10 separators. */
  private protocolLike(): string {
    const separators = this.int(11);
    const fields = [this.field()];
    for (let i = 0; i < separators; i++) fields.push(this.field());
    return fields.join(';');
  }

  /** A well-formed message with odd parts: system events with odd flags, escapes in odd places. */
  private wellFormed(): string {
    const token = this.rnd() < 0.7 ? `$${this.int(1000)}` : this.pick(TOKENS);
    const ns = this.rnd() < 0.8 ? 'default' : this.pick(NAMESPACES);
    const room = this.rnd() < 0.7 ? '' : this.pick(ROOMS) + (this.rnd() < 0.2 ? this.pick(ESCAPES) : '');
    const event = this.pick(EVENTS) + (this.rnd() < 0.1 ? this.pick(ESCAPES) : '');
    const isError = this.rnd() < 0.8 ? '0' : this.pick(FLAGS);
    const isNoOp = this.rnd() < 0.8 ? '0' : this.pick(FLAGS);
    const body = this.rnd() < 0.3 ? this.pick(ESCAPES) + this.text(this.int(20)) : this.text(this.int(40));
    return [token, ns, room, event, isError, isNoOp, body].join(';');
  }

  private mutate(base: Buffer): Buffer {
    const out = Buffer.from(base);
    const edits = 1 + this.int(4);
    let data = out;
    for (let i = 0; i < edits; i++) {
      const at = this.int(Math.max(1, data.length));
      const r = this.rnd();
      if (r < 0.4) data[at] = this.int(256);
      else if (r < 0.7) data = Buffer.concat([data.subarray(0, at), this.bytes(1 + this.int(4)), data.subarray(at)]);
      else data = Buffer.concat([data.subarray(0, at), data.subarray(at + 1 + this.int(4))]);
    }
    return data.length === 0 ? Buffer.from(';') : data;
  }

  next(): Frame {
    const r = this.rnd();
    if (r < 0.12) return { data: this.bytes(1 + this.int(64)), binary: true };
    if (r < 0.16) return { data: Buffer.from(this.text(1 + this.int(64))), binary: false };
    if (r < 0.45) return { data: Buffer.from(this.protocolLike()), binary: false };
    if (r < 0.75) return { data: Buffer.from(this.wellFormed()), binary: this.rnd() < 0.2 }; // binary frames carrying protocol text
    if (r < 0.95) return { data: this.mutate(Buffer.from(this.wellFormed())), binary: this.rnd() < 0.5 };
    // invalid UTF-8 in a text frame (ws closes the connection with 1007): rare, it ends the connection
    return { data: Buffer.concat([Buffer.from(this.wellFormed().slice(0, 10)), Buffer.from([0xc3, 0x28, 0xff])]), binary: false };
  }
}

/** One attacking connection: sometimes never handshaken, sometimes handshaken, sometimes connected to "default". */
async function openAttacker(url: string, rnd: () => number): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false, allowSynchronousEvents: false });
  ws.on('error', () => {});
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', () => reject(new Error('attacker upgrade refused')));
    }),
    5_000,
    'an attacker to open',
  );
  const stage = rnd();
  if (stage < 0.1) return ws; // garbage before (or instead of) the handshake
  const acked = new Promise<void>((resolve) => ws.once('message', () => resolve()));
  ws.send('M');
  await withTimeout(acked, 5_000, 'the attacker handshake');
  if (stage < 0.3) return ws;
  const connected = new Promise<void>((resolve) => ws.once('message', () => resolve()));
  ws.send('$c;default;;_OnNamespaceConnect;0;0;');
  await withTimeout(connected, 5_000, 'the attacker namespace connect');
  return ws;
}

/** Sends `total` fuzzed frames over ATTACKERS connections, replacing any the server closes. */
async function fuzz(url: string, total: number, seed: number): Promise<{ sent: number; connections: number }> {
  const rnd = prng(seed);
  const factory = new FrameFactory(rnd);
  const pool: WebSocket[] = [];
  let connections = 0;
  let sent = 0;
  try {
    while (sent < total) {
      for (let i = 0; i < ATTACKERS; i++) {
        if (pool[i] === undefined || pool[i]!.readyState !== WebSocket.OPEN) {
          pool[i]?.terminate();
          pool[i] = await openAttacker(url, rnd);
          connections++;
        }
        const ws = pool[i]!;
        for (let k = 0; k < BATCH && sent < total && ws.readyState === WebSocket.OPEN; k++, sent++) {
          const frame = factory.next();
          ws.send(frame.data, { binary: frame.binary });
        }
        // Pacing, not synchronisation: let the server read a batch per connection per turn, and keep at
        // most 256 KiB unsent per connection (ws has no drain event; its buffer empties as the socket writes).
        await new Promise<void>((resolve) => setImmediate(resolve));
        while (ws.readyState === WebSocket.OPEN && ws.bufferedAmount > 256 * 1024) await new Promise<void>((resolve) => setTimeout(resolve, 2));
      }
    }
  } finally {
    for (const ws of pool) ws?.terminate();
  }
  return { sent, connections };
}

/** The healthy neighbour: asks until `stop()`, every reply checked; returns how many were right. */
function keepAsking(conn: NeffosConn, namespace: string): { stop(): Promise<number> } {
  let running = true;
  let ok = 0;
  const loop = (async () => {
    const ns = await withTimeout(conn.connect(namespace), 5_000, 'the healthy connect');
    for (let i = 0; running; i++) {
      const body = `healthy ${i}; ünïcode ☃ @%!semicolon@%! ${'x'.repeat(i % 50)}`;
      const reply = await withTimeout(ns.ask('echo', body), 10_000, `healthy ask #${i}`);
      expect(bodyText(reply)).toBe(body);
      ok++;
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return ok;
    },
  };
}

/** Collects what would crash a server run with --unhandled-rejections=strict. */
function watchProcess(): { failures: unknown[]; stop(): void } {
  const failures: unknown[] = [];
  const onFailure = (err: unknown): void => void failures.push(err);
  process.on('unhandledRejection', onFailure);
  process.on('uncaughtException', onFailure);
  return {
    failures,
    stop() {
      process.off('unhandledRejection', onFailure);
      process.off('uncaughtException', onFailure);
    },
  };
}

let watch: ReturnType<typeof watchProcess>;
beforeEach(() => {
  watch = watchProcess();
});
afterEach(() => {
  watch.stop();
});

const handlers = {
  echo: (msg: Message) => msg.body,
  fail: () => {
    throw new Error('fuzzed failure');
  },
  later: async (msg: Message) => {
    await Promise.resolve();
    return msg.body;
  },
  askBack: (_msg: Message, ns: NSConn) => ns.ask('nobody-answers', 'x', { timeout: 50 }).then(
    () => 'answered',
    () => 'timed out',
  ),
};

describe('fuzzing a bare engine', () => {
  const h = useEngineHarness();

  it(`${FRAMES_PER_SERVER.toLocaleString('en-US')} fuzzed frames: no crash, no unhandled rejection, every healthy ask answered right`, { timeout: 90_000 }, async () => {
    await h.start({ path: '/echo', namespaces: { default: handlers, other: handlers }, askTimeout: 200, onError: () => {} });
    const healthy = keepAsking(await h.dial({ default: {} }), 'default');
    const { sent, connections } = await fuzz(h.wsUrl(), FRAMES_PER_SERVER, SEED);
    const answered = await healthy.stop();
    expect(sent).toBe(FRAMES_PER_SERVER);
    expect(connections).toBeGreaterThan(ATTACKERS); // the server closed some (1002, 1007, 1009 …) and they were replaced
    expect(answered).toBeGreaterThan(50);
    expect(watch.failures).toEqual([]);
    // The server still serves a fresh client.
    await (await h.rawConnected()).expectEcho();
  });
});

@NeffosController('default')
class FuzzedController {
  echo(msg: Message) {
    return handlers.echo(msg);
  }
  fail() {
    return handlers.fail();
  }
  later(msg: Message) {
    return handlers.later(msg);
  }
  askBack(msg: Message, ns: NSConn) {
    return handlers.askBack(msg, ns);
  }
}

describe('fuzzing a Nest app', () => {
  useNestApps();

  it(`${FRAMES_PER_SERVER.toLocaleString('en-US')} fuzzed frames: no crash, no unhandled rejection, every healthy ask answered right`, { timeout: 90_000 }, async () => {
    const h = await createNestApp({ providers: [FuzzedController], neffos: { askTimeout: 200, onError: () => {} } });
    const healthy = keepAsking(await h.dial({ default: {} }), 'default');
    const { sent } = await fuzz(h.url, FRAMES_PER_SERVER, SEED + 1);
    const answered = await healthy.stop();
    expect(sent).toBe(FRAMES_PER_SERVER);
    expect(answered).toBeGreaterThan(50);
    expect(watch.failures).toEqual([]);
    const client = await h.raw();
    await client.handshake();
    await client.connectNamespace('default');
    await client.expectEcho();
  });
});
