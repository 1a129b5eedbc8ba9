// A broker that is not there when the app starts (down, or a wrong address): the engine's ready() and a
// Nest app's bootstrap reject with an ExchangeUnavailableError after connectTimeout, instead of
// waiting for ever with no HTTP route served (health checks included); closing then leaves nothing open.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';

import { ExchangeUnavailableError, type Message, NeffosController, NeffosEngine, NeffosModule, type StackExchange } from '../../lib/index.js';
import { NatsExchange } from '../../lib/nats.js';
import { RedisExchange } from '../../lib/redis.js';
import { freePort } from '../utils/brokers.js';

const CONNECT_TIMEOUT = 400;
const quiet = { log: () => {}, warn: () => {}, error: () => {} };

/** An exchange aimed at a loopback port nothing listens on. */
async function unreachable(kind: 'redis' | 'nats'): Promise<StackExchange> {
  const port = await freePort();
  return kind === 'redis'
    ? new RedisExchange({ url: `redis://127.0.0.1:${port}`, connectTimeout: CONNECT_TIMEOUT })
    : new NatsExchange({ servers: `nats://127.0.0.1:${port}`, connectTimeout: CONNECT_TIMEOUT });
}

describe.each(['redis', 'nats'] as const)('%s unreachable at start-up', (kind) => {
  it('engine.ready() rejects after connectTimeout; close() then returns', async () => {
    const engine = new NeffosEngine({ path: '/echo', namespaces: { default: {} }, exchange: await unreachable(kind), logger: quiet }).attach(createServer());
    const started = performance.now();
    const err = await engine.ready().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExchangeUnavailableError);
    expect(String((err as Error).message)).toContain(`connectTimeout (${CONNECT_TIMEOUT} ms)`);
    expect(performance.now() - started).toBeLessThan(CONNECT_TIMEOUT + 2_000);
    await engine.close();
  });

  it("a Nest app's init rejects with it instead of hanging", async () => {
    const exchange = await unreachable(kind);
    @NeffosController('default')
    class Echo {
      echo(msg: Message) {
        return msg.body;
      }
    }
    @Module({ imports: [NeffosModule.forRoot({ path: '/echo', exchange })], providers: [Echo] })
    class AppModule {}
    const app = await NestFactory.create(AppModule, { logger: false });
    const err = await app.init().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExchangeUnavailableError);
    await app.close();
  });
});
