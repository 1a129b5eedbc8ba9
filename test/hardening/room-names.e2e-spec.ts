// Issue 8: a room name is bounded (maxRoomNameLength, UTF-8 bytes, default 1,024), so a connection's
// 1,000 rooms cannot hold a MiB-long name each (80 rooms with 512 KiB names held +40 MiB of heap). A
// longer join is refused with an error reply; the connection stays open and is served as before.
import { describe, expect, it } from 'vitest';
import type { EngineOptions, NSConn } from '../../lib/engine/index.js';
import { startEcho } from '../utils/engine-fixtures.js';
import { useEngineHarness } from '../utils/engine-harness.js';
import { EventLog } from '../utils/wait.js';
import { maskedFrame, tcpOf } from './abuse.js';

describe('room names', () => {
  const h = useEngineHarness();
  let nsConns: EventLog<NSConn>;

  async function start(options: Partial<EngineOptions> = {}): Promise<void> {
    nsConns = await startEcho(h, options);
  }

  it('by default a name of 1,024 bytes joins and one of 1,025 gets an error reply; the connection goes on', async () => {
    await start();
    const client = await h.rawConnected();
    await client.joinRoom('default', 'r'.repeat(1_024));
    client.send(`$9;default;${'r'.repeat(1_025)};_OnRoomJoin;0;0;`);
    const frame = await client.next();
    expect(frame.text.startsWith(`$9;default;${'r'.repeat(1_025)};_OnRoomJoin;1;0;`)).toBe(true);
    expect(frame.text).toContain('maxRoomNameLength 1024');
    const ns = await nsConns.waitFor(() => true);
    expect([...ns.rooms.keys()]).toEqual(['r'.repeat(1_024)]);
    await client.expectEcho('default', 'still served');
  });

  it('is counted in UTF-8 bytes, for client and server joins, and is configurable', async () => {
    await start({ maxRoomNameLength: 8 });
    const client = await h.rawConnected();
    await client.joinRoom('default', 'ééé'); // 6 bytes
    client.send('$9;default;éééé;_OnRoomJoin;0;0;'); // 8 bytes: fits
    expect((await client.next()).text).toBe('$9;;;;;;'); // joined: the empty reply
    client.send('$10;default;ééééé;_OnRoomJoin;0;0;'); // 10 bytes
    expect((await client.next()).text).toContain('maxRoomNameLength 8');
    const ns = await nsConns.waitFor(() => true);
    await expect(ns.joinRoom('123456789')).rejects.toThrow(/room name of 9 bytes is too long \(maxRoomNameLength 8\)/);
    expect([...ns.rooms.keys()].sort()).toEqual(['ééé', 'éééé']);
  });

  it('80 joins with 512 KiB names are each refused: no room, nothing in the index', async () => {
    await start({ maxPayload: 1024 * 1024 });
    const client = await h.rawConnected();
    const joins = Array.from({ length: 80 }, (_, i) => maskedFrameBig(`$j${i};default;${String(i).padStart(6, '0')}${'r'.repeat(512 * 1024 - 6)};_OnRoomJoin;0;0;`));
    tcpOf(client).write(Buffer.concat(joins));
    for (let i = 0; i < 80; i++) expect((await client.next(20_000)).text).toContain('maxRoomNameLength');
    const ns = await nsConns.waitFor(() => true);
    // Before the bound all 80 joined: +40 MiB of heap, every name kept by its room and the index.
    expect(ns.rooms.size).toBe(0);
    expect(h.engine.rooms('default')).toEqual([]);
    await client.expectEcho('default', 'still served');
  }, 60_000);
});

/** A masked client frame of any size (the shared helper stops at 64 KiB). */
function maskedFrameBig(payload: string): Buffer {
  const body = Buffer.from(payload);
  if (body.length < 0x10000) return maskedFrame(body);
  const header = Buffer.alloc(14);
  header[0] = 0x81;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(body.length), 2);
  return Buffer.concat([header, body]);
}
