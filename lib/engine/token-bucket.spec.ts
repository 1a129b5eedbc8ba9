import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows a burst, then refills at the rate, never above the burst', () => {
    const b = TokenBucket.perSecond(10, 3, 0);
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
    expect(b.msUntilToken(0)).toBe(100);
    expect(b.take(50)).toBe(false);
    expect(b.take(100)).toBe(true);
    // A long idle stretch refills to the burst, not beyond.
    expect(b.msUntilToken(100_000)).toBe(0);
    let n = 0;
    while (b.take(100_000)) n++;
    expect(n).toBe(3);
  });

  it('a clock that goes backwards adds no tokens', () => {
    const b = TokenBucket.perSecond(1000, 1, 1000);
    expect(b.take(1000)).toBe(true);
    expect(b.take(500)).toBe(false);
  });
});
