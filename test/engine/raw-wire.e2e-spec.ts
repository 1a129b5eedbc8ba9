// Byte-exact wire behaviour of NeffosEngine, driven by a raw `ws` client (docs/protocol.md §1, §2, §3, §4, §5.1, §11).
// Frames are compared as exact strings; "no reply" is proven by a following echo whose reply must be
// the very next frame (the engine answers each connection in order).
import { WebSocketServer } from 'ws';
import { describe, expect, it } from 'vitest';
import { AskTimeoutError, ClientError, type Conn, type EngineOptions, type Events } from '../../lib/engine/index.js';
import type { Message } from '../../lib/protocol/index.js';
import { useEngineHarness, type EngineHarness, type HarnessSetup } from '../utils/engine-harness.js';
import { RawClient } from '../utils/raw-client.js';
import { EventLog, deferred, waitFor } from '../utils/wait.js';

const PATH = '/echo';

interface Seen {
  event: string;
  namespace: string;
  room: string;
  body: string;
  binary: boolean;
  native: boolean;
  token: string;
}

describe('raw wire protocol (byte-exact)', () => {
  const h = useEngineHarness();
  let seen: EventLog<Seen>;


  function note(event: string, msg: Message): void {
    seen.push({ event, namespace: msg.namespace, room: msg.room, body: msg.text(), binary: msg.isBinary, native: msg.isNative, token: msg.token });
  }

  /** A handler that only records what it saw (and returns nothing). */
  function record(event: string): Events[string] {
    return (msg) => note(event, msg);
  }

  async function start(options: Partial<EngineOptions> = {}, setup: HarnessSetup = {}): Promise<EngineHarness> {
    seen = new EventLog();
    let n = 0;
    await h.start(
      {
        path: PATH,
        idGenerator: () => `conn${++n}`,
        namespaces: {
          default: {
            echo: (msg) => msg.body,
            fail: () => {
              throw new ClientError('bad thing');
            },
            silent: () => undefined,
            q: record('q'),
            // Re-broadcasts an incoming message, as Go's `Broadcast(c, msg)` pattern does.
            bcast: (msg, ns) => {
              ns.broadcast('bcast', msg.text());
            },
            _OnRoomJoin: record('_OnRoomJoin'),
            _OnRoomLeave: record('_OnRoomLeave'),
            _OnRoomLeft: record('_OnRoomLeft'),
            _OnNamespaceDisconnect: record('_OnNamespaceDisconnect'),
          },
          v1: {
            _OnNamespaceConnect: () => {
              throw new ClientError('unauthorized: token=ok required');
            },
            echo: (msg) => msg.body,
          },
          'semi;ns': {
            'x;y': (msg) => {
              note('x;y', msg);
              return `got ${msg.text()}`;
            },
          },
          '': {
            _OnNativeMessage: (msg) => {
              note('_OnNativeMessage', msg);
              return `native:${msg.text()}`;
            },
            echo: (msg) => msg.body,
          },
        },
        ...options,
      },
      setup,
    );
    return h;
  }

  describe('handshake (docs/protocol.md §1.2)', () => {
    it('sends nothing before M; the first frame is exactly the text A<id>', async () => {
      const onConnectRan = deferred();
      await start({ onConnect: () => onConnectRan.resolve() });
      const client = await h.raw();
      // The server has run onConnect and is ready: still, nothing may come before our M. Anything it
      // had sent would arrive before its answer to M, so "the first frame is A<id>" proves it.
      await waitFor(onConnectRan, 'onConnect');
      client.send('M');
      await client.expectFrame('Aconn1');
      expect(client.received).toHaveLength(1);
      await client.connectNamespace('default');
      await client.expectEcho();
    });

    it('a slow onConnect delays A<id>; frames sent right after M are answered after A, in order', async () => {
      const gate = deferred();
      let onConnectDone = false;
      await start({
        onConnect: async () => {
          await gate.promise;
          onConnectDone = true;
        },
      });
      const client = await h.raw();
      client.send('M');
      client.send('$1;default;;_OnNamespaceConnect;0;0;');
      client.send('$2;default;;echo;0;0;queued');
      gate.resolve();
      const ack = await client.expectFrame('Aconn1');
      expect(onConnectDone, `A arrived (${ack.text}) only after onConnect finished`).toBe(true);
      await client.expectFrame('$1;;;;;;');
      await client.expectFrame('$2;default;;echo;0;0;queued');
    });

    it('server-forced connect from onConnect: A<id> is written first, then the connect request', async () => {
      const connected = deferred<string>();
      await start({
        onConnect: async (conn: Conn) => {
          const ns = await conn.connect('default');
          connected.resolve(ns.namespace);
        },
      });
      const client = await h.raw();
      client.send('M');
      await client.expectFrame('Aconn1');
      const request = await client.next();
      const match = /^(\d+);default;;_OnNamespaceConnect;0;0;$/.exec(request.text);
      expect(match, `a server connect request with a digits-only token: ${request.text}`).not.toBeNull();
      client.send(`${match![1]};;;;;;`);
      await expect(waitFor(connected, 'the forced connect')).resolves.toBe('default');
      expect(h.engine.members('default')).toEqual(['conn1']);
      await client.expectEcho();
    });

    it('a rejected handshake answers H<text> as the first frame, only after M, and closes 1008', async () => {
      const authorized = new EventLog<string>();
      await start({
        handshakeTimeout: 300,
        authorize: () => {
          authorized.push('called');
          return 'go away';
        },
      });
      // Without M: nothing at all, not even the H, until the handshake timeout closes it (1002).
      const silent = await h.raw();
      await authorized.waitForCount(1);
      expect((await silent.whenClosed()).code).toBe(1002);
      expect(silent.received).toEqual([]);
      // With M: H<text> is the first frame, then close 1008.
      const client = await h.raw();
      await authorized.waitForCount(2);
      client.send('M');
      await client.expectFrame('Hgo away');
      expect(await client.whenClosed()).toEqual({ code: 1008, reason: 'go away' });
      expect(client.received).toHaveLength(1);
    });
  });

  describe('shutdown', () => {
    it('engine.close() closes open and still-handshaking connections with 1001, sending nothing else', async () => {
      await start();
      const pending = await h.raw(); // upgraded, never sends M
      const client = await h.rawConnected();
      await h.engine.close();
      expect((await pending.whenClosed()).code).toBe(1001);
      expect((await client.whenClosed()).code).toBe(1001);
      expect(pending.received).toEqual([]);
      expect(client.pending).toEqual([]);
    });
  });

  describe('namespaces (docs/protocol.md §3.5, §3.6)', () => {
    it('$1;default;;_OnNamespaceConnect;0;0; → $1;;;;;; (and again: already connected → $n;;;;;;)', async () => {
      await start();
      const { client } = await h.rawReady();
      client.send('$1;default;;_OnNamespaceConnect;0;0;');
      await client.expectFrame('$1;;;;;;');
      client.send('$2;default;;_OnNamespaceConnect;0;0;');
      await client.expectFrame('$2;;;;;;');
      expect(h.engine.members('default')).toEqual(['conn1']);
    });

    it('connect to an unknown namespace → $2;nope;;_OnNamespaceConnect;1;0;bad namespace', async () => {
      await start();
      const { client } = await h.rawReady();
      client.send('$2;nope;;_OnNamespaceConnect;0;0;');
      await client.expectFrame('$2;nope;;_OnNamespaceConnect;1;0;bad namespace');
    });

    it('connect rejected by the hook → …;1;0;<text>, and the namespace stays unusable', async () => {
      await start();
      const { client } = await h.rawReady();
      client.send('$3;v1;;_OnNamespaceConnect;0;0;');
      await client.expectFrame('$3;v1;;_OnNamespaceConnect;1;0;unauthorized: token=ok required');
      client.send('$4;v1;;echo;0;0;after reject');
      await client.connectNamespace('default');
      await client.expectEcho();
      expect(h.engine.members('v1')).toEqual([]);
    });

    it('the empty namespace is a valid namespace: $1;;;_OnNamespaceConnect;0;0; → $1;;;;;;', async () => {
      await start();
      const { client } = await h.rawReady();
      client.send('$1;;;_OnNamespaceConnect;0;0;');
      await client.expectFrame('$1;;;;;;');
      client.send('$2;;;echo;0;0;empty ns');
      await client.expectFrame('$2;;;echo;0;0;empty ns');
    });

    it('disconnect: $n;default;;_OnNamespaceDisconnect;0;0; → $n;;;;;; (also when not connected)', async () => {
      await start();
      const client = await h.rawConnected();
      client.send('$9;default;;_OnNamespaceDisconnect;0;0;');
      await client.expectFrame('$9;;;;;;');
      expect(h.engine.members('default')).toEqual([]);
      client.send('$10;default;;_OnNamespaceDisconnect;0;0;');
      await client.expectFrame('$10;;;;;;');
    });
  });

  describe('events and replies (docs/protocol.md §2, §3.2)', () => {
    it('echo keeps ";" in the body', async () => {
      await start();
      const client = await h.rawConnected();
      client.send('$4;default;;echo;0;0;hello;world');
      await client.expectFrame('$4;default;;echo;0;0;hello;world');
      client.send('$5;default;;echo;0;0;a body with many ; delimeters; like that;');
      await client.expectFrame('$5;default;;echo;0;0;a body with many ; delimeters; like that;');
    });

    it('a handler error is written back with the request token: …;1;0;<text>', async () => {
      await start();
      const client = await h.rawConnected();
      client.send('$3;default;;fail;0;0;x');
      await client.expectFrame('$3;default;;fail;1;0;bad thing');
    });

    it('a Reply is written back even without a token (Go behaviour)', async () => {
      await start();
      const client = await h.rawConnected();
      client.send(';default;;echo;0;0;nowait');
      await client.expectFrame(';default;;echo;0;0;nowait');
    });

    it('escaping: handler "x;y" of namespace "semi;ns" fires with body "b;ody" and the reply is escaped back', async () => {
      await start();
      const { client } = await h.rawReady();
      client.send('$16;semi@%!semicolon@%!ns;;_OnNamespaceConnect;0;0;');
      await client.expectFrame('$16;;;;;;');
      client.send('$17;semi@%!semicolon@%!ns;;x@%!semicolon@%!y;0;0;b;ody');
      await client.expectFrame('$17;semi@%!semicolon@%!ns;;x@%!semicolon@%!y;0;0;got b;ody');
      expect(seen.entries).toEqual([{ event: 'x;y', namespace: 'semi;ns', room: '', body: 'b;ody', binary: false, native: false, token: '$17' }]);
      expect(h.engine.members('semi;ns')).toEqual(['conn1']);
    });

    it('noop flag: echoed on custom events', async () => {
      await start();
      const client = await h.rawConnected();
      client.send('$14;default;;echo;0;1;noop-echo');
      await client.expectFrame('$14;default;;echo;0;1;noop-echo');
      client.send('$15;default;;fail;0;1;x');
      await client.expectFrame('$15;default;;fail;1;1;bad thing');
    });

    it('system requests with noop=1 or without a token are ignored: no reply, no state change, no hook', async () => {
      await start();
      const client = await h.rawConnected();
      client.send('$20;default;r;_OnRoomJoin;0;1;');
      client.send(';default;r;_OnRoomJoin;0;0;');
      client.send('$21;v1;;_OnNamespaceConnect;0;1;');
      client.send(';nope;;_OnNamespaceConnect;0;0;');
      client.send('$22;default;;_OnNamespaceDisconnect;0;1;');
      client.send(';default;;_OnNamespaceDisconnect;0;0;');
      await client.expectEcho('default', 'only this'); // the very next frame is the echo reply
      expect(h.engine.members('default', 'r')).toEqual([]);
      expect(h.engine.members('default')).toEqual(['conn1']);

      await client.joinRoom('default', 'r');
      client.send('$23;default;r;_OnRoomLeave;0;1;');
      client.send(';default;r;_OnRoomLeave;0;0;');
      await client.expectEcho('default', 'still only this');
      expect(h.engine.members('default', 'r')).toEqual(['conn1']);
      expect(seen.entries.map((s) => s.event)).toEqual(['_OnRoomJoin']); // only the real join
    });

    it('events for a namespace that is not connected are dropped silently (docs/protocol.md §3.3)', async () => {
      await start();
      const client = await h.rawConnected();
      client.send('$8;v1;;echo;0;0;x');
      client.send('$9;other;;echo;0;0;x');
      client.send('$10;;;echo;0;0;x'); // "" is served but not connected
      client.send('$11;v1;r;_OnRoomJoin;0;0;');
      client.send('$12;v1;r;_OnRoomLeave;0;0;');
      await client.expectEcho();
    });

    it('join / leave requests: $n;;;;;; replies, hooks fire, membership changes', async () => {
      await start();
      const client = await h.rawConnected();
      client.send('$5;default;r1;_OnRoomJoin;0;0;');
      await client.expectFrame('$5;;;;;;');
      expect(h.engine.members('default', 'r1')).toEqual(['conn1']);
      client.send('$6;default;r1;_OnRoomJoin;0;0;'); // already joined: no hook
      await client.expectFrame('$6;;;;;;');
      client.send('$7;default;r1;_OnRoomLeave;0;0;');
      await client.expectFrame('$7;;;;;;');
      client.send('$8;default;r1;_OnRoomLeave;0;0;'); // not joined: still OK
      await client.expectFrame('$8;;;;;;');
      expect(h.engine.members('default', 'r1')).toEqual([]);
      expect(seen.entries.map((s) => s.event)).toEqual(['_OnRoomJoin', '_OnRoomLeave', '_OnRoomLeft']);
    });

    it('a client _OnRoomLeft (neffos.js leaveAll) gets no reply and changes nothing (docs/protocol.md §3.8.3)', async () => {
      await start();
      const client = await h.rawConnected();
      await client.joinRoom('default', 'a');
      client.send('$30;default;a;_OnRoomLeft;0;0;');
      await client.expectEcho();
      expect(h.engine.members('default', 'a')).toEqual(['conn1']);
      expect(seen.entries.map((s) => s.event)).toEqual(['_OnRoomJoin']);
    });

    it('a broadcast of a message from an ask handler carries no token to the others (docs/protocol.md §5.1)', async () => {
      await start();
      const alice = await h.rawConnected();
      const bob = await h.rawConnected();
      alice.send('$10;default;;bcast;0;0;hi from alice');
      await bob.expectFrame(';default;;bcast;0;0;hi from alice');
      // The asker gets its answer (an empty body: the handler returned nothing), not the broadcast.
      await alice.expectFrame('$10;default;;bcast;0;0;');
      await alice.expectEcho();
    });

    it('room broadcast from a handler reaches only joined members', async () => {
      await start({
        namespaces: {
          default: {
            roomchat: (msg, ns) => {
              ns.broadcast('roomchat', msg.text(), { room: msg.room });
            },
            echo: (msg) => msg.body,
          },
        },
      });
      const alice = await h.rawConnected();
      const bob = await h.rawConnected();
      const carol = await h.rawConnected();
      await alice.joinRoom('default', 'r1');
      await bob.joinRoom('default', 'r1');
      alice.send(';default;r1;roomchat;0;0;hello r1');
      await bob.expectFrame(';default;r1;roomchat;0;0;hello r1');
      await carol.expectEcho();
      await alice.expectEcho();
    });

    it('binary request → binary reply, bytes exact (NUL included)', async () => {
      await start();
      const client = await h.rawConnected();
      const frame = Buffer.from('$11;default;;echo;0;0;bin\u0000;body\u00ff', 'latin1');
      client.sendBinary(frame);
      await client.expectFrame(frame, { binary: true });
    });

    it('the error reply to a binary request is a TEXT frame (docs/protocol.md §11)', async () => {
      await start();
      const client = await h.rawConnected();
      client.sendBinary('$12;default;;fail;0;0;x');
      await client.expectFrame('$12;default;;fail;1;0;bad thing', { binary: false });
    });

    it('native messages: unframed text on namespace "" gets a framed ;;;_OnNativeMessage;0;0;<reply>', async () => {
      await start();
      const { client } = await h.rawReady();
      client.send('raw before connecting ""'); // not connected to "": dropped
      await client.connectNamespace('default');
      await client.expectEcho();
      await client.connectNamespace('');
      client.send('hello native');
      await client.expectFrame(';;;_OnNativeMessage;0;0;native:hello native');
      client.send(';;;_OnNativeMessage;0;0;framed-native');
      await client.expectFrame(';;;_OnNativeMessage;0;0;native:framed-native');
      expect(seen.entries).toEqual([
        { event: '_OnNativeMessage', namespace: '', room: '', body: 'hello native', binary: false, native: true, token: '' },
        { event: '_OnNativeMessage', namespace: '', room: '', body: 'framed-native', binary: false, native: true, token: '' },
      ]);
    });
  });

  describe('server-initiated actions answered by a raw client (docs/protocol.md §3.5.2, §3.7.2)', () => {
    it('a forced connect the client refuses rejects with its text and leaves the namespace unconnected', async () => {
      await start();
      const { client } = await h.rawReady();
      const connecting = h.engine.connection('conn1')!.connect('default', { timeout: 2_000 });
      const request = await client.next();
      const [token] = request.text.split(';');
      expect(request.text).toBe(`${token};default;;_OnNamespaceConnect;0;0;`);
      client.send(`${token};default;;_OnNamespaceConnect;1;0;client says no`);
      await expect(connecting).rejects.toThrow('client says no');
      expect(h.engine.members('default')).toEqual([]);
      client.send('$1;default;;echo;0;0;dropped'); // still not connected: dropped
      await client.connectNamespace('default');
      await client.expectEcho();
    });

    it('a forced join the client refuses rejects and does not join; an accepted one joins', async () => {
      await start();
      const client = await h.rawConnected();
      const nsConn = h.engine.connection('conn1')!.namespace('default')!;
      const refused = nsConn.joinRoom('r1', { timeout: 2_000 });
      const req1 = await client.next();
      const [t1] = req1.text.split(';');
      expect(req1.text).toBe(`${t1};default;r1;_OnRoomJoin;0;0;`);
      client.send(`${t1};default;r1;_OnRoomJoin;1;0;room forbidden`);
      await expect(refused).rejects.toThrow('room forbidden');
      expect(h.engine.members('default', 'r1')).toEqual([]);

      const accepted = nsConn.joinRoom('r1', { timeout: 2_000 });
      const [t2] = (await client.next()).text.split(';');
      client.send(`${t2};;;;;;`);
      await accepted;
      expect(h.engine.members('default', 'r1')).toEqual(['conn1']);
      expect(t2).not.toBe(t1);
    });

    it('a client connect that races a server-forced connect of the same namespace leaves one membership', async () => {
      const forced = deferred<unknown>();
      await start({
        onConnect: (conn) => {
          conn.connect('default', { timeout: 2_000 }).then(
            (ns) => forced.resolve(ns),
            (err: unknown) => forced.resolve(err),
          );
        },
      });
      const client = await h.raw();
      client.send('M');
      await client.expectFrame('Aconn1');
      const request = await client.next();
      const [token] = request.text.split(';');
      expect(request.text).toBe(`${token};default;;_OnNamespaceConnect;0;0;`);
      // The client connects on its own before answering the server's request (as two concurrent
      // neffos.js connects can do, docs/protocol.md §3.5.2), then answers it.
      client.send('$1;default;;_OnNamespaceConnect;0;0;');
      await client.expectFrame('$1;;;;;;');
      client.send(`${token};;;;;;`);
      const result = await waitFor(forced, 'the forced connect');
      expect(result).toBe(h.engine.connection('conn1')!.namespace('default'));
      expect(h.engine.members('default')).toEqual(['conn1']);
      expect(h.engine.broadcast({ namespace: 'default', event: 'once', body: 'x' })).toBe(1);
      await client.expectFrame(';default;;once;0;0;x');
      await client.expectEcho(); // no second copy before the echo reply
    });

    it('a server-forced connect that completes while the client connect hook is pending leaves one membership', async () => {
      const gate = deferred();
      const hookCalls = new EventLog<boolean>();
      await start({
        namespaces: {
          default: {
            _OnNamespaceConnect: async (msg) => {
              hookCalls.push(msg.isLocal);
              if (!msg.isLocal) await gate.promise;
            },
            echo: (msg) => msg.body,
          },
        },
      });
      const { client } = await h.rawReady();
      client.send('$1;default;;_OnNamespaceConnect;0;0;');
      await hookCalls.waitFor((local) => !local, 'the client connect hook');
      const forced = h.engine.connection('conn1')!.connect('default', { timeout: 2_000 });
      const request = await client.next();
      const [token] = request.text.split(';');
      expect(request.text).toBe(`${token};default;;_OnNamespaceConnect;0;0;`);
      client.send(`${token};;;;;;`);
      const nsConn = await forced;
      gate.resolve();
      await client.expectFrame('$1;;;;;;');
      expect(h.engine.connection('conn1')!.namespace('default')).toBe(nsConn);
      expect(h.engine.members('default')).toEqual(['conn1']);
      expect(h.engine.broadcast({ namespace: 'default', event: 'once', body: 'x' })).toBe(1);
      await client.expectFrame(';default;;once;0;0;x');
      await client.expectEcho();
    });

    it('frames sent to a connection are written in order: welcome from _OnNamespaceConnected comes after the connect reply', async () => {
      await start({
        namespaces: {
          default: {
            _OnNamespaceConnected: (_msg, ns) => {
              ns.emit('welcome', 'hi');
            },
            echo: (msg) => msg.body,
          },
        },
      });
      const { client } = await h.rawReady();
      client.send('$1;default;;_OnNamespaceConnect;0;0;');
      await client.expectFrame('$1;;;;;;');
      await client.expectFrame(';default;;welcome;0;0;hi');
    });
  });

  describe('odd but legal traffic', () => {
    it('client tokens are echoed byte for byte (Node and browser neffos.js forms)', async () => {
      await start();
      const client = await h.rawConnected();
      for (const tok of ['$6699000000000862418775', '$523871.23450000003', '$1234.5', '#confirm']) {
        client.send(`${tok};default;;echo;0;0;t`);
        await client.expectFrame(`${tok};default;;echo;0;0;t`);
      }
    });

    it('client frames for local-only events (_OnNamespaceConnected, _OnRoomJoined) get no reply and fire nothing', async () => {
      await start();
      const client = await h.rawConnected();
      client.send('$1;default;;_OnNamespaceConnected;0;0;');
      client.send('$2;default;r;_OnRoomJoined;0;0;');
      await client.expectEcho();
      expect(h.engine.members('default', 'r')).toEqual([]);
      expect(seen.entries).toEqual([]);
    });

    it('_OnAnyEvent sees unknown events and system events alike, and its error vetoes a join (docs/protocol.md §3.2)', async () => {
      const any = new EventLog<string>();
      await start({
        namespaces: {
          default: {
            _OnAnyEvent: (msg) => {
              any.push(msg.event);
              if (msg.event === '_OnRoomJoin') throw new ClientError('no rooms here');
              return `any:${msg.text()}`;
            },
          },
        },
      });
      const { client } = await h.rawReady();
      await client.connectNamespace('default');
      client.send('$5;default;;whatever;0;0;x');
      await client.expectFrame('$5;default;;whatever;0;0;any:x');
      client.send('$6;default;r;_OnRoomJoin;0;0;');
      await client.expectFrame('$6;default;r;_OnRoomJoin;1;0;no rooms here');
      expect(h.engine.members('default', 'r')).toEqual([]);
      expect(any.entries).toEqual(['_OnNamespaceConnect', '_OnNamespaceConnected', 'whatever', '_OnRoomJoin']);
    });
  });

  describe('native-only mode (docs/protocol.md §2.8)', () => {
    it('namespace "" with only _OnNativeMessage: no handshake, every frame is native, replies are raw', async () => {
      const natives = new EventLog<string>();
      await h.start({
        path: PATH,
        idGenerator: () => 'native1',
        onConnect: () => {
          throw new Error('onConnect is not part of native-only mode');
        },
        namespaces: {
          '': {
            _OnNativeMessage: (msg) => {
              natives.push(`${msg.isBinary ? 'bin' : 'txt'}:${msg.text()}`);
              return msg.isBinary ? msg.body : `raw:${msg.text()}`;
            },
          },
        },
      });
      const client = await h.raw();
      client.send('M'); // not an ack here: an ordinary native message
      await client.expectFrame('raw:M');
      client.send('$1;;;_OnNamespaceConnect;0;0;'); // looks framed: still native
      await client.expectFrame('raw:$1;;;_OnNamespaceConnect;0;0;');
      client.sendBinary(Buffer.from([0, 1, 2]));
      await client.expectFrame(Buffer.from([0, 1, 2]), { binary: true });
      expect(natives.entries).toEqual(['txt:M', 'txt:$1;;;_OnNamespaceConnect;0;0;', 'bin:\u0000\u0001\u0002']);
      expect(h.engine.members('')).toEqual(['native1']);
    });
  });

  describe('keep-alive pings', () => {
    it('a peer that answers pings stays; one that does not is dropped after an interval', async () => {
      // A peer must pong within one interval: at 50 ms a loaded machine (the suite beside other work)
      // read the live client's pong too late, and the server rightly dropped it.
      await start({ pingInterval: 250 });
      const alive = await h.rawConnected();
      const dead = await h.raw({ autoPong: false });
      await dead.handshake();
      const pings = new EventLog<string>();
      alive.ws.on('ping', () => pings.push('ping'));
      await pings.waitForCount(3, 'three pings to the live client', 5_000);
      const closed = await dead.whenClosed();
      expect(closed.code).toBe(1006); // terminated without a close frame
      expect(alive.isOpen).toBe(true);
      await alive.expectEcho();
    });
  });

  describe('server asks (docs/protocol.md §4)', () => {
    it('a server ask is answered by token; a reply that arrives after the timeout is dropped, no handler fires', async () => {
      await start();
      const client = await h.rawConnected();
      const nsConn = h.engine.connection('conn1')!.namespace('default')!;

      const answered = nsConn.ask('q', 'question?', { timeout: 2_000 });
      const request = await client.next();
      const [token] = request.text.split(';');
      expect(request.text).toBe(`${token};default;;q;0;0;question?`);
      expect(token).toMatch(/^\d+$/);
      client.send(`${token};default;;q;0;0;raw-answer`);
      expect((await answered).text()).toBe('raw-answer');

      // The rejection is awaited from the start: on a loaded machine the 100 ms can pass before the
      // request is read back, and a rejection nobody awaits yet is an unhandled one.
      const timedOut = expect(nsConn.ask('q', 'too slow', { timeout: 100 })).rejects.toBeInstanceOf(AskTimeoutError);
      const late = await client.next();
      const [lateToken] = late.text.split(';');
      await timedOut;
      client.send(`${lateToken};default;;q;0;0;late`);
      await client.expectEcho();
      expect(seen.entries).toEqual([]); // neither the answer nor the late reply fired the q handler

      // A digits token the server never issued is an ordinary event (as Go dispatches unknown tokens).
      client.send('12345;default;;q;0;0;not a reply');
      await seen.waitFor((s) => s.event === 'q');
      expect(seen.entries[0]).toMatchObject({ body: 'not a reply', token: '12345' });
    });
  });

  describe('write guard on server-initiated requests (docs/protocol.md §5.1, §11)', () => {
    it('asks and joins through a stale NSConn (namespace disconnected) fail at once and write nothing', async () => {
      await start();
      const client = await h.rawConnected();
      const stale = h.engine.connection('conn1')!.namespace('default')!;
      client.send('$2;default;;_OnNamespaceDisconnect;0;0;');
      await client.expectFrame('$2;;;;;;');

      const asking = stale.ask('q', 'are you there?', { timeout: 1_500 });
      const joining = stale.joinRoom('r1', { timeout: 1_500 });
      await expect(asking).rejects.toThrow();
      await expect(asking).rejects.not.toBeInstanceOf(AskTimeoutError);
      await expect(joining).rejects.toThrow();
      await expect(joining).rejects.not.toBeInstanceOf(AskTimeoutError);
      // Anything the server had written would arrive before this connect reply.
      await client.connectNamespace('default');
      await client.expectEcho();
    });

    it('an ask into a room the connection has not joined fails at once and writes nothing', async () => {
      await start();
      const client = await h.rawConnected();
      const nsConn = h.engine.connection('conn1')!.namespace('default')!;
      const asking = nsConn.ask('q', 'room question', { room: 'not-joined', timeout: 1_500 });
      await expect(asking).rejects.toThrow();
      await expect(asking).rejects.not.toBeInstanceOf(AskTimeoutError);
      await client.expectEcho(); // the very next frame: no request was written
    });
  });

  describe('HTTP endpoint (docs/protocol.md §1.1, §6.6, §6.8)', () => {
    it('HEAD on the path answers; other paths (HTTP routes and another ws server) keep working', async () => {
      const other = new WebSocketServer({ noServer: true });
      other.on('connection', (ws) => ws.on('message', (data) => ws.send(`other:${String(data)}`)));
      try {
        await start(
          {},
          {
            requestListener: (req, res) => {
              res.writeHead(req.url === '/plain' ? 200 : 404, { 'Content-Type': 'text/plain' }).end(req.url === '/plain' ? 'hello' : 'nope');
            },
            beforeAttach: (server) => {
              server.on('upgrade', (req, socket, head) => {
                if (req.url === '/other') other.handleUpgrade(req, socket, head, (ws) => other.emit('connection', ws, req));
              });
            },
          },
        );
        const head = await h.http('HEAD', PATH);
        expect(head.status).toBeGreaterThanOrEqual(200);
        expect(head.status).toBeLessThan(500);
        const headWithQuery = await h.http('HEAD', `${PATH}?X-Websocket-Header-X-Websocket-Reconnect=1`);
        expect(headWithQuery.status).toBe(head.status);

        const plain = await h.http('GET', '/plain');
        expect(plain).toMatchObject({ status: 200, text: 'hello' });
        expect((await h.http('GET', '/missing')).status).toBe(404);

        const otherClient = await h.raw({}, '/other');
        otherClient.send('hi');
        await otherClient.expectFrame('other:hi');

        const client = await h.rawConnected();
        await client.expectEcho();
      } finally {
        await h.stop();
        await new Promise<void>((resolve) => other.close(() => resolve()));
      }
    });

    it('without any app: HEAD on the path answers; an upgrade on another path is refused with 404, not left hanging', async () => {
      await start();
      const head = await h.http('HEAD', PATH);
      expect(head.status).toBeLessThan(500);
      await expect(RawClient.refusedStatus(h.wsUrl('/elsewhere'))).resolves.toBe(404);
    });

    it('without any app: GET without upgrade and other methods on the path get an answer (Go: 400 / 405), never hang', async () => {
      await start();
      const get = await h.http('GET', PATH);
      expect(get.status).toBe(400);
      const post = await h.http('POST', `${PATH}?x=1`);
      expect(post.status).toBe(405);
      expect(post.headers.allow).toBe('GET, HEAD');
      const client = await h.rawConnected(); // the endpoint itself still works
      await client.expectEcho();
    });

    it('X-Websocket-Header-Foo=bar in the query appears as request.headers.foo', async () => {
      const headers = deferred<Record<string, unknown>>();
      await start({ onConnect: (conn) => headers.resolve({ ...conn.request.headers }) });
      await h.raw({}, `${PATH}?X-Websocket-Header-Foo=bar&x-websocket-header-token=ok&plain=1`);
      const got = await waitFor(headers, 'onConnect');
      expect(got.foo).toBe('bar');
      expect(got.token).toBe('ok');
      expect(got.plain).toBeUndefined();
    });

    it('query headers cannot set or extend the transport and proxy headers (Origin, Host, Cookie, X-Forwarded-*, Sec-WebSocket-*)', async () => {
      const headers = deferred<Record<string, unknown>>();
      await start({ onConnect: (conn) => headers.resolve({ ...conn.request.headers }) });
      const query = [
        'X-Websocket-Header-Origin=http%3A%2F%2Fgood',
        'X-Websocket-Header-Host=good.example',
        'X-Websocket-Header-Cookie=session%3Dfixed',
        'X-Websocket-Header-X-Forwarded-For=6.6.6.6',
        'X-Websocket-Header-Forwarded=for%3D6.6.6.6',
        'X-Websocket-Header-X-Real-IP=6.6.6.6',
        'X-Websocket-Header-Sec-WebSocket-Protocol=smuggled',
        'X-Websocket-Header-Foo=bar',
      ].join('&');
      await h.raw({ origin: 'http://evil', headers: { 'X-Forwarded-For': '10.0.0.1' } }, `${PATH}?${query}`);
      const got = await waitFor(headers, 'onConnect');
      expect(got.origin).toBe('http://evil');
      expect(got.host).toBe(`127.0.0.1:${h.port}`);
      expect(got.cookie).toBeUndefined();
      expect(got['x-forwarded-for']).toBe('10.0.0.1'); // a proxy's last hop stays last
      expect(got.forwarded).toBeUndefined();
      expect(got['x-real-ip']).toBeUndefined();
      expect(got['sec-websocket-protocol']).toBeUndefined();
      expect(got.foo).toBe('bar'); // ordinary headers still come through
    });

    it('X-Websocket-Reconnect: 3 → conn.reconnectTries 3 (header, or its query form)', async () => {
      const conns = new EventLog<Conn>();
      await start({ onConnect: (conn) => conns.push(conn) });
      await h.raw({ headers: { 'X-Websocket-Reconnect': '3' } });
      await h.raw({}, `${PATH}?X-Websocket-Header-X-Websocket-Reconnect=2`);
      await h.raw();
      await conns.waitForCount(3);
      expect(conns.entries.map((c) => [c.reconnectTries, c.wasReconnected()])).toEqual([
        [3, true],
        [2, true],
        [0, false],
      ]);
    });

    it('subprotocols: an offered protocol is echoed (neffos → neffos); a configured list picks from the offer', async () => {
      await start();
      const offered = await h.raw({ protocols: ['neffos'] });
      expect(offered.protocol).toBe('neffos');
      expect(offered.upgradeHeaders['sec-websocket-protocol']).toBe('neffos');
      const none = await h.raw();
      expect(none.protocol).toBe('');
      await h.stop();

      await start({ subprotocols: ['neffos', 'v2'] });
      const picked = await h.raw({ protocols: ['foo', 'v2'] });
      expect(picked.protocol).toBe('v2');
      await expect(h.raw({ protocols: ['foo'] })).rejects.toThrow(); // ws clients require the echo
    });

    it('origin policy: origins [http://good] → http://evil gets 403, http://good connects', async () => {
      await start({ origins: ['http://good'] });
      await expect(RawClient.refusedStatus(h.wsUrl(), { origin: 'http://evil' })).resolves.toBe(403);
      // the query-parameter headers cannot smuggle an allowed Origin past the check
      await expect(RawClient.refusedStatus(h.wsUrl(`${PATH}?X-Websocket-Header-Origin=http%3A%2F%2Fgood`), { origin: 'http://evil' })).resolves.toBe(403);
      const good = await h.raw({ origin: 'http://good' });
      const id = await good.handshake();
      expect(id).toBe('conn1');
    });
  });
});
