// What `_OnNamespaceConnected` writes is held until the client has answered a ping sent right after the
// connect reply (lib/engine/write-hold.ts, docs/protocol.md §10.21): the order on the wire, a client that
// never answers pings (released after askTimeout), two connects in a row (one barrier each), and a hook
// that closes the connection (what it wrote goes out first).
import { describe, expect, it } from 'vitest';
import { useEngineHarness } from '../utils/engine-harness.js';

const welcome = (ns: string): string => `;${ns};;welcome;0;0;hello`;

describe('frames written by _OnNamespaceConnected', () => {
  const h = useEngineHarness();
  const namespaces = {
    a: { _OnNamespaceConnected: (_msg: unknown, ns: { emit(e: string, b: string): void }) => ns.emit('welcome', 'hello') },
    b: { _OnNamespaceConnected: (_msg: unknown, ns: { emit(e: string, b: string): void }) => ns.emit('welcome', 'hello') },
  };

  it('leave after the connect reply and after the ping the client answered', async () => {
    await h.start({ path: '/echo', namespaces });
    const { client } = await h.rawReady();
    const pingsAfter: number[] = [];
    client.ws.on('ping', () => pingsAfter.push(client.received.length));
    await client.connectNamespace('a');
    await client.expectFrame(welcome('a'));
    expect(pingsAfter, 'one ping, between the reply (frame 2, after A<id>) and the welcome').toEqual([2]);
  });

  it('are released after askTimeout when the client answers no ping', async () => {
    await h.start({ path: '/echo', askTimeout: 300, namespaces });
    const { client } = await h.rawReady({ autoPong: false });
    // Timed from before the connect request, which comes before the server's timer starts: no delivery
    // delay of a loaded machine can shorten what is measured.
    const asked = performance.now();
    await client.connectNamespace('a');
    await client.expectFrame(welcome('a'), { timeoutMs: 3_000 });
    expect(performance.now() - asked).toBeGreaterThanOrEqual(290);
  });

  it('of two connects sent at once each wait for their own ping: reply, welcome, reply, welcome', async () => {
    await h.start({ path: '/echo', namespaces });
    const { client } = await h.rawReady();
    client.send('$1;a;;_OnNamespaceConnect;0;0;');
    client.send('$2;b;;_OnNamespaceConnect;0;0;');
    await client.expectFrame('$1;;;;;;');
    await client.expectFrame(welcome('a'));
    await client.expectFrame('$2;;;;;;');
    await client.expectFrame(welcome('b'));
  });

  it('go out before the close frame when the hook closes the connection', async () => {
    await h.start({
      path: '/echo',
      namespaces: {
        a: {
          _OnNamespaceConnected: (_msg, ns) => {
            ns.emit('bye', 'now');
            ns.conn.close(4000, 'done');
          },
        },
      },
    });
    const { client } = await h.rawReady();
    await client.connectNamespace('a');
    await client.expectFrame(';a;;bye;0;0;now');
    expect((await client.whenClosed()).code).toBe(4000);
  });
});
