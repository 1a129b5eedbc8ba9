// Issue 8 item 3: inbound rate limits. A per-connection token bucket (`messageRate`, `messageBurst`)
// with a policy for frames over it (`onRateLimit`: delay by TCP backpressure, drop, error reply, or
// close 1008); a cap on pending server asks per connection; a cap on rooms per connection; global caps
// on connections and on handshakes in flight, answered with HTTP 503.
import { describe, expect, it } from 'vitest';
import type { EngineOptions, NSConn } from '../../lib/engine/index.js';
import { startEcho } from '../utils/engine-fixtures.js';
import { useEngineHarness } from '../utils/engine-harness.js';
import { RawClient } from '../utils/raw-client.js';
import { deferred, EventLog } from '../utils/wait.js';
import { floodOf, tcpOf } from './abuse.js';

describe('rate limits and caps', () => {
  const h = useEngineHarness();
  let nsConns: EventLog<NSConn>;

  async function start(options: Partial<EngineOptions> = {}): Promise<void> {
    nsConns = await startEcho(h, options);
  }

  /** `n` echo asks `$1…$n` in one TCP write. */
  function burst(client: RawClient, n: number): void {
    tcpOf(client).write(Buffer.concat(Array.from({ length: n }, (_, i) => floodOf(`$${i + 1};default;;echo;0;0;${i + 1}`, 1))));
  }

  it("'delay' (the default policy): a burst past the bucket is slowed to the rate by backpressure, every ask answered in order", async () => {
    await start({ messageRate: 200, messageBurst: 10 });
    const client = await h.rawConnected();
    const neighbour = await h.rawConnected();
    const t0 = performance.now();
    burst(client, 60);
    for (let i = 1; i <= 60; i++) await client.expectFrame(`$${i};default;;echo;0;0;${i}`, { timeoutMs: 5_000 });
    // 10 at once from the burst, then 50 at 200/s: at least 250 ms (today: a few ms).
    expect(performance.now() - t0).toBeGreaterThan(200);
    await neighbour.expectEcho('default', 'unaffected');
  });

  it("'close': past the bucket the connection is closed with 1008 and the reason", async () => {
    await start({ messageRate: 100, messageBurst: 10, onRateLimit: 'close' });
    const client = await h.rawConnected();
    burst(client, 50);
    const closed = await client.whenClosed();
    expect(closed.code).toBe(1008);
    expect(closed.reason).toContain('messageRate');
  });

  it("'error': asks past the bucket get an error reply naming the limit; the connection stays", async () => {
    await start({ messageRate: 1, messageBurst: 6, onRateLimit: 'error' });
    const client = await h.rawConnected(); // the namespace connect took one token
    burst(client, 8);
    for (let i = 1; i <= 5; i++) await client.expectFrame(`$${i};default;;echo;0;0;${i}`);
    for (let i = 6; i <= 8; i++) {
      const frame = await client.next();
      expect(frame.text.startsWith(`$${i};default;;echo;1;0;`)).toBe(true);
      expect(frame.text).toContain('messageRate');
    }
    expect(client.isOpen).toBe(true);
  });

  it("'drop': frames past the bucket are skipped silently", async () => {
    await start({ messageRate: 1, messageBurst: 3, onRateLimit: 'drop' });
    const client = await h.rawConnected(); // the namespace connect took one token
    burst(client, 5);
    for (let i = 1; i <= 2; i++) await client.expectFrame(`$${i};default;;echo;0;0;${i}`);
    await expect(client.next(300)).rejects.toThrow(/timed out/);
    expect(client.isOpen).toBe(true);
  });

  it('invalid rate options are refused at construction with a clear message', async () => {
    await expect(start({ messageRate: -1 })).rejects.toThrow(/messageRate/);
    await expect(start({ onRateLimit: 'slow' as never })).rejects.toThrow(/onRateLimit/);
  });

  it('server asks pending on one connection are capped (maxPendingAsks): the next one rejects at once', async () => {
    await start({ maxPendingAsks: 3 });
    await h.rawConnected(); // never answers
    const ns = await nsConns.waitFor(() => true);
    const pending = [1, 2, 3].map((i) => ns.ask('q', String(i), { timeout: 5_000 }));
    for (const p of pending) p.catch(() => {});
    await expect(ns.ask('q', '4', { timeout: 1_000 })).rejects.toThrow(/maxPendingAsks/);
  });

  it('rooms per connection are capped (maxRoomsPerConnection), for client and server joins', async () => {
    await start({ maxRoomsPerConnection: 3 });
    const client = await h.rawConnected();
    for (const room of ['a', 'b', 'c']) await client.joinRoom('default', room);
    client.send('$9;default;d;_OnRoomJoin;0;0;');
    const frame = await client.next();
    expect(frame.text.startsWith('$9;default;d;_OnRoomJoin;1;0;')).toBe(true);
    expect(frame.text).toContain('maxRoomsPerConnection');
    const ns = await nsConns.waitFor(() => true);
    await expect(ns.joinRoom('e')).rejects.toThrow(/maxRoomsPerConnection/);
    expect(ns.rooms.size).toBe(3);
  });

  it('past maxConnections, upgrades are refused with HTTP 503', async () => {
    await start({ maxConnections: 2 });
    await h.rawReady();
    await h.rawReady();
    expect(await RawClient.refusedStatus(h.wsUrl())).toBe(503);
  });

  it('past maxPendingHandshakes (authorize still running), upgrades are refused with HTTP 503', async () => {
    const authorized = deferred<boolean>();
    await start({ maxPendingHandshakes: 1, authorize: () => authorized.promise });
    const first = await h.raw();
    first.send('M');
    expect(await RawClient.refusedStatus(h.wsUrl())).toBe(503);
    authorized.resolve(true);
    expect((await first.next()).text.startsWith('A')).toBe(true);
    await h.rawReady(); // the slot is free again
  });
});
