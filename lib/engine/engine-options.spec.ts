import { describe, expect, it } from 'vitest';
import { withDefaults, type EngineOptions } from './engine-options.js';
import { InvalidOptionError } from './engine.errors.js';
import { OPTION_BAD_BACKPRESSURE, OPTION_BAD_PATH, OPTION_HANDLER_NOT_FUNCTION, OPTION_NO_NAMESPACES, OPTION_NOT_POSITIVE } from './engine.messages.js';

const echo = (): string => 'x';
const base: EngineOptions = { path: '/echo', namespaces: { default: { echo } } };

describe('withDefaults', () => {
  it('fills every default once', () => {
    const o = withDefaults(base);
    expect(o).toMatchObject({
      path: '/echo',
      maxPayload: 1024 * 1024,
      askTimeout: 10_000,
      handshakeTimeout: 10_000,
      maxQueuedBytes: 4 * 1024 * 1024,
      pingInterval: 30_000,
      writeBufferHighWaterMark: 8 * 1024 * 1024,
      onBackpressure: 'close',
      origins: '*',
      subprotocols: undefined,
      nativeOnly: false,
    });
    expect(typeof o.idGenerator).toBe('function');
    expect(typeof o.onError).toBe('function');
  });

  it('keeps given values, and pingInterval 0 (disabled)', () => {
    const o = withDefaults({ ...base, askTimeout: 5, pingInterval: 0, onBackpressure: 'drop', origins: ['https://a.example'] });
    expect(o).toMatchObject({ askTimeout: 5, pingInterval: 0, onBackpressure: 'drop', origins: new Set(['https://a.example']) });
  });

  it('copies handler maps into prototype-free objects: "constructor" finds nothing', () => {
    const o = withDefaults(base);
    expect(Object.getPrototypeOf(o.namespaces)).toBeNull();
    expect(Object.getPrototypeOf(o.namespaces.default)).toBeNull();
    expect(o.namespaces.default!.constructor).toBeUndefined();
    expect(o.namespaces.constructor).toBeUndefined();
    expect(o.namespaces.default!.echo).toBe(echo);
  });

  it('detects Go native-only mode: namespace "" with _OnNativeMessage as its only event', () => {
    expect(withDefaults({ path: '/n', namespaces: { '': { _OnNativeMessage: echo } } }).nativeOnly).toBe(true);
    expect(withDefaults({ path: '/n', namespaces: { '': { _OnNativeMessage: echo, other: echo } } }).nativeOnly).toBe(false);
    expect(withDefaults({ path: '/n', namespaces: { '': { _OnNativeMessage: echo }, b: {} } }).nativeOnly).toBe(false);
  });

  it.each([
    ['a path without a leading slash', { ...base, path: 'echo' }, OPTION_BAD_PATH('echo')],
    ['no namespaces', { ...base, namespaces: {} }, OPTION_NO_NAMESPACES],
    ['a handler that is not a function', { ...base, namespaces: { default: { echo: 'x' as never } } }, OPTION_HANDLER_NOT_FUNCTION('echo', 'default')],
    ['an unknown onBackpressure', { ...base, onBackpressure: 'wait' as never }, OPTION_BAD_BACKPRESSURE('wait')],
    ['a zero askTimeout', { ...base, askTimeout: 0 }, OPTION_NOT_POSITIVE('askTimeout', 0, false)],
    ['a negative pingInterval', { ...base, pingInterval: -1 }, OPTION_NOT_POSITIVE('pingInterval', -1, true)],
    ['an infinite maxPayload', { ...base, maxPayload: Infinity }, OPTION_NOT_POSITIVE('maxPayload', Infinity, false)],
    ['a NaN maxQueuedBytes', { ...base, maxQueuedBytes: Number.NaN }, OPTION_NOT_POSITIVE('maxQueuedBytes', Number.NaN, false)],
  ] as const)('refuses %s with InvalidOptionError and its message', (_what, options, message) => {
    expect(() => withDefaults(options as EngineOptions)).toThrow(new InvalidOptionError(message));
  });

  it('option messages name the unit: bytes for sizes, milliseconds for times', () => {
    expect(OPTION_NOT_POSITIVE('maxPayload', 0, false)).toContain('number of bytes');
    expect(OPTION_NOT_POSITIVE('askTimeout', 0, false)).toContain('number of milliseconds');
    expect(OPTION_NOT_POSITIVE('pingInterval', -1, true)).toContain('non-negative');
  });
});
