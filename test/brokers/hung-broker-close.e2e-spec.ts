// A broker that hangs (its process paused: the TCP connection stays open, nothing answers) must not
// hold a node's shutdown: `engine.close()` (and so `app.close()` in a rolling deploy) says goodbye on
// a best-effort basis and returns within a bounded time, instead of waiting for the broker for ever.
import { Redis } from 'ioredis';
import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';

import { NeffosEngine, type StackExchange } from '../../lib/index.js';
import { CLOSE_GRACE_MS } from '../../lib/exchange/close-grace.js';
import { NatsExchange } from '../../lib/nats.js';
import { RedisExchange } from '../../lib/redis.js';
import { type NatsBroker, pauseProcess, type RedisBroker, startNats, startRedis } from '../utils/brokers.js';

const quiet = { log: () => {}, warn: () => {}, error: () => {} };

/** The node's broker connections the server still holds (the exchanges name them `neffos:<prefix>…`). */
async function held(kind: 'redis' | 'nats', broker: RedisBroker | NatsBroker): Promise<number> {
  if (kind === 'nats') return (await (broker as NatsBroker).connz()).connections.filter((c) => c.name === 'neffos:hung').length;
  const admin = new Redis(broker.url);
  try {
    return ((await admin.client('LIST')) as string).split('\n').filter((line) => line.includes(' name=neffos:hung:')).length;
  } finally {
    admin.disconnect();
  }
}

const kinds = {
  redis: { start: startRedis, exchange: (url: string, goCompatible: boolean): StackExchange => new RedisExchange({ url, prefix: 'hung', goCompatible }) },
  nats: { start: startNats, exchange: (url: string, goCompatible: boolean): StackExchange => new NatsExchange({ servers: url, prefix: 'hung', goCompatible }) },
};

describe.each([
  ['redis', false],
  ['nats', false],
  ['redis', true],
  ['nats', true],
] as const)('%s paused while a node shuts down (goCompatible: %s)', (kind, goCompatible) => {
  let broker: RedisBroker | NatsBroker | undefined;
  afterEach(async () => {
    if (broker?.pid !== undefined) process.kill(broker.pid, 'SIGCONT');
    await broker?.stop();
    broker = undefined;
  });

  it(`engine.close() gives the broker its grace (${CLOSE_GRACE_MS} ms), then drops the connections and returns`, async () => {
    broker = await kinds[kind].start();
    const engine = new NeffosEngine({ path: '/echo', namespaces: { default: {} }, exchange: kinds[kind].exchange(broker.url, goCompatible), logger: quiet });
    const server = createServer();
    engine.attach(server);
    await engine.ready();
    expect(await held(kind, broker)).toBe(kind === 'redis' ? 2 : 1);
    await pauseProcess(broker.pid!);
    const started = performance.now();
    await engine.close();
    const took = performance.now() - started;
    // Goodbye and unsubscribes get one grace; dropping the connections after it is immediate.
    expect(took).toBeGreaterThanOrEqual(CLOSE_GRACE_MS - 50);
    expect(took).toBeLessThan(CLOSE_GRACE_MS + 2_000);
    server.close();
    // Dropped, not left behind: once the broker runs again it sees them gone.
    process.kill(broker.pid!, 'SIGCONT');
    // The server has no event for it: poll its count, with a deadline.
    const deadline = Date.now() + 10_000;
    while ((await held(kind, broker)) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await held(kind, broker)).toBe(0);
  });
});
