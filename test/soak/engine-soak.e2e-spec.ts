// Long-run memory of the bare engine (NeffosEngine), server in its own process (soak-child.ts):
// thousands of short neffos.js connections that connect a namespace, join a room of their own, emit,
// ask, are asked (answered, timed out, and pending when they go), leave or not, and close cleanly or
// abruptly must leave nothing behind: every internal map back to empty, no connection reachable, and
// the heap after full collections where it was after the warm-up. So must raw clients cut short in
// the handshake or held by their rate limit, and long-lived connections per round of messages.
//
// Measured (2 cores, shared with other runs): 20-60 B/cycle of heap growth over 8,000-12,000 cycles
// (noise: no trend, no map grows), one Conn reachable (read-slice.ts keeps the socket whose frames came
// last). The default run is shorter (SOAK_CYCLES, soak-report.ts).
//
// A stream of server asks that time out kept every one of them: the deadline lane shared by waits of
// one timeout forgot its fired entries only once it emptied, so a lane that always had an ask pending
// (a client that never answers an event, asked again and again) grew by one entry per ask for good:
// 82 B per timed-out ask, 76,961 entries after 64,000 asks. Fixed: 2.8 B/ask (noise), 228 entries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyText, closeNeffos, dialNeffos, type NeffosConn, type NeffosNSConn } from '../utils/neffos-client.js';
import { SoakServer } from './soak-child.js';
import { LongLived, runCycles, runRawCycles } from './soak-cycles.js';
import { expectReleased, expectSizesBack, heapAllowance, measureSoak, report, soakCycles, soakTimeout } from './soak-report.js';

const WARM_UP = 500;
const CYCLES = soakCycles(1_500);
const WORKERS = 16;
const LONG_CLIENTS = 8;
/** Rounds per long-lived connection (each takes about what a cycle takes). */
const LONG_ROUNDS = Math.ceil(CYCLES / 4);
const MiB = 1024 * 1024;
/** Timeout of the unanswered asks: longer than a full collection holds the loop, so the lane never empties. */
const ASK_MS = 200;

describe('soak: the bare engine', () => {
  let server: SoakServer;
  let url: string;

  beforeAll(async () => {
    const started = await SoakServer.start({ SOAK_MODE: 'engine' });
    server = started.server;
    url = `ws://127.0.0.1:${started.ports[0]}/soak`;
  });
  afterAll(() => server?.stop());

  it(`${CYCLES} connections that come and go leave no state and no heap behind`, async () => {
    const cycles = {
      url,
      namespace: 'default',
      // Odd cycles' silent asks time out while connected; even ones are still pending when the client goes.
      silentAskMs: (i: number) => (i % 2 === 1 ? 30 : 5_000),
      leave: (i: number) => i % 3 !== 0,
      terminate: (i: number) => i % 4 === 1,
    };
    const { baseline, after, growth } = await measureSoak(server, 'engine cycles', WARM_UP, CYCLES, (from, count) => runCycles(cycles, from, count, WORKERS));
    expectSizesBack(baseline, after);
    expectReleased(after, ['request', 'Conn', 'NSConn'], WARM_UP + CYCLES);
    expect(growth).toBeLessThan(heapAllowance(CYCLES));
  }, soakTimeout(WARM_UP + CYCLES));

  it(`${CYCLES} raw clients gone mid-handshake, refused, or held by their rate limit leave nothing behind`, async () => {
    const { baseline, after, growth } = await measureSoak(server, 'raw clients', WARM_UP, CYCLES, (from, count) => runRawCycles(url, from, count, WORKERS));
    // `handshaking` among them: a count that leaked would refuse every upgrade past maxPendingHandshakes one day.
    expectSizesBack(baseline, after);
    expectReleased(after, ['request', 'Conn'], WARM_UP + CYCLES);
    expect(growth).toBeLessThan(heapAllowance(CYCLES));
  }, soakTimeout(WARM_UP + CYCLES));

  it(`${LONG_CLIENTS} long-lived connections: ${LONG_ROUNDS} rounds of room, emit, asks and leave each keep nothing per round`, async () => {
    const clients = await LongLived.open(url, 'default', LONG_CLIENTS);
    try {
      await clients.rounds(LONG_ROUNDS / 4);
      // Measured once the rounds' silent asks (30 ms) have timed out.
      const warm = await server.measure(false, 100);
      await clients.rounds(LONG_ROUNDS);
      const after = await server.measure(false, 100);
      const rounds = LONG_ROUNDS * LONG_CLIENTS;
      const growth = report('long-lived connections', warm, after, rounds);
      expectSizesBack(warm, after);
      // Measured: -7.5 to 5.4 B per round over 24,000 rounds (engine and Nest per-connection controller).
      expect(growth).toBeLessThan(1.25 * MiB + rounds * 16);
    } finally {
      await clients.close();
    }
  }, soakTimeout(LONG_ROUNDS * LONG_CLIENTS));

  it('server asks that time out one after the other are forgotten, while their lane is never empty', async () => {
    const clients: NeffosConn[] = [];
    try {
      for (let i = 0; i < 9; i++) clients.push(await dialNeffos(url, { default: { silent: () => {} } }, {}, 10_000));
      const askers: NeffosNSConn[] = await Promise.all(clients.map((c) => c.connect('default')));
      // The server keeps an unanswered ask of this timeout pending throughout, measurements included.
      expect(bodyText(await askers.pop()!.ask('keepAsking', String(ASK_MS)))).toBe('keeping');
      const asks = async (perClient: number) => {
        await Promise.all(
          askers.map(async (ns) => {
            for (let i = 0; i < perClient; i++) bodyText(await ns.ask('askSilent', String(ASK_MS)));
          }),
        );
        // Measured once the askers' asks have timed out: what is left in the lane is the keeper's.
        return server.measure(false, 2 * ASK_MS);
      };
      const warm = await asks(500);
      const after = await asks(4_000);
      const growth = report('timed-out server asks', warm, after, 4_000 * askers.length);
      // The keeper's asks of the last ASK_MS (a few hundred), not every ask since the lane last emptied.
      expect(after.sizes.laneEntries).toBeLessThan(5_000);
      // 57-82 B per timed-out ask before the fix: 1.8-2.6 MB here.
      expect(growth).toBeLessThan(1 * MiB);
    } finally {
      for (const c of clients) await closeNeffos(c);
    }
  }, 60_000);
});
