// A broker that is not there when the app starts (down, or a wrong address): the engine's ready() and a
// Nest app's bootstrap reject with an ExchangeUnavailableError after connectTimeout, instead of
// waiting for ever with no HTTP route served (health checks included); closing then leaves nothing open.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { ExchangeUnavailableError, type Message, NeffosController, NeffosEngine, NeffosModule, type StackExchange } from '../../lib/index.js';
import { NatsExchange } from '../../lib/nats.js';
import { RedisExchange } from '../../lib/redis.js';
import { freePort } from '../utils/brokers.js';
import { withTimeout } from '../utils/wait.js';

const CONNECT_TIMEOUT = 400;
const CLOSER = fileURLToPath(new URL('./fixtures/close-unreachable.main.ts', import.meta.url));
const REGISTER = new URL('../cluster/fixtures/ts-register.mjs', import.meta.url).href;
/** Loading the sources through SWC in a fresh process takes seconds on a loaded machine; not what is measured. */
const CHILD_MS = 60_000;
/** Nothing is left once the engine is closed (checked by what the child reports), so it exits at once; the rest is the machine's load. */
const EXIT_AFTER_CLOSE_MS = 3_000;
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

  it('a process whose only work was that engine exits by itself once it is closed (no dialing left behind)', async () => {
    const child = spawn(process.execPath, ['--import', REGISTER, CLOSER], {
      env: { ...process.env, BROKER: kind, BROKER_PORT: String(await freePort()) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const closed = new Promise<void>((resolve) => child.stdout.on('data', () => /^LEFT .*$/m.test(output) && resolve()));
    try {
      await withTimeout(Promise.race([closed, exited]), CHILD_MS, () => `the child to close its engine; output:\n${output}`);
      expect(output).toContain('CLOSED ExchangeUnavailableError');
      // No timer or socket of the exchange holds the process: ioredis' disconnect() used to leave a 2 s
      // timer per connection that never opened (the process exited 2 s late).
      const left = JSON.parse(/^LEFT (.*)$/m.exec(output)![1]!) as string[];
      expect(left.filter((resource) => resource !== 'PipeWrap')).toEqual([]); // the pipes to this test stay
      expect(await withTimeout(exited, EXIT_AFTER_CLOSE_MS, () => `the child to exit after closing its engine; output:\n${output}`)).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    }
  }, CHILD_MS + EXIT_AFTER_CLOSE_MS + 5_000);
});
