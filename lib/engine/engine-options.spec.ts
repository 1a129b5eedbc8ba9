import { describe, expect, it } from 'vitest';
import { withDefaults, type EngineOptions } from './engine-options.js';
import { InvalidOptionError } from './engine.errors.js';
import { MAX_TIMER_MS, OPTION_BAD_BACKPRESSURE, OPTION_BAD_PATH, OPTION_HANDLER_NOT_FUNCTION, OPTION_NO_NAMESPACES, OPTION_NOT_POSITIVE } from './engine.messages.js';

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
    ['a fractional maxPayload', { ...base, maxPayload: 1.5 }, OPTION_NOT_POSITIVE('maxPayload', 1.5, false)],
    ['a fractional maxPayload string', { ...base, maxPayload: '1024.5' as never }, OPTION_NOT_POSITIVE('maxPayload', '1024.5', false)],
    ['a fractional maxQueuedFrames', { ...base, maxQueuedFrames: 10.5 }, OPTION_NOT_POSITIVE('maxQueuedFrames', 10.5, false)],
    ['a fractional messageBurst', { ...base, messageBurst: 2.5 }, OPTION_NOT_POSITIVE('messageBurst', 2.5, false)],
    ['a fractional maxConnections', { ...base, maxConnections: 0.5 }, OPTION_NOT_POSITIVE('maxConnections', 0.5, true)],
    ['a fractional askTimeout', { ...base, askTimeout: 1.5 }, OPTION_NOT_POSITIVE('askTimeout', 1.5, false)],
    ['a handshakeTimeout past the longest Node timer', { ...base, handshakeTimeout: MAX_TIMER_MS + 1 }, OPTION_NOT_POSITIVE('handshakeTimeout', MAX_TIMER_MS + 1, false)],
    ['a pingInterval past the longest Node timer', { ...base, pingInterval: 3e9 }, OPTION_NOT_POSITIVE('pingInterval', 3e9, true)],
  ] as const)('refuses %s with InvalidOptionError and its message', (_what, options, message) => {
    expect(() => withDefaults(options as EngineOptions)).toThrow(new InvalidOptionError(message));
  });

  it('keeps the special and boundary values: 0 where it disables, the longest Node timer, a fractional rate', () => {
    const o = withDefaults({ ...base, maxConnections: 0, handlerTimeout: 0, pingInterval: MAX_TIMER_MS, askTimeout: MAX_TIMER_MS, messageRate: 0.5, maxPayload: '65536' as never });
    expect(o).toMatchObject({ maxConnections: Infinity, handlerTimeout: 0, pingInterval: MAX_TIMER_MS, askTimeout: MAX_TIMER_MS, messageRate: 0.0005, maxPayload: 65536 });
  });

  it('option messages say what is allowed: whole numbers, and times up to the longest Node timer', () => {
    expect(OPTION_NOT_POSITIVE('maxPayload', 1.5, false)).toBe('option maxPayload must be a positive whole number of bytes, got 1.5');
    expect(OPTION_NOT_POSITIVE('handshakeTimeout', 3e9, false)).toBe(
      'option handshakeTimeout must be a positive whole number of milliseconds up to 2147483647 (the longest Node timer, about 24.8 days), got 3000000000',
    );
    expect(OPTION_NOT_POSITIVE('messageRate', -1, true)).toBe('option messageRate must be a non-negative number of messages per second, got -1');
  });

  it('option messages name the unit: bytes for sizes, milliseconds for times', () => {
    expect(OPTION_NOT_POSITIVE('maxPayload', 0, false)).toContain('number of bytes');
    expect(OPTION_NOT_POSITIVE('askTimeout', 0, false)).toContain('number of milliseconds');
    expect(OPTION_NOT_POSITIVE('pingInterval', -1, true)).toContain('non-negative');
  });
});
