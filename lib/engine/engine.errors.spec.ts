import { describe, expect, it } from 'vitest';
import { errorText } from './engine.errors.js';
import { UNPRINTABLE_ERROR } from './engine.messages.js';

describe('errorText', () => {
  it('an Error gives its message, a string itself', () => {
    expect(errorText(new Error('boom'))).toBe('boom');
    expect(errorText(new TypeError(''))).toBe('');
    expect(errorText('plain')).toBe('plain');
  });

  it('other values are written as JSON', () => {
    expect(errorText({ code: 7 })).toBe('{"code":7}');
    expect(errorText(42)).toBe('42');
    expect(errorText(null)).toBe('null');
    expect(errorText([1, 'a'])).toBe('[1,"a"]');
  });

  it('values JSON cannot write still give sane text, and it never throws', () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const hostile = Object.create(null) as Record<string, unknown>;
    hostile.toJSON = () => {
      throw new Error('no JSON');
    };
    const badMessage = new Error('x');
    Object.defineProperty(badMessage, 'message', { value: 12 });

    expect(errorText(10n)).toBe('10');
    expect(errorText(Symbol('why'))).toBe('Symbol(why)');
    expect(errorText(undefined)).toBe('undefined');
    expect(errorText(cycle)).toBe('[object Object]');
    expect(errorText(() => 1)).toMatch(/=>\s*1/);
    expect(errorText(badMessage)).toBe('12');
    expect(errorText(hostile)).toBe(UNPRINTABLE_ERROR);
    expect(errorText(proxy)).toBe(UNPRINTABLE_ERROR);
  });
});
