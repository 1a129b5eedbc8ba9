// Awaits inside the engine (a veto hook, a server ask, a teardown hook) let other things happen
// meanwhile: a close, a namespace disconnect, the peer's own join or leave. Whatever happened, the
// membership index ends up matching the connections, every hook fires once, every ask is answered,
// and shutdown completes.
import { describe, expect, it, vi } from 'vitest';
import { BadNamespaceError, type EngineOptions, type NSConn } from '../../lib/engine/index.js';
import { useEngineHarness } from '../utils/engine-harness.js';
import type { RawClient } from '../utils/raw-client.js';
import { deferred, EventLog, withTimeout } from '../utils/wait.js';

const PATH = '/echo';

/** Lets every pending microtask (the continuation of an awaited hook) run. */
const settleMicrotasks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('teardown and veto races', () => {
  const h = useEngineHarness();
  let log: EventLog<string>;


  async function start(events: EngineOptions['namespaces']['default'], options: Partial<EngineOptions> = {}): Promise<{ client: RawClient; nsConn: NSConn }> {
    log = new EventLog();
    let n = 0;
    await h.start({
      path: PATH,
      idGenerator: () => `conn${++n}`,
      onDisconnect: (conn) => log.push(`gone:${conn.id}`),
      namespaces: { default: { echo: (msg) => msg.body, ...events } },
      ...options,
    });
    const client = await h.rawConnected();
    return { client, nsConn: h.engine.connection('conn1')!.namespace('default')! };
  }

  /** Answers the next server ask with the empty (success) reply. */
  async function acceptNextAsk(client: RawClient, event: string): Promise<void> {
    const request = await client.next();
    const [token, , , name] = request.text.split(';');
    expect(name).toBe(event);
    client.send(`${token};;;;;;`);
  }

  it('a value JSON cannot encode is an error reply, sync or async: an ask never hangs', async () => {
    const cyclic = (): object => {
      const o: Record<string, unknown> = {};
      o.self = o;
      return o;
    };
    const { client } = await start({
      cyclic,
      cyclicAsync: async () => cyclic(),
      bigint: () => ({ n: 1n }),
    });
    for (const [tok, event] of [
      ['$1', 'cyclic'],
      ['$2', 'cyclicAsync'],
      ['$3', 'bigint'],
    ] as const) {
      client.send(`${tok};default;;${event};0;0;`);
      const frame = await client.next();
      expect(frame.text).toMatch(new RegExp(`^\\${tok};default;;${event};1;0;.+`));
    }
    await client.expectEcho();
  });

  it('a client join whose hook is pending when the server disconnects the namespace: no room is left behind', async () => {
    const gate = deferred();
    const { client, nsConn } = await start({
      _OnRoomJoin: async (msg) => {
        log.push(`join:${msg.room}`);
        if (!msg.isLocal) await gate.promise;
      },
      _OnRoomJoined: (msg) => log.push(`joined:${msg.room}`),
    });
    client.send('$9;default;r;_OnRoomJoin;0;0;');
    await log.waitFor((e) => e === 'join:r');
    const disconnected = nsConn.disconnect();
    await acceptNextAsk(client, '_OnNamespaceDisconnect'); // answered past the busy queue (docs/protocol.md §4.5)
    await disconnected;
    gate.resolve();
    // The client learns that its join failed, instead of a success for a namespace it is not in.
    await client.expectFrame('$9;default;r;_OnRoomJoin;1;0;bad namespace');
    expect(log.entries).not.toContain('joined:r');
    expect(h.engine.rooms('default')).toEqual([]);
    expect(h.engine.broadcast({ namespace: 'default', room: 'r', event: 'x', body: 'past the write guard' })).toBe(0);
    await client.connectNamespace('default');
    await client.expectEcho();
  });

  it('a client leave whose hook is pending when the connection closes: Leave and Left fire once, before onDisconnect', async () => {
    const gate = deferred();
    const { client } = await start({
      _OnRoomLeave: async (msg) => {
        log.push(`leave:${msg.room}:${msg.isForced ? 'forced' : 'client'}`);
        if (!msg.isForced) await gate.promise;
      },
      _OnRoomLeft: (msg) => log.push(`left:${msg.room}:${msg.isForced ? 'forced' : 'client'}`),
      _OnNamespaceDisconnect: () => log.push('disconnect'),
    });
    await client.joinRoom('default', 'r');
    client.send('$9;default;r;_OnRoomLeave;0;0;');
    await log.waitFor((e) => e === 'leave:r:client');
    await client.close();
    await log.waitFor((e) => e === 'gone:conn1');
    gate.resolve();
    await settleMicrotasks();
    expect(log.entries).toEqual(['leave:r:client', 'leave:r:forced', 'left:r:forced', 'disconnect', 'gone:conn1']);
    expect(h.engine.rooms('default')).toEqual([]);
  });

  it('a client disconnect whose hook is pending while the server reconnects the namespace leaves the new connection intact', async () => {
    const gate = deferred();
    const { client, nsConn } = await start({
      _OnNamespaceDisconnect: async (msg) => {
        log.push(`disconnect:${msg.isLocal ? 'server' : 'client'}`);
        if (!msg.isLocal) await gate.promise;
      },
    });
    client.send('$9;default;;_OnNamespaceDisconnect;0;0;');
    await log.waitFor((e) => e === 'disconnect:client');
    const dropped = nsConn.disconnect();
    await acceptNextAsk(client, '_OnNamespaceDisconnect');
    await dropped;
    const reconnected = nsConn.conn.connect('default');
    await acceptNextAsk(client, '_OnNamespaceConnect');
    const fresh = await reconnected;
    gate.resolve();
    await client.expectFrame('$9;;;;;;');
    expect(nsConn.conn.namespace('default')).toBe(fresh);
    expect(h.engine.members('default')).toEqual(['conn1']);
    await client.expectEcho();
  });

  it('a server-forced join that races the client disconnecting the namespace rejects and joins nothing', async () => {
    const { client, nsConn } = await start({ _OnRoomJoined: (msg) => log.push(`joined:${msg.room}`) });
    const joining = nsConn.joinRoom('r').then(
      () => 'joined',
      (err: unknown) => err,
    );
    const request = await client.next();
    const [token] = request.text.split(';');
    client.send('$5;default;;_OnNamespaceDisconnect;0;0;');
    await client.expectFrame('$5;;;;;;');
    client.send(`${token};;;;;;`); // the late yes to the join
    expect(await joining).toBeInstanceOf(BadNamespaceError);
    expect(log.entries).not.toContain('joined:r');
    expect(h.engine.rooms('default')).toEqual([]);
  });

  it('a server-forced join that races the client joining the same room joins once (either order)', async () => {
    const gate = deferred();
    const { client, nsConn } = await start({
      _OnRoomJoin: async (msg) => {
        if (!msg.isLocal && msg.room === 'late') await gate.promise;
      },
      _OnRoomJoined: (msg) => log.push(`joined:${msg.room}:${msg.isLocal ? 'server' : 'client'}`),
    });
    // The client's join completes while the server's ask is pending.
    const forced = nsConn.joinRoom('early');
    const request = await client.next();
    const [token] = request.text.split(';');
    client.send('$5;default;early;_OnRoomJoin;0;0;');
    await client.expectFrame('$5;;;;;;');
    client.send(`${token};;;;;;`);
    expect(await forced).toBe(nsConn.room('early'));
    // The server's join completes while the client's join hook is pending.
    client.send('$6;default;late;_OnRoomJoin;0;0;');
    const forcedLate = nsConn.joinRoom('late');
    await acceptNextAsk(client, '_OnRoomJoin');
    await forcedLate;
    gate.resolve();
    await client.expectFrame('$6;;;;;;');
    expect(log.entries).toEqual(['joined:early:client', 'joined:late:server']);
    expect(h.engine.rooms('default').sort()).toEqual(['early', 'late']);
  });

  it('a server-forced leave that races the client leaving the room fires Left once', async () => {
    const { client, nsConn } = await start({ _OnRoomLeft: (msg) => log.push(`left:${msg.room}:${msg.isLocal ? 'server' : 'client'}`) });
    await client.joinRoom('default', 'r');
    const leaving = nsConn.leaveRoom('r');
    const request = await client.next();
    const [token] = request.text.split(';');
    client.send('$5;default;r;_OnRoomLeave;0;0;');
    await client.expectFrame('$5;;;;;;');
    client.send(`${token};;;;;;`);
    await leaving;
    await client.expectEcho();
    expect(log.entries).toEqual(['left:r:client']);
    expect(h.engine.rooms('default')).toEqual([]);
  });

  it('an onError that throws does not abort the teardown: onDisconnect fires and the connection leaves the engine', async () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const { client } = await start(
        {
          _OnNamespaceDisconnect: () => {
            throw new Error('teardown hook failed');
          },
        },
        {
          onError: () => {
            throw new Error('onError failed too');
          },
        },
      );
      await client.close();
      await log.waitFor((e) => e === 'gone:conn1');
      expect(h.engine.connectionCount).toBe(0);
      expect(consoleError).toHaveBeenCalled();
    } finally {
      consoleError.mockRestore();
    }
  });

  it('engine.close() completes although a teardown hook never settles, and reports it', async () => {
    const errors = new EventLog<unknown>();
    await start({ _OnNamespaceDisconnect: () => new Promise<void>(() => {}) }, { onError: (err) => errors.push(err) });
    await withTimeout(h.engine.close(), 10_000, 'engine.close() with a hung teardown hook');
    expect(errors.entries.some((e) => e instanceof Error && e.message.includes('teardown hooks of 1 connection'))).toBe(true);
  });
});
