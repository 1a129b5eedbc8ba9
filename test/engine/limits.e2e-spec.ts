// Limits that protect the server from one client: the queue behind a pending handler, a handshake that
// never completes, a throwing origin policy, invalid ask timeouts, the namespace-level room "".
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, type EngineOptions, type NSConn } from '../../lib/engine/index.js';
import { BAD_ROOM, CLOSE_QUEUE_FULL } from '../../lib/engine/engine.messages.js';
import { floodOf, tcpOf } from '../hardening/abuse.js';
import { startEcho, useHold } from '../utils/engine-fixtures.js';
import { useEngineHarness, type EngineHarness } from '../utils/engine-harness.js';
import { EventLog } from '../utils/wait.js';

describe('engine limits', () => {
  const h = useEngineHarness();
  const hold = useHold();
  let errors: EventLog<unknown>;
  let nsConns: EventLog<NSConn>;

  async function start(options: Partial<EngineOptions> = {}): Promise<EngineHarness> {
    errors = new EventLog();
    // `hold` keeps the connection's queue until the test releases it.
    nsConns = await startEcho(h, { onError: (err) => errors.push(err), ...options }, { hold: hold.handler });
    return h;
  }

  it('frames piling up behind a pending handler past maxQueuedBytes close that connection with 1008', async () => {
    await start({ maxQueuedBytes: 16 * 1024 });
    const healthy = await h.rawConnected();
    const client = await h.rawConnected();
    client.send('$1;default;;hold;0;0;');
    // Past an eighth of the budget the server stops reading (backpressure), so only the frames of the
    // same socket read can go past it: many small ones in one TCP write, each counted with its overhead.
    tcpOf(client).write(floodOf(';default;;echo;0;0;x', 200));
    const closed = await client.whenClosed();
    expect(closed.code).toBe(1008);
    expect(closed.reason).toBe(CLOSE_QUEUE_FULL);
    await healthy.expectEcho('default', 'unaffected');
  });

  it('frames under the limit wait and are all answered, in order, once the handler settles', async () => {
    await start({ maxQueuedBytes: 64 * 1024 });
    const client = await h.rawConnected();
    client.send('$1;default;;hold;0;0;');
    for (let i = 0; i < 20; i++) client.send(`$q${i};default;;echo;0;0;${i}`);
    hold.release();
    await client.expectFrame('$1;default;;hold;0;0;released');
    for (let i = 0; i < 20; i++) await client.expectFrame(`$q${i};default;;echo;0;0;${i}`);
  });

  it('an authorize that never finishes is cut off by handshakeTimeout with 1013, after M', async () => {
    await start({ handshakeTimeout: 200, authorize: () => new Promise<boolean>(() => {}) });
    const client = await h.raw();
    client.send('M');
    const closed = await client.whenClosed();
    expect(closed.code).toBe(1013);
    expect(client.received).toEqual([]);
  });

  it('an origin policy that throws refuses the upgrade with 403 and reports the error', async () => {
    await start({
      origins: () => {
        throw new Error('policy bug');
      },
    });
    const client = await h.raw({ origin: 'http://anywhere' }).catch((err: unknown) => err);
    expect(String(client)).toContain('403');
    const err = await errors.waitFor(() => true);
    expect(String(err)).toContain('policy bug');
    expect((await h.http('HEAD', '/echo')).status).toBe(204); // the server is alive and serving
  });

  it('an ask with a timeout that is not a positive finite number rejects at once with InvalidOptionError', async () => {
    await start();
    await h.rawConnected();
    const ns = await nsConns.waitFor(() => true);
    for (const timeout of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(ns.ask('q', 'x', { timeout })).rejects.toBeInstanceOf(InvalidOptionError);
    }
  });

  it('joining room "" is refused with "bad room", by client and by server', async () => {
    await start();
    const client = await h.rawConnected();
    client.send('$1;default;;_OnRoomJoin;0;0;');
    await client.expectFrame('$1;default;;_OnRoomJoin;1;0;bad room');
    const ns = await nsConns.waitFor(() => true);
    await expect(ns.joinRoom('')).rejects.toThrow(BAD_ROOM('default', ''));
    expect(h.engine.rooms('default')).toEqual([]);
  });
});
