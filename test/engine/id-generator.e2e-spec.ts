// An idGenerator that returns no string refuses every handshake. Returning '' is a way to refuse one
// client on purpose; returning a number or an object is a bug, which used to refuse everyone with
// nothing logged. It is now logged once per engine (not per handshake), and clients read the same text.
import { describe, expect, it } from 'vitest';
import { ID_NOT_A_STRING, NO_CONNECTION_ID } from '../../lib/engine/engine.messages.js';
import { useEngineHarness } from '../utils/engine-harness.js';

const h = useEngineHarness();

async function refused(): Promise<string> {
  const client = await h.raw();
  client.send('M');
  return (await client.next()).text;
}

describe('an idGenerator that returns no string', () => {
  it.each([
    ['a number', 42],
    ['an object', { id: 7 }],
    ['undefined', undefined],
    ['a BigInt', 7n],
  ])('(%s) refuses every handshake with the usual text and is logged once', async (_name, value) => {
    const warnings: string[] = [];
    await h.start({
      path: '/echo',
      namespaces: { default: {} },
      idGenerator: () => value as unknown as string,
      logger: { log: () => {}, warn: (m) => warnings.push(m), error: () => {} },
    });
    expect(await refused()).toBe(`H${NO_CONNECTION_ID}`);
    expect(await refused()).toBe(`H${NO_CONNECTION_ID}`);
    expect(warnings).toEqual([ID_NOT_A_STRING(value)]);
    expect(warnings[0]).toMatch(/^idGenerator returned (number 42|object \{"id":7\}|undefined|bigint 7), not a string/);
  });

  it("returning '' refuses that client on purpose: nothing is logged", async () => {
    const warnings: string[] = [];
    await h.start({ path: '/echo', namespaces: { default: {} }, idGenerator: () => '', logger: { log: () => {}, warn: (m) => warnings.push(m), error: () => {} } });
    expect(await refused()).toBe(`H${NO_CONNECTION_ID}`);
    expect(warnings).toEqual([]);
  });
});
