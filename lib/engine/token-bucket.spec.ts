import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

/** A bucket of `perSecond` and `burst` on a clock the test moves. */
function bucket(perSecond: number, burst: number, start = 0): { b: TokenBucket; at(ms: number): void } {
  let t = start;
  return { b: new TokenBucket(perSecond / 1000, burst, 0, () => t), at: (ms) => (t = ms) };
}

describe('TokenBucket', () => {
  it('allows a burst, then refills at the rate, never above the burst', () => {
    const { b, at } = bucket(10, 3);
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false]);
    expect(b.msUntilToken()).toBe(100);
    at(50);
    expect(b.take()).toBe(false);
    at(100);
    expect(b.take()).toBe(true);
    // A long idle stretch refills to the burst, not beyond.
    at(100_000);
    expect(b.msUntilToken()).toBe(0);
    let n = 0;
    while (b.take()) n++;
    expect(n).toBe(3);
  });

  it('a clock that goes backwards adds no tokens', () => {
    const { b, at } = bucket(1000, 1, 1000);
    expect(b.take()).toBe(true);
    at(500);
    expect(b.take()).toBe(false);
  });

  it('reads the clock only when it runs empty', () => {
    let reads = 0;
    const b = new TokenBucket(1, 100, 0, () => {
      reads++;
      return 0;
    });
    for (let i = 0; i < 100; i++) expect(b.take()).toBe(true);
    expect(reads).toBe(1); // the constructor's
    expect(b.take()).toBe(false);
    expect(reads).toBe(2);
  });
});
