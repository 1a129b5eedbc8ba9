// A teardown hook that never settles (a stuck database call in onNamespaceDisconnect) must not keep a
// closed connection counted: it left `connectionCount`, `connections()` and `to(id)` only once every
// hook had settled, so such hooks pinned dead connections for ever and, with maxConnections, locked
// new clients out (HTTP 503). handlerTimeout now bounds these hooks as it bounds handlers.
import { afterEach, describe, expect, it } from 'vitest';
import { HandlerTimeoutError, type Conn, type Message } from '../../lib/index.js';
import { dial, type NeffosTestClient } from '../../lib/testing/index.js';
import { useEngineHarness } from '../utils/engine-harness.js';
import { DEFAULT_WAIT_MS } from '../utils/wait.js';

/** Resolves once `done()` holds (checked every 10 ms); rejects naming `what` after `ms`. */
async function waitFor(done: () => boolean, what: string, ms = DEFAULT_WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const never = (): Promise<void> => new Promise<void>(() => {});

describe('teardown hooks that never settle', () => {
  const h = useEngineHarness();
  const clients: NeffosTestClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  async function connected(): Promise<NeffosTestClient> {
    const client = await dial(h.wsUrl());
    clients.push(client);
    await client.connect('default');
    return client;
  }

  it('a closed connection stops counting at once, so maxConnections admits new clients', async () => {
    await h.start({ path: '/echo', maxConnections: 2, shutdownTimeout: 200, namespaces: { default: { _OnNamespaceDisconnect: never, echo: (msg: Message) => msg.body } } });
    for (let round = 0; round < 3; round++) {
      const a = await connected();
      const b = await connected();
      expect(h.engine.connectionCount).toBe(2);
      await a.close();
      await b.close();
      await waitFor(() => h.engine.connectionCount === 0, 'the closed connections to stop counting');
      expect(h.engine.connections()).toEqual([]);
      expect(h.engine.connection(a.id)).toBeUndefined();
    }
    const last = await connected();
    expect((await last.namespace('default')!.ask('echo', 'still serving')).text()).toBe('still serving');
  });

  it('with handlerTimeout, a stuck room hook times out, the later hooks run and onDisconnect is called', async () => {
    const errors: unknown[] = [];
    const fired: string[] = [];
    let disconnected: Conn | undefined;
    await h.start({
      path: '/echo',
      handlerTimeout: 150,
      onError: (err) => errors.push(err),
      onDisconnect: (conn) => (disconnected = conn),
      namespaces: {
        default: {
          _OnRoomLeft: never,
          _OnNamespaceDisconnect: () => void fired.push('namespace disconnect'),
        },
      },
    });
    const client = await connected();
    await client.namespace('default')!.joinRoom('lobby');
    expect(h.engine.members('default', 'lobby')).toEqual([client.id]);
    await client.close();
    await waitFor(() => disconnected !== undefined, 'onDisconnect after the stuck hook timed out', 3_000);
    expect(fired).toEqual(['namespace disconnect']);
    expect(h.engine.members('default', 'lobby')).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(HandlerTimeoutError);
    expect(errors[0]).toMatchObject({ event: '_OnRoomLeft', timeoutMs: 150 });
  });
});
