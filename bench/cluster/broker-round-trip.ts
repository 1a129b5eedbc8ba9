// The floor under a cross-node ask: the broker's own round trip between two processes with no
// neffos code at all. This process publishes on `ping`; an echo process (this file run as a script)
// publishes every payload it gets back on `pong`. A cross-node ask makes the same trip (node A to
// the broker to node B, and back), plus the local ask node B runs; so it costs at least the local
// ask plus this round trip, and the summary prints that floor next to the measured figure.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killByPid, spawnNode, tailStderr } from '../bench-process.js';

export interface RoundTrip {
  /** µs */
  p50: number;
}

type Kind = 'redis' | 'nats';

interface Link {
  publish(channel: string, payload: Buffer): void;
  close(): Promise<void>;
}

async function link(kind: Kind, url: string, channel: string, onMessage: (payload: Buffer) => void): Promise<Link> {
  if (kind === 'redis') {
    const { Redis } = await import('ioredis');
    const pub = new Redis(url);
    const sub = new Redis(url);
    sub.on('messageBuffer', (_channel: Buffer, payload: Buffer) => onMessage(payload));
    await sub.subscribe(channel);
    return {
      publish: (ch, payload) => void pub.publish(ch, payload),
      close: async () => {
        pub.disconnect();
        sub.disconnect();
      },
    };
  }
  const { connect } = await import('@nats-io/transport-node');
  const nc = await connect({ servers: url });
  nc.subscribe(channel, { callback: (_err, msg) => onMessage(Buffer.from(msg.data)) });
  await nc.flush();
  return { publish: (ch, payload) => nc.publish(ch, payload), close: () => nc.close() };
}

function waitForLine(child: ChildProcess, line: string, stderr: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`broker echo did not start\n${stderr()}`)), 20_000);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.includes(line)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

/** Strict ping-pong through the broker and an echo process, `count` times after a warm-up. */
export async function brokerRoundTrip(kind: Kind, url: string, count: number): Promise<RoundTrip> {
  const echo = spawnNode(undefined, [fileURLToPath(import.meta.url), kind, url]);
  let arrived: () => void = () => {};
  let own: Link | undefined;
  try {
    await waitForLine(echo, 'ready', tailStderr(echo));
    own = await link(kind, url, 'pong', () => arrived());
    const payload = Buffer.alloc(100, 'x'); // about the size of an ask request on the bus
    const samples = new Float64Array(count);
    for (let i = -50; i < count; i++) {
      const started = process.hrtime.bigint();
      await new Promise<void>((resolve) => {
        arrived = resolve;
        own!.publish('ping', payload);
      });
      if (i >= 0) samples[i] = Number(process.hrtime.bigint() - started) / 1000;
    }
    samples.sort();
    return { p50: samples[Math.floor(count / 2)]! };
  } finally {
    await own?.close();
    await killByPid(echo);
  }
}

// Run as a script: the echo process.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [kind, url] = process.argv.slice(2) as [Kind, string];
  const self: Link = await link(kind, url, 'ping', (payload) => self.publish('pong', payload));
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => void self.close().then(() => process.exit(0)));
}
