// RedisExchange and NatsExchange (the public classes) on an engine with many clients, against real
// brokers: a node holds 2 Redis connections / 1 NATS connection whatever its client count (Go neffos
// opens one per WebSocket connection), in both modes; a client or connection we were given survives
// the engine's shutdown.
import { connect as natsConnect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { NeffosEngine, type StackExchange } from '../../lib/engine/index.js';
import { NatsExchange } from '../../lib/nats.js';
import { RedisExchange } from '../../lib/redis.js';
import { type NatsBroker, type RedisBroker, startNats, startRedis } from '../utils/brokers.js';
import { closeNeffos, dialNeffos, type NeffosConn } from '../utils/neffos-client.js';

const CLIENTS = 40;

async function serve(exchange: StackExchange): Promise<{ engine: NeffosEngine; http: Server; url: string }> {
  const http = createServer();
  const engine = new NeffosEngine({ path: '/echo', namespaces: { default: { noop: () => undefined } }, exchange, logger: { log: () => {}, warn: () => {}, error: () => {} } });
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

  it('uses a given connection and leaves it open on shutdown', async () => {
    const nc = await natsConnect({ servers: nats.url });
    const s = await serve(new NatsExchange({ connection: nc, prefix: 'given' }));
    await stop(s);
    expect(nc.isClosed()).toBe(false);
    await nc.flush();
    await nc.close();
  });
});
