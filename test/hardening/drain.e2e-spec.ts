// Issue 8 item 2: no O(n) step per frame and no unbounded synchronous loop. A connection with a maximal
// backlog queued behind a pending handler drains it in bounded slices, so the event loop stays
// responsive and another connection's asks keep a low latency meanwhile.
import { describe, expect, it } from 'vitest';
import { useHold } from '../utils/engine-fixtures.js';
import { useEngineHarness } from '../utils/engine-harness.js';
import { deferred } from '../utils/wait.js';
import { floodOf, neighbourAsks, tcpOf, watchLoop } from './abuse.js';

/**
 * Stated bounds, generous for a shared 2-core machine: the engine yields every 4 ms, but ws parses a
 * whole 64 KiB read (thousands of tiny frames) at once, and on a machine running ten times more work
 * than it has cores that alone has taken over a second of wall time (neighbour 1.2 s seen at load
 * average 26). The code before the fix blocked the loop for this backlog 16 s on a quiet machine and
 * 92 s on that loaded one.
 */
const LOOP_DELAY_MAX_MS = 2_500;
const NEIGHBOUR_MAX_MS = 2_500;

describe('draining a backlog', () => {
  const h = useEngineHarness();
  const hold = useHold();

  for (const when of ['behind a pending handler', 'while authorize runs'] as const) {
    it(`200k frames queued ${when} drain without blocking the loop; a neighbour's asks are answered meanwhile`, async () => {
      const authorized = deferred<boolean>();
      const gated = when === 'while authorize runs';
      let gate = false; // only the attacker's handshake waits
      await h.start({
        path: '/echo',
        // The pre-handshake budget is not what this test is about: allow the whole backlog there.
        ...(gated ? { maxHandshakeQueuedFrames: 200_000, maxHandshakeQueuedBytes: 256 * 1024 * 1024 } : {}),
        maxQueuedFrames: 200_000,
        maxQueuedBytes: 256 * 1024 * 1024,
        // Nor the rate limit, which would pace this drain to 10,000 frames/s: the slices are the subject.
        messageRate: 0,
        authorize: () => (gate ? authorized.promise : true),
        namespaces: {
          default: {
            echo: (msg) => msg.body,
            hold: hold.handler,
          },
        },
      });
      const neighbour = await h.rawConnected();
      gate = gated;
      const attacker = await h.raw();
      attacker.send('M');
      const N = 200_000;
      if (gated) {
        tcpOf(attacker).write(Buffer.concat([floodOf('$c;default;;_OnNamespaceConnect;0;0;', 1), floodOf('x', N), floodOf('$last;default;;echo;0;0;end', 1)]));
      } else {
        expect((await attacker.next()).text.startsWith('A')).toBe(true);
        await attacker.connectNamespace('default');
        attacker.send('$h;default;;hold;0;0;');
        tcpOf(attacker).write(Buffer.concat([floodOf('x', N), floodOf('$last;default;;echo;0;0;end', 1)]));
      }
      // Let the backlog build up (the attacker's bytes reach the server), then release it.
      await neighbour.expectEcho('default', 'warm');
      gate = false;
      const loop = watchLoop();
      let drained = false;
      const last = (async () => {
        if (gated) {
          authorized.resolve(true);
          expect((await attacker.next(30_000)).text.startsWith('A')).toBe(true);
          await attacker.expectFrame('$c;;;;;;', { timeoutMs: 30_000 });
        } else {
          hold.release();
          await attacker.expectFrame('$h;default;;hold;0;0;released', { timeoutMs: 30_000 });
        }
        await attacker.expectFrame('$last;default;;echo;0;0;end', { timeoutMs: 60_000 });
        drained = true;
      })();
      const times = await neighbourAsks(neighbour, () => drained);
      await last;
      const { maxMs } = loop.stop();
      expect(maxMs, 'worst event-loop delay while draining').toBeLessThan(LOOP_DELAY_MAX_MS);
      expect(Math.max(...times), `slowest neighbour ask (of ${times.length})`).toBeLessThan(NEIGHBOUR_MAX_MS);
    }, 90_000);
  }
});
