// RedisExchange and NatsExchange (the public classes) on an engine with many clients, against real
// brokers: a node holds 2 Redis connections / 1 NATS connection whatever its client count (Go neffos
// opens one per WebSocket connection), in both modes, and 2 subscriptions (Go's layout adds its
// namespace channel, and one per connection that goes when the connection closes), as the broker
// counts them; a client or connection we were given survives the engine's shutdown.
import { connect as natsConnect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Conn, NeffosEngine, type StackExchange } from '../../lib/engine/index.js';
import { NatsExchange, PayloadTooLargeError } from '../../lib/nats.js';
import { RedisExchange } from '../../lib/redis.js';
import { type NatsBroker, type RedisBroker, startNats, startRedis } from '../utils/brokers.js';
import { closeNeffos, dialNeffos, type NeffosConn } from '../utils/neffos-client.js';
import { EventLog } from '../utils/wait.js';

const CLIENTS = 40;

async function serve(exchange: StackExchange, onDisconnect?: (conn: Conn) => void): Promise<{ engine: NeffosEngine; http: Server; url: string }> {
  const http = createServer();
  const engine = new NeffosEngine({ path: '/echo', namespaces: { default: { noop: () => undefined } }, exchange, onDisconnect, logger: { log: () => {}, warn: () => {}, error: () => {} } });
  engine.attach(http);
  await engine.ready();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { engine, http, url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/echo` };
}

async function withClients<T>(url: string, run: () => Promise<T>): Promise<T> {
  const conns: NeffosConn[] = [];
  try {
    for (let i = 0; i < CLIENTS; i++) {
      const conn = await dialNeffos(url, { default: {} });
      await conn.connect('default');
      conns.push(conn);
    }
    return await run();
  } finally {
    await Promise.all(conns.map((c) => closeNeffos(c)));
  }
}

async function stop(s: { engine: NeffosEngine; http: Server }): Promise<void> {
  await s.engine.close();
  await new Promise((r) => s.http.close(r));
}

describe('RedisExchange', () => {
  let redis: RedisBroker;
  beforeAll(async () => void (redis = await startRedis()));
  afterAll(() => redis.stop());

  async function ours(prefix: string): Promise<number> {
    const admin = new Redis(redis.url);
    try {
      const list = (await admin.client('LIST')) as string;
      return list.split('\n').filter((l) => l.includes(` name=neffos:${prefix}:`)).length;
    } finally {
      admin.disconnect();
    }
  }

  it.each([false, true])(`holds 2 Redis connections with ${CLIENTS} clients (goCompatible: %s)`, async (goCompatible) => {
    const prefix = `conns${goCompatible ? 'go' : ''}`;
    const exchange = new RedisExchange({ url: redis.url, prefix, goCompatible });
    const s = await serve(exchange);
    try {
      await withClients(s.url, async () => {
        await exchange.subscriptionsSettled();
        expect(await ours(prefix)).toBe(2);
      });
    } finally {
      await stop(s);
    }
    expect(await ours(prefix)).toBe(0);
  });

  /** The channels of `prefix` Redis has subscribers for. */
  async function channels(prefix: string): Promise<string[]> {
    const admin = new Redis(redis.url);
    try {
      return ((await admin.pubsub('CHANNELS', `${prefix}*`)) as string[]).sort();
    } finally {
      admin.disconnect();
    }
  }

  it.each([false, true])(`subscribes per node, not per client; a goCompatible node's channel per connection goes when it closes (goCompatible: %s)`, async (goCompatible) => {
    const prefix = goCompatible ? 'gosubs' : 'plainsubs';
    const exchange = new RedisExchange({ url: redis.url, prefix, goCompatible });
    const gone = new EventLog<string>();
    const s = await serve(exchange, (conn) => gone.push(conn.id));
    try {
      const idle = await channels(prefix);
      // <prefix>.all and <prefix>.node.<id>; in Go's layout also <prefix>.default. (the namespace channel).
      expect(idle).toHaveLength(goCompatible ? 3 : 2);
      await withClients(s.url, async () => {
        await exchange.subscriptionsSettled();
        expect(await channels(prefix)).toHaveLength(goCompatible ? 3 + CLIENTS : 2);
      });
      await gone.waitForCount(CLIENTS, 'every connection torn down on the server');
      await exchange.subscriptionsSettled(); // the broker has processed their unsubscribes
      expect(await channels(prefix)).toEqual(idle);
    } finally {
      await stop(s);
    }
    expect(await channels(prefix)).toEqual([]);
  });

  it('publishes on a given client, subscribes on a duplicate of it, and leaves the client open on shutdown', async () => {
    const client = new Redis(redis.url, { connectionName: 'app-client' });
    const s = await serve(new RedisExchange({ client, prefix: 'given' }));
    await stop(s);
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
  });
});

describe('NatsExchange', () => {
  let nats: NatsBroker;
  beforeAll(async () => void (nats = await startNats()));
  afterAll(() => nats.stop());

  const ours = async (prefix: string) => (await nats.connz()).connections.filter((c) => c.name === `neffos:${prefix}`).length;

  it.each([false, true])(`holds 1 NATS connection with ${CLIENTS} clients (goCompatible: %s)`, async (goCompatible) => {
    const prefix = `conns${goCompatible ? 'go' : ''}`;
    const exchange = new NatsExchange({ servers: nats.url, prefix, goCompatible });
    const s = await serve(exchange);
    try {
      await withClients(s.url, async () => {
        await exchange.subscriptionsSettled();
        expect(await ours(prefix)).toBe(1);
      });
    } finally {
      await stop(s);
    }
  });

  /** The subjects our node's NATS connection subscribes to. */
  async function subjects(prefix: string): Promise<string[]> {
    const ours = (await nats.connz()).connections.filter((c) => c.name === `neffos:${prefix}`);
    return ours.flatMap((c) => c.subscriptions_list ?? []).sort();
  }

  it.each([false, true])(`subscribes per node, not per client; a goCompatible node's subject per connection goes when it closes (goCompatible: %s)`, async (goCompatible) => {
    const prefix = goCompatible ? 'gosubs' : 'plainsubs';
    const exchange = new NatsExchange({ servers: nats.url, prefix, goCompatible });
    const gone = new EventLog<string>();
    const s = await serve(exchange, (conn) => gone.push(conn.id));
    try {
      const idle = await subjects(prefix);
      expect(idle).toHaveLength(goCompatible ? 3 : 2);
      await withClients(s.url, async () => {
        await exchange.subscriptionsSettled();
        expect(await subjects(prefix)).toHaveLength(goCompatible ? 3 + CLIENTS : 2);
      });
      await gone.waitForCount(CLIENTS, 'every connection torn down on the server');
      await exchange.subscriptionsSettled(); // the broker has processed their unsubscribes
      expect(await subjects(prefix)).toEqual(idle);
    } finally {
      await stop(s);
    }
  });

  it("a message over the server's max_payload is no outage: dropped with one line, an ask carrying it rejects with PayloadTooLargeError, the rest still crosses", async () => {
    const lines = new EventLog<string>();
    const logger = { log: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
    const exchangeA = new NatsExchange({ servers: nats.url, prefix: 'big' });
    const a = new NeffosEngine({ path: '/echo', namespaces: { default: {} }, exchange: exchangeA, logger, pingInterval: 0 });
    const b = await serve(new NatsExchange({ servers: nats.url, prefix: 'big' }));
    const got = new EventLog<string>();
    const client = await dialNeffos(b.url, { default: { news: (_ns, msg) => void got.push(String(msg.Body)) } });
    try {
      await a.ready();
      await client.connect('default');
      await lines.waitFor((l) => /1 peer\(s\)/.test(l), 'node a to know node b', 5_000);
      const huge = Buffer.alloc(1024 * 1024, 0x61); // the engine's default maxPayload; with the envelope, over NATS' 1 MiB
      for (let k = 0; k < 3; k++) a.broadcast({ namespace: 'default', event: 'news', body: huge });
      const err = await a.ask(client.ID!, { namespace: 'default', event: 'q', body: huge }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PayloadTooLargeError);
      expect((err as Error).message).toMatch(/max_payload \(1048576 bytes\)/);
      a.broadcast({ namespace: 'default', event: 'news', body: 'small' });
      await got.waitFor((m) => m === 'small', 'the small broadcast on node b', 5_000);
      expect(got.entries).toEqual(['small']);
      expect(lines.entries.filter((l) => /max_payload/.test(l))).toHaveLength(1);
      expect(lines.entries.filter((l) => /unreachable|works again/.test(l))).toEqual([]);
      expect(exchangeA.isUp).toBe(true);
    } finally {
      await closeNeffos(client);
      await a.close();
      await stop(b);
    }
  });

  it('uses a given connection and leaves it open on shutdown', async () => {
    const nc = await natsConnect({ servers: nats.url });
    const s = await serve(new NatsExchange({ connection: nc, prefix: 'given' }));
    await stop(s);
    expect(nc.isClosed()).toBe(false);
    await nc.flush();
    await nc.close();
  });
});
