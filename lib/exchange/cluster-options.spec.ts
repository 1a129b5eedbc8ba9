import { describe, expect, it } from 'vitest';
import { MAX_TIMER_MS } from '../engine/deadline-queue.js';
import { InvalidOptionError } from '../engine/engine.errors.js';
import { resolveClusterOptions } from './cluster.exchange.js';

describe('resolveClusterOptions: the exchange timing options', () => {
  it.each([
    ['a zero heartbeatInterval', { heartbeatInterval: 0 }, /heartbeatInterval must be a positive number of milliseconds up to 2147483647/],
    ['a heartbeatInterval past the longest Node timer (it would fire every millisecond)', { heartbeatInterval: 3e9 }, /heartbeatInterval .* got 3000000000/],
    ['a heartbeatInterval that is not a number', { heartbeatInterval: '1000' as never }, /heartbeatInterval .* got 1000/],
    ['a nodeTimeout not above the heartbeat', { heartbeatInterval: 1000, nodeTimeout: 1000 }, /nodeTimeout must be a number of milliseconds above heartbeatInterval \(1000\)/],
    ['a nodeTimeout past the longest Node timer', { nodeTimeout: MAX_TIMER_MS + 1 }, /nodeTimeout .* got 2147483648/],
    ['an infinite nodeTimeout', { nodeTimeout: Infinity }, /nodeTimeout .* got Infinity/],
    ['a connectTimeout past the longest Node timer (it would give up at once)', { connectTimeout: 3e9 }, /connectTimeout must be a positive number of milliseconds up to 2147483647 .* got 3000000000/],
    ['a NaN connectTimeout', { connectTimeout: NaN }, /connectTimeout .* got NaN/],
  ])('refuses %s with InvalidOptionError', (_what, options, message) => {
    const resolve = () => resolveClusterOptions(options);
    expect(resolve).toThrow(InvalidOptionError);
    expect(resolve).toThrow(message);
  });

  it('takes the longest Node timer, fractions of a millisecond, and defaults the rest', () => {
    expect(resolveClusterOptions({ heartbeatInterval: 250.5, nodeTimeout: MAX_TIMER_MS, connectTimeout: MAX_TIMER_MS })).toMatchObject({
      heartbeatInterval: 250.5,
      nodeTimeout: MAX_TIMER_MS,
      connectTimeout: MAX_TIMER_MS,
    });
    expect(resolveClusterOptions({})).toMatchObject({ heartbeatInterval: 1000, nodeTimeout: 3000, connectTimeout: 10_000 });
  });
});
