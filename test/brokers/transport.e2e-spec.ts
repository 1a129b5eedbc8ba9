// The broker transports against real servers (one suite, run for Redis and NATS): order, bytes,
// unsubscribe, a constant number of broker connections, and a real broker restart.
import { connect as natsConnect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { BrokerUnavailableError } from '../../lib/exchange/broker.errors.js';
import type { ExchangeTransport } from '../../lib/exchange/exchange-transport.js';
import { NatsTransport } from '../../lib/exchange/nats.transport.js';
import { RedisTransport } from '../../lib/exchange/redis.transport.js';
import { BrokerBinaryMissingError, findBinary, type NatsBroker, pauseProcess, type RedisBroker, startNats, startRedis } from '../utils/brokers.js';
import { EventLog, deferred, waitFor } from '../utils/wait.js';

interface Harness {
  name: 'redis' | 'nats';
  start(): Promise<void>;
  broker(): RedisBroker | NatsBroker;
  transport(): ExchangeTransport;
  /** Broker connections held by the transports of this test, as the server counts them. */
  connectionsOf(name: string): Promise<number>;
  /** Subscriptions to `channel` the broker holds, as the server counts them. */
  subscriptionsTo(channel: string): Promise<number>;
}

let redis: RedisBroker;
let nats: NatsBroker;

const harnesses: Harness[] = [
  {
    name: 'redis',
    start: async () => void (redis = await startRedis()),
    broker: () => redis,
    transport: () => new RedisTransport({ url: redis.url, connectionName: 'probe' }),
    async connectionsOf(name) {
      const admin = new Redis(redis.url);
      try {
        const list = (await admin.client('LIST')) as string;
        return list.split('\n').filter((line) => line.includes(` name=${name}:`)).length;
      } finally {
        admin.disconnect();
      }
    },
    async subscriptionsTo(channel) {
      const admin = new Redis(redis.url);
      try {
        const [, count] = (await admin.pubsub('NUMSUB', channel)) as [string, number];
        return Number(count);
      } finally {
        admin.disconnect();
      }
    },
  },
  {
    name: 'nats',
    start: async () => void (nats = await startNats()),
    broker: () => nats,
    transport: () => new NatsTransport({ servers: nats.url, name: 'probe' }),
    async connectionsOf(name) {
      const connz = await nats.connz();
      return connz.connections.filter((c) => c.name === name).length;
    },
    async subscriptionsTo(channel) {
      const connz = await nats.connz();
      return connz.connections.filter((c) => (c.subscriptions_list ?? []).includes(channel)).length;
    },
  },
];

describe.each(harnesses)('$name transport', (h) => {
  const open: ExchangeTransport[] = [];
  /** A transport whose broker connection is up (publish refuses before that, like during an outage). */
  const make = async () => {
    const t = h.transport();
    open.push(t);
    const up = deferred();
    t.onStatus((s) => s === 'up' && up.resolve());
    if (!t.isUp) await waitFor(up, `the ${h.name} transport to connect`);
    return t;
  };

  beforeAll(() => h.start());
  afterEach(async () => {
    await Promise.all(open.splice(0).map((t) => t.close()));
    // A failed restart test must not leave the broker down for the next test.
    if (!h.broker().running) await h.broker().restart();
  });
  afterAll(() => h.broker().stop());

  it('delivers every payload of a publisher in order, bytes intact (binary, NUL, ";")', async () => {
    const a = await make();
    const b = await make();
    const got = new EventLog<Buffer>();
    await b.subscribe('t.order', (p) => got.push(Buffer.from(p)));
    const sent = Array.from({ length: 300 }, (_, i) => Buffer.concat([Buffer.from(`${i};`), randomBytes(i % 64), Buffer.from([0, 0xff, 0x3b])]));
    await Promise.all(sent.map((p) => a.publish('t.order', p)));
    await got.waitFor(() => got.entries.length === sent.length, `${sent.length} payloads`);
    expect(got.entries.map((p) => p.toString('hex'))).toEqual(sent.map((p) => p.toString('hex')));
  });

  it('delivers a node its own publications too (the exchange drops its echoes by node id)', async () => {
    const a = await make();
    const got = deferred<Buffer>();
    await a.subscribe('t.self', (p) => got.resolve(p));
    await a.publish('t.self', new Uint8Array([1, 2, 3]));
    expect([...(await waitFor(got, 'own publication'))]).toEqual([1, 2, 3]);
  });

  it('stops delivering a channel after unsubscribe, keeps the others', async () => {
    const a = await make();
    const b = await make();
    const got = new EventLog<string>();
    await b.subscribe('t.gone', (p) => got.push(`gone:${p}`));
    await b.subscribe('t.kept', (p) => got.push(`kept:${p}`));
    await a.publish('t.gone', Buffer.from('1'));
    await got.waitFor((e) => e === 'gone:1', 'the first payload');
    await b.unsubscribe('t.gone');
    await a.publish('t.gone', Buffer.from('2'));
    // Same publisher, same subscriber connection: "kept:3" arriving proves "gone:2" was not delivered before it.
    await a.publish('t.kept', Buffer.from('3'));
    await got.waitFor((e) => e === 'kept:3', 'the payload on the kept channel');
    expect(got.entries).toEqual(['gone:1', 'kept:3']);
  });

  /**
   * Subscribes and unsubscribes `channel` on `b` while the subscribe has not finished, then checks from
   * the broker's side and by delivery (behind a fence on the same connections, so order holds) that
   * nothing of it is left. A goCompatible node does this for a connection that closes at once.
   */
  async function expectNothingLeft(a: ExchangeTransport, b: ExchangeTransport, channel: string, race: (subscribing: Promise<void>) => Promise<void>): Promise<void> {
    const raced: string[] = [];
    await race(b.subscribe(channel, (p) => raced.push(p.toString())));
    const fence = deferred();
    await b.subscribe(`${channel}.fence`, () => fence.resolve());
    await a.publish(channel, Buffer.from('after the unsubscribe'));
    await a.publish(`${channel}.fence`, Buffer.from('fence'));
    await waitFor(fence, 'the fence payload');
    expect(raced).toEqual([]);
    expect(await h.subscriptionsTo(channel)).toBe(0);
  }

  it('an unsubscribe right after a subscribe (before it reached the broker) leaves no subscription', async () => {
    const a = await make();
    const b = await make();
    await expectNothingLeft(a, b, 't.raced-early', async (subscribing) => {
      await b.unsubscribe('t.raced-early');
      await subscribing;
    });
  });

  it('an unsubscribe while the broker has not yet answered the subscribe leaves no subscription', async () => {
    const a = await make();
    const b = await make();
    const pid = h.broker().pid!;
    await expectNothingLeft(a, b, 't.raced-late', async (subscribing) => {
      // The broker process is paused (it is ours), so the subscribe is sent and waits for its answer.
      let leaving: Promise<void>;
      try {
        await pauseProcess(pid);
        await new Promise((resolve) => setImmediate(resolve));
        // Not awaited while paused: an unsubscribe may itself wait for the broker's answer.
        leaving = b.unsubscribe('t.raced-late');
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      await leaving;
      await subscribing;
    });
  });

  it(`holds ${h.name === 'redis' ? 2 : 1} broker connection(s) per node whatever its channel count`, async () => {
    const a = await make();
    const received = new EventLog<string>();
    for (let i = 0; i < 200; i++) await a.subscribe(`t.many.${i}`, () => received.push(String(i)));
    await a.publish('t.many.199', Buffer.from('x'));
    await received.waitFor((e) => e === '199', 'delivery on the 200th channel');
    expect(await h.connectionsOf('probe')).toBe(h.name === 'redis' ? 2 : 1);
  });

  it('survives a broker restart: down then up once each, publish fails fast while down, delivery resumes', async () => {
    const a = await make();
    const b = await make();
    const got = new EventLog<string>();
    await b.subscribe('t.restart', (p) => got.push(p.toString()));
    const statuses: string[] = [];
    const downA = deferred();
    const upA = deferred();
    const upB = deferred();
    a.onStatus((s) => {
      statuses.push(s);
      (s === 'down' ? downA : upA).resolve();
    });
    b.onStatus((s) => s === 'up' && upB.resolve());
    await a.publish('t.restart', Buffer.from('before'));
    await got.waitFor((e) => e === 'before', 'delivery before the restart');

    await h.broker().stop();
    await waitFor(downA, 'the down status');
    expect(a.isUp).toBe(false);
    // Refused at once: settled before the event loop gets to any I/O (no wait for a reconnect).
    const during = a.publish('t.restart', Buffer.from('during')).then(() => 'sent', (err: unknown) => err);
    const immediate = new Promise((resolve) => setImmediate(() => resolve('still pending')));
    expect(await Promise.race([during, immediate])).toBeInstanceOf(BrokerUnavailableError);

    await h.broker().restart();
    await waitFor(upA, 'the up status after the restart', 15_000);
    await waitFor(upB, 'the subscriber node up after the restart', 15_000);
    await a.publish('t.restart', Buffer.from('after'));
    await got.waitFor((e) => e === 'after', 'delivery after the restart');
    expect(got.entries).toEqual(['before', 'after']);
    expect(statuses).toEqual(['down', 'up']);
  });

  it('never closes a client it was given', async () => {
    if (h.name === 'redis') {
      // lazyConnect: a client the app has not used yet still gets connected.
      const client = new Redis(redis.url, { connectionName: 'app', lazyConnect: true });
      const t = new RedisTransport({ client });
      const got = deferred<string>();
      await t.subscribe('t.borrowed', (p) => got.resolve(p.toString()));
      await t.publish('t.borrowed', Buffer.from('hi'));
      expect(await waitFor(got, 'delivery through the borrowed client')).toBe('hi');
      await t.close();
      expect(await client.ping()).toBe('PONG');
      client.disconnect();
    } else {
      const nc = await natsConnect({ servers: nats.url });
      const t = new NatsTransport({ connection: nc });
      const got = deferred<string>();
      await t.subscribe('t.borrowed', (p) => got.resolve(p.toString()));
      await t.publish('t.borrowed', Buffer.from('hi'));
      expect(await waitFor(got, 'delivery through the borrowed connection')).toBe('hi');
      await t.close();
      expect(nc.isClosed()).toBe(false);
      await nc.flush();
      await nc.close();
    }
  });
});

describe('broker harness', () => {
  it('names the Debian package to install when a broker binary is missing', () => {
    expect(() => findBinary('no-such-broker-server', 'no-such-broker-package')).toThrow(BrokerBinaryMissingError);
    expect(() => findBinary('no-such-broker-server', 'no-such-broker-package')).toThrow(/apt-get install .*no-such-broker-package/);
  });

  it('finds nats-server where Debian puts it, even when /usr/sbin is not on PATH', () => {
    const path = process.env.PATH;
    process.env.PATH = (path ?? '').split(':').filter((d) => !d.endsWith('sbin')).join(':');
    try {
      expect(findBinary('nats-server', 'nats-server')).toMatch(/\/nats-server$/);
    } finally {
      process.env.PATH = path;
    }
  });
});
