// Issue 8 item 1: every per-connection budget counts what it costs. Frames queued behind a pending
// handler are bounded by count and by bytes including a per-frame overhead, and past a threshold the
// socket stops being read (TCP backpressure) instead of piling frames up in the heap; frames sent
// before the handshake completes have their own small budget; outbound buffering counts pending
// frames, not only bytes, and a peer that does not read is cut off quickly instead of after ws's 30 s.
import { describe, expect, it } from 'vitest';
import type { EngineOptions } from '../../lib/engine/index.js';
import { useHold } from '../utils/engine-fixtures.js';
import { useEngineHarness } from '../utils/engine-harness.js';
import { deferred, withTimeout } from '../utils/wait.js';
import { floodOf, memoryMiB, serverConn, serverTcp, serverWs, tcpOf, until } from './abuse.js';

describe('per-connection budgets', () => {
  const h = useEngineHarness();
  const hold = useHold();

  async function start(options: Partial<EngineOptions> = {}): Promise<void> {
    await h.start({
      path: '/echo',
      namespaces: {
        default: {
          echo: (msg) => msg.body,
          hold: hold.handler,
        },
      },
      ...options,
    });
  }

  it('150k one-byte frames behind a pending handler hold a few MiB, not ~150 B each: reading stops instead', async () => {
    await start();
    const { client, id } = await h.rawReady();
    await client.connectNamespace('default');
    const server = serverTcp(serverConn(h.engine, id));
    const before = memoryMiB();
    client.send('$1;default;;hold;0;0;');
    const N = 150_000;
    const flood = floodOf('x', N);
    const target = server.bytesRead + flood.length + 64;
    tcpOf(client).write(flood);
    // Either the server read it all (it queued every frame), or it stopped reading (backpressure).
    await until(() => server.bytesRead >= target - 64 || serverWs(serverConn(h.engine, id)).isPaused, 'the server to read the flood or pause');
    const held = memoryMiB() - before;
    // Today: ~150 B of heap per queued frame, over 20 MiB for this flood. Bounded: the 4 MiB budget.
    expect(held).toBeLessThan(8);
    // Not cut off: once the handler settles, the connection drains and is served in order.
    hold.release();
    await client.expectFrame('$1;default;;hold;0;0;released', { timeoutMs: 10_000 });
    client.send('$2;default;;echo;0;0;after');
    await client.expectFrame('$2;default;;echo;0;0;after', { timeoutMs: 20_000 });
  }, 40_000);

  it('queued frames are bounded by count (maxQueuedFrames): past it, close 1008 with the reason', async () => {
    await start({ maxQueuedFrames: 100 });
    const client = await h.rawConnected();
    client.send('$1;default;;hold;0;0;');
    tcpOf(client).write(floodOf(';default;;echo;0;0;x', 150)); // one write: it arrives in one read
    const closed = await client.whenClosed();
    expect(closed.code).toBe(1008);
    expect(closed.reason).toContain('maxQueuedFrames');
  });

  it('maxQueuedBytes counts a per-frame overhead: 1,000 one-byte frames exceed 64 KiB', async () => {
    await start({ maxQueuedBytes: 64 * 1024 });
    const client = await h.rawConnected();
    client.send('$1;default;;hold;0;0;');
    tcpOf(client).write(floodOf('x', 1_000)); // 1,000 payload bytes; today that fits
    const closed = await client.whenClosed();
    expect(closed.code).toBe(1008);
    expect(closed.reason).toContain('maxQueuedBytes');
  });

  it('frames sent while authorize runs have their own small budget: close 1008 at once', async () => {
    const authorized = deferred<boolean>();
    await start({ authorize: () => authorized.promise });
    const client = await h.raw();
    client.send('M');
    tcpOf(client).write(floodOf(';default;;echo;0;0;x', 10_000));
    const closed = await client.whenClosed();
    expect(closed.code).toBe(1008);
    expect(closed.reason).toContain('maxHandshakeQueuedFrames');
    authorized.resolve(true);
  });

  it('a few frames sent before the ack are within that budget and answered after it', async () => {
    const authorized = deferred<boolean>();
    await start({ authorize: () => authorized.promise });
    const client = await h.raw();
    client.send('M');
    client.send('$1;default;;_OnNamespaceConnect;0;0;');
    client.send('$2;default;;echo;0;0;early');
    authorized.resolve(true);
    expect((await client.next()).text.startsWith('A')).toBe(true);
    await client.expectFrame('$1;;;;;;');
    await client.expectFrame('$2;default;;echo;0;0;early');
  });

  it('outbound: 100k tiny frames written at once are bounded by pending frames, not only bytes: 1013 with the reason', async () => {
    await start();
    const { client, id } = await h.rawReady();
    await client.connectNamespace('default');
    const target = h.engine.to(id);
    let written = 0;
    // 100k × ~20 B is 2 MiB, far under the 8 MiB byte mark; each pending frame costs ~0.5 KiB.
    for (let i = 0; i < 100_000; i++) if (target.emit({ namespace: 'default', event: 'e', body: 'x' }) === 1) written++;
    expect(written).toBeLessThan(100_000);
    const closed = await client.whenClosed(10_000);
    expect(closed.code).toBe(1013);
    expect(closed.reason).toContain('writeBufferHighWaterMark');
  }, 20_000);

  it('a peer that stops reading is cut off within the close grace after a 1013, not after 30 s', async () => {
    await start({ writeBufferHighWaterMark: 256 * 1024 });
    const { client, id } = await h.rawReady();
    await client.connectNamespace('default');
    const conn = serverConn(h.engine, id);
    tcpOf(client).pause(); // never reads again
    const big = 'y'.repeat(64 * 1024);
    const t0 = performance.now();
    // Fill loopback buffers and then the socket's own, until the mark closes the connection.
    for (let i = 0; i < 2_000 && !conn.isClosed; i++) h.engine.to(id).emit({ namespace: 'default', event: 'big', body: big });
    expect(conn.isClosed).toBe(true);
    const before = memoryMiB();
    await withTimeout(conn.whenClosed(), 5_000, 'the server to drop the non-reading peer');
    // The socket is destroyed (its buffered MiBs freed) after the grace, not after ws's 30 s close timeout.
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(serverTcp(conn).destroyed).toBe(true);
    expect(memoryMiB()).toBeLessThanOrEqual(before + 1);
  }, 20_000);
});
