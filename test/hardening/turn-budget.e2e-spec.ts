// Issue 8 target: no connection, alone or with others, holds the event loop. The frames of every
// connection share one budget per loop turn (lib/engine/turn-budget.ts): a handler's continuation (a
// settled promise that runs the next queued frame) counts against it, and so does every other
// connection's read. Measured here: the longest CPU stretch between two loop turns (CPU, not wall time,
// so a loaded machine that preempts the process does not count; garbage collections' pauses are not).
// Before: one connection's 20,000 refused room joins ran ~2,000 per turn as a chain of microtasks
// (each building an Error with its stack), and 32 flooding connections each got a slice of their own.
import { describe, expect, it } from 'vitest';
import type { EngineOptions } from '../../lib/engine/index.js';
import { useEngineHarness } from '../utils/engine-harness.js';
import type { RawClient } from '../utils/raw-client.js';
import { floodOf, maskedFrame, tcpOf, until, watchTurns } from './abuse.js';

/**
 * CPU of the main thread between two turns. The budget is 4 ms: these ran 5–11 ms at load average 10–12
 * (a clock read every 16 frames, the writes of the turn's replies); before the fix 37–52 ms (refused
 * joins), 75–97 ms (32 connections), and the async handler's chain as long as a read's frames.
 */
const MAX_TURN_CPU_MS = 25;
/**
 * The async handler's test gets more room: under a loaded full run its longest stretch reached 30–31 ms
 * (twice in about 40 runs; the server and the test's own client share this thread, GC pauses are taken off),
 * while the fault it guards against, continuations that drain a whole read's frames in one turn, costs at
 * least a read's 2,600 frames × 30 µs ≈ 78 ms, and 300–320 ms with no budget at all (measured).
 */
const MAX_ASYNC_TURN_CPU_MS = 50;
/** What each ask of the async handler costs before it settles: 2,000 frames of a read chained ran 60+ ms. */
const HANDLER_WORK_MS = 0.03;

/** Keeps the thread busy for `ms` (a handler's own work), a bounded loop on the clock. */
function work(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('the frames of all connections share one budget per loop turn', () => {
  const h = useEngineHarness();

  async function start(options: Partial<EngineOptions> = {}): Promise<void> {
    await h.start({
      path: '/echo',
      // The rate limit would pace these floods to 10,000 frames/s: the budget is the subject.
      messageRate: 0,
      namespaces: {
        default: {
          echo: (msg) => msg.body,
          later: async (msg) => {
            work(HANDLER_WORK_MS);
            return msg.body;
          },
        },
      },
      ...options,
    });
  }

  /** Every frame of `clients` received (`each` per client), or a close: then the longest turn. */
  async function watchUntilAnswered(clients: RawClient[], each: number, flood: () => void): Promise<{ maxCpuMs: number }> {
    const before = clients.map((c) => c.received.length);
    const turns = watchTurns();
    flood();
    await until(() => clients.every((c, i) => c.received.length - before[i]! >= each || c.ws.readyState !== c.ws.OPEN), 'every reply', 60_000);
    const watched = await turns.stop();
    for (const c of clients) expect(c.ws.readyState, 'a flooder was closed').toBe(c.ws.OPEN);
    return watched;
  }

  it('20,000 room joins past maxRoomsPerConnection are refused in bounded turns, not in one chain of continuations', async () => {
    await start({ maxRoomsPerConnection: 1 });
    const client = await h.rawConnected();
    await client.joinRoom('default', 'only');
    const N = 20_000;
    const joins = Buffer.concat(Array.from({ length: N }, (_, i) => maskedFrame(`$j${i};default;r${i};_OnRoomJoin;0;0;`)));
    const { maxCpuMs } = await watchUntilAnswered([client], N, () => tcpOf(client).write(joins));
    expect(client.received.at(-1)!.text).toBe(`$j${N - 1};default;r${N - 1};_OnRoomJoin;1;0;too many rooms on this connection (maxRoomsPerConnection 1)`);
    expect(maxCpuMs, 'longest CPU stretch between two loop turns, ms').toBeLessThan(MAX_TURN_CPU_MS);
    for (let left = client.pending.length; left > 0; left--) await client.next();
    await client.expectEcho('default', 'still served');
  }, 90_000);

  it('20,000 asks of an async handler (30 µs of work each): each settled promise runs the next frame within the same budget', async () => {
    await start();
    const client = await h.rawConnected();
    const N = 20_000;
    const { maxCpuMs } = await watchUntilAnswered([client], N, () => tcpOf(client).write(floodOf('$1;default;;later;0;0;x', N)));
    expect(maxCpuMs, 'longest CPU stretch between two loop turns, ms').toBeLessThan(MAX_ASYNC_TURN_CPU_MS);
  }, 90_000);

  it('32 connections flooding at once share the budget: a turn is not 32 slices', async () => {
    await start();
    const clients = await Promise.all(Array.from({ length: 32 }, () => h.rawConnected()));
    const N = 3_000;
    const flood = floodOf('$1;default;;echo;0;0;x', N);
    const { maxCpuMs } = await watchUntilAnswered(clients, N, () => {
      for (const c of clients) tcpOf(c).write(flood);
    });
    expect(maxCpuMs, 'longest CPU stretch between two loop turns, ms').toBeLessThan(MAX_TURN_CPU_MS);
  }, 90_000);
});
