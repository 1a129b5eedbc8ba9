import { describe, expect, it } from 'vitest';
import type { NeffosLogger } from '../engine/stack-exchange.js';
import { DropLog } from './drop-log.js';

/** A logger whose lines a test can wait for (a count line comes from the log's own timer). */
function recorder(): { lines: string[]; logger: NeffosLogger; waitForCount(n: number): Promise<void> } {
  const lines: string[] = [];
  let waiter: { n: number; done(): void } | undefined;
  const push = (line: string) => {
    lines.push(line);
    if (waiter !== undefined && lines.length >= waiter.n) waiter.done();
  };
  return {
    lines,
    logger: { log: (m) => push(`log ${m}`), warn: (m) => push(`warn ${m}`), error: (m) => push(`error ${m}`) },
    waitForCount(n) {
      if (lines.length >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`expected ${n} lines, got ${JSON.stringify(lines)}`)), 2_000);
        waiter = { n, done: () => (clearTimeout(timer), resolve()) };
      });
    },
  };
}

describe('DropLog', () => {
  it('logs the first drop of each kind, counts the rest, and says how many at the end of the interval', async () => {
    const { lines, logger, waitForCount } = recorder();
    const drops = new DropLog(() => logger, 100);
    try {
      for (let i = 0; i < 50; i++) drops.drop('malformed', `dropped message ${i}`);
      drops.drop('foreign', 'dropped a foreign one');
      drops.drop('handler-failure', 'a handler failed', 'error');
      expect(lines).toEqual(['warn dropped message 0', 'warn dropped a foreign one', 'error a handler failed']);
      await waitForCount(4);
      expect(lines[3]).toBe('warn exchange: 49 more bus message(s) of kind "malformed" in the last 0.1 s were not logged one by one; last: dropped message 49');
      // Still muted in the next interval: a flood costs one line per interval.
      drops.drop('malformed', 'dropped message 50');
      drops.drop('malformed', 'dropped message 51');
      await waitForCount(5);
      expect(lines[4]).toMatch(/^warn exchange: 2 more bus message\(s\) of kind "malformed" .*last: dropped message 51$/);
      // The foreign kind was quiet for a whole interval: its next drop is logged in full.
      drops.drop('foreign', 'another foreign one');
      expect(lines[5]).toBe('warn another foreign one');
    } finally {
      drops.close();
    }
  });

  it('counts the sockets of the direct node link as sockets, not bus messages', async () => {
    const { lines, logger, waitForCount } = recorder();
    const drops = new DropLog(() => logger, 50);
    try {
      for (let i = 0; i < 3; i++) drops.drop('link-auth', `dropped socket ${i}`);
      await waitForCount(2);
      expect(lines[1]).toMatch(/^warn exchange: 2 more direct-link socket\(s\) of kind "link-auth" .*last: dropped socket 2$/);
    } finally {
      drops.close();
    }
  });

  it('reports nothing more once closed', async () => {
    const closed = recorder();
    const drops = new DropLog(() => closed.logger, 20);
    drops.drop('malformed', 'one');
    drops.drop('malformed', 'two');
    drops.close();
    // A log armed later with the same interval fires after the closed one would have.
    const witness = recorder();
    const later = new DropLog(() => witness.logger, 20);
    later.drop('malformed', 'one');
    later.drop('malformed', 'two');
    await witness.waitForCount(2);
    later.close();
    expect(closed.lines).toEqual(['warn one']);
  });
});
