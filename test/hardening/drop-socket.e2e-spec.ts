// A socket dropped without a close handshake (close grace over, missed heartbeat, shutdown past its
// grace) may hold tens of thousands of tiny replies its peer never read. Node fails each buffered
// write with an error; made one per write (ws's terminate()), that held the loop 100–300 ms per
// connection and 4 s for the 48 non-reading flooders of the abuse bench. Dropped with one shared
// error, the same teardown costs a few ms.
import { describe, expect, it } from 'vitest';
import { useEngineHarness } from '../utils/engine-harness.js';
import { withTimeout } from '../utils/wait.js';
import { serverConn, serverTcp, tcpOf, until } from './abuse.js';

describe('dropping a socket with many buffered writes', () => {
  const h = useEngineHarness();

  it('costs a few ms of CPU, not one error object per buffered write', async () => {
    // A high mark, so that the writes stay buffered instead of closing the connection with 1013.
    await h.start({ path: '/echo', namespaces: { default: {} }, writeBufferHighWaterMark: 256 * 1024 * 1024 });
    const { client, id } = await h.rawReady();
    await client.connectNamespace('default');
    const conn = serverConn(h.engine, id);
    tcpOf(client).pause(); // never reads again
    const target = h.engine.to(id);
    // Fill the loopback buffers first (what the kernel holds is not the socket's to fail).
    const big = 'y'.repeat(64 * 1024);
    for (let i = 0; i < 200; i++) target.emit({ namespace: 'default', event: 'big', body: big });
    await new Promise((r) => setImmediate(r));
    // Tiny frames over many loop turns: once the kernel's buffers are full, each turn's writes stay
    // buffered on the socket one by one (one turn's writes are flushed together, and only when the
    // previous write is done).
    for (let turn = 0; turn < 400; turn++) {
      for (let i = 0; i < 100; i++) target.emit({ namespace: 'default', event: 'e', body: 'x' });
      await new Promise((r) => setImmediate(r));
    }
    const tcp = serverTcp(conn);
    await until(() => tcp.writableLength > 0, 'writes to be buffered on the server socket');

    const cpu0 = process.cpuUsage();
    conn.terminate();
    await withTimeout(conn.whenClosed(), 10_000, 'the dropped connection to close');
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    if (process.env.DROP_SOCKET_DEBUG) console.log(`buffered writes dropped in ${cpuMs.toFixed(1)} ms of CPU`);
    expect(tcp.destroyed).toBe(true);
    // ~40,000 buffered writes: one error each cost about 500 ms of CPU here; one shared error, about 20.
    expect(cpuMs).toBeLessThan(100);
    tcpOf(client).destroy(); // paused, it would never read the reset
    await client.whenClosed();
  }, 30_000);
});
