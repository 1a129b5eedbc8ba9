// The sample as `npm run start:cluster` runs it: two chat nodes over a real redis-server
// (RedisExchange, chosen by REDIS_URL), one Chromium page on each. The two people chat in the same
// room and see the same member list, although each node holds only one of them.
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../sample/bootstrap.js';
import { launchChromium } from '../utils/browser.js';
import { type RedisBroker, startRedis } from '../utils/brokers.js';

const WAIT = { timeout: 15_000 };

describe('sample chat as a cluster of two nodes over Redis, in Chromium', () => {
  let redis: RedisBroker | undefined;
  const apps: NestExpressApplication[] = [];
  const urls: string[] = [];
  let browser: Browser | undefined;

  beforeAll(async () => {
    redis = await startRedis();
    const saved = process.env.REDIS_URL;
    // The sample reads REDIS_URL when its module is built, as each node of start:cluster does.
    process.env.REDIS_URL = redis.url;
    try {
      for (let i = 0; i < 2; i++) {
        const app = await createApp({ logger: false });
        await app.listen(0, '127.0.0.1');
        apps.push(app);
        urls.push(await app.getUrl());
      }
    } finally {
      if (saved === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = saved;
    }
    browser = await launchChromium({ timeout: 60_000 });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    for (const app of apps) await app.close();
    await redis?.stop();
  }, 30_000);

  async function openChat(url: string, nickname: string): Promise<{ page: Page; errors: string[] }> {
    const context = await browser!.newContext({ viewport: { width: 960, height: 680 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
    await page.goto(url);
    await page.fill('#nickname', nickname);
    await page.press('#nickname', 'Enter');
    await page.locator('#status[data-state="online"]').waitFor(WAIT);
    await page.locator('#room-title', { hasText: '#general' }).waitFor(WAIT);
    return { page, errors };
  }

  const members = (page: Page) => page.locator('#members li');
  const chatLine = (page: Page, from: string, text: string) =>
    page.locator('#log li.msg').filter({ has: page.locator('.nick', { hasText: new RegExp(`^${from}$`) }) }).filter({ hasText: text });

  it('people on different nodes chat in the same room and see the same member list', async () => {
    const alice = await openChat(urls[0]!, 'alice');
    const bob = await openChat(urls[1]!, 'bob');
    const a = alice.page;
    const b = bob.page;

    // Each page lists both members, though each node holds one of them (cluster-wide presence).
    await a.locator('#members li', { hasText: 'bob' }).waitFor(WAIT);
    await b.locator('#members li', { hasText: 'alice' }).waitFor(WAIT);
    expect(await members(a).allInnerTexts()).toEqual(['alice', 'bob']);
    expect(await members(b).allInnerTexts()).toEqual(['alice', 'bob']);

    // A message crosses nodes both ways.
    await a.fill('#message', 'hello from node one');
    await a.press('#message', 'Enter');
    await chatLine(b, 'alice', 'hello from node one').waitFor(WAIT);
    await b.fill('#message', 'hi from node two');
    await b.press('#message', 'Enter');
    await chatLine(a, 'bob', 'hi from node two').waitFor(WAIT);
    // Each line once on each page (the sender's own copy is local, the other's comes over Redis).
    expect(await chatLine(a, 'alice', 'hello from node one').count()).toBe(1);
    expect(await chatLine(b, 'bob', 'hi from node two').count()).toBe(1);

    // bob moves to #random: alice's list shrinks to her alone, bob's shows him alone there.
    await b.selectOption('#room', 'random');
    await b.locator('#room-title', { hasText: '#random' }).waitFor(WAIT);
    await a.locator('#members li', { hasText: 'bob' }).waitFor({ state: 'detached', ...WAIT });
    expect(await members(a).allInnerTexts()).toEqual(['alice']);
    expect(await members(b).allInnerTexts()).toEqual(['bob']);

    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
    await a.context().close();
    await b.context().close();
  }, 90_000);
});
