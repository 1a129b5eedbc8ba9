// The sample chat in a real browser: two Chromium pages on the sample's own AppModule, driven like a
// user would (type, Enter, pick a room), asserted with Playwright's waiting locators (no sleeps).
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../sample/bootstrap.js';
import { launchChromium } from '../utils/browser.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const WAIT = { timeout: 10_000 };

interface ChatPage {
  page: Page;
  /** Uncaught exceptions, console errors and failed HTTP requests of the page. */
  errors: string[];
}

describe('sample chat in Chromium', () => {
  let app: NestExpressApplication | undefined;
  let browser: Browser | undefined;
  let baseUrl = '';

  beforeAll(async () => {
    app = await createApp({ logger: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl(); // http://127.0.0.1:<port>
    browser = await launchChromium({ timeout: 60_000 });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  }, 30_000);

  async function openChat(nickname: string): Promise<ChatPage> {
    const context = await browser!.newContext({ viewport: { width: 960, height: 680 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
    page.on('response', (res) => res.status() >= 400 && errors.push(`HTTP ${res.status()} ${res.url()}`));
    await page.goto(baseUrl);
    await page.fill('#nickname', nickname);
    await page.press('#nickname', 'Enter');
    await page.locator('#status[data-state="online"]').waitFor(WAIT);
    await page.locator('#room-title', { hasText: '#general' }).waitFor(WAIT);
    return { page, errors };
  }

  /** A chat line (`<li class="msg">`) with this nickname and text. */
  const chatLine = (page: Page, from: string, text: string) =>
    page.locator('#log li.msg').filter({ has: page.locator('.nick', { hasText: new RegExp(`^${from}$`) }) }).filter({ hasText: text });

  const systemLine = (page: Page, text: string) => page.locator('#log li.system', { hasText: text });

  it('delivers messages, typing notices, room isolation and HTTP announcements', async () => {
    const alice = await openChat('alice');
    const bob = await openChat('bob');
    const a = alice.page;
    const b = bob.page;

    // Both in #general: alice is told bob came, both member lists show both.
    await systemLine(a, 'bob joined #general').waitFor(WAIT);
    await b.locator('#members li', { hasText: 'alice' }).waitFor(WAIT);
    await a.locator('#members li', { hasText: 'bob' }).waitFor(WAIT);

    // alice types: bob sees the typing notice before anything is sent.
    await a.locator('#message').pressSequentially('hello bob', { delay: 15 });
    await b.locator('#typing', { hasText: 'alice is typing' }).waitFor(WAIT);

    // Enter sends: bob sees it with her nickname, alice sees her own line too, the field is cleared.
    await a.press('#message', 'Enter');
    await chatLine(b, 'alice', 'hello bob').waitFor(WAIT);
    await chatLine(a, 'alice', 'hello bob').waitFor(WAIT);
    expect(await a.inputValue('#message')).toBe('');
    await b.locator('#typing').waitFor({ state: 'hidden', ...WAIT }); // her message ends the notice

    // bob moves to #random; alice's next #general message must not reach him.
    await b.selectOption('#room', 'random');
    await b.locator('#room-title', { hasText: '#random' }).waitFor(WAIT);
    await systemLine(a, 'bob left #general').waitFor(WAIT);
    await a.fill('#message', 'only for general');
    await a.press('#message', 'Enter');
    await chatLine(a, 'alice', 'only for general').waitFor(WAIT);

    // Barrier: alice follows to #random and speaks there. One server, one socket to bob: had the
    // #general line been sent to him, it would have arrived before this one.
    await a.selectOption('#room', 'random');
    await systemLine(b, 'alice joined #random').waitFor(WAIT);
    await a.fill('#message', 'hi random');
    await a.press('#message', 'Enter');
    await chatLine(b, 'alice', 'hi random').waitFor(WAIT);
    expect(await b.locator('#log li', { hasText: 'only for general' }).count()).toBe(0);

    // Pushed from outside any socket handler: POST /announce reaches both pages.
    const res = await fetch(`${baseUrl}/announce`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Maintenance at noon' }),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ delivered: 2 });
    await a.locator('#log li.system.announce', { hasText: 'Maintenance at noon' }).waitFor(WAIT);
    await b.locator('#log li.system.announce', { hasText: 'Maintenance at noon' }).waitFor(WAIT);

    await mkdir(ARTIFACTS, { recursive: true });
    await a.screenshot({ path: `${ARTIFACTS}chat-alice.png` });
    await b.screenshot({ path: `${ARTIFACTS}chat-bob.png` });

    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
    await a.context().close();
    await b.context().close();
  }, 90_000);
});
