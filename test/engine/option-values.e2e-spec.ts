// Numeric options of the right type but a value the engine cannot honour are refused when the engine
// is built, with InvalidOptionError saying what is allowed: a fractional size or count (maxPayload: 1.5)
// and a time past the longest Node timer, which Node turns into 1 ms (handshakeTimeout: 3e9 closed every
// handshake at once with "no ack within 3000000000 ms"). The longest timer itself works.
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, NeffosEngine, type EngineOptions } from '../../lib/engine/index.js';
import type { Message } from '../../lib/index.js';
import { MAX_TIMER_MS, OPTION_NOT_POSITIVE } from '../../lib/engine/engine.messages.js';
import { useEngineHarness } from '../utils/engine-harness.js';

const base: EngineOptions = { path: '/echo', namespaces: { default: { echo: (msg: Message) => msg.body } } };

describe('numeric option values', () => {
  const h = useEngineHarness();

  it.each([
    ['maxPayload', 1.5, false],
    ['maxHandshakeQueuedBytes', 100.25, false],
    ['maxPendingAsks', 9.9, false],
    ['maxRoomsPerConnection', -1, false],
    ['maxPendingHandshakes', 0.5, true],
    ['shutdownTimeout', 2000.5, false],
    ['handlerTimeout', 3e9, true],
    ['handshakeTimeout', 3e9, false],
  ] as const)('%s: %j is refused by the engine, saying what is allowed', (name, value, allowZero) => {
    expect(() => new NeffosEngine({ ...base, [name]: value })).toThrow(new InvalidOptionError(OPTION_NOT_POSITIVE(name, value, allowZero)));
  });

  it('times up to the longest Node timer are served as given (no overflow to 1 ms)', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      await h.start({ ...base, handshakeTimeout: MAX_TIMER_MS, pingInterval: MAX_TIMER_MS, askTimeout: MAX_TIMER_MS });
      const client = await h.rawConnected();
      await client.expectEcho();
      expect(h.engine.connectionCount).toBe(1);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('TimeoutOverflowWarning');
  });
});
