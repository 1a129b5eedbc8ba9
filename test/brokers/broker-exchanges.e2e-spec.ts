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
import { NatsExchange } from '../../lib/nats.js';
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
      expect(await subjects(prefix)).toEqual(idle);
    } finally {
      await stop(s);
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
