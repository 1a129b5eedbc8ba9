// End-to-end: the real npm client neffos.js against NeffosEngine on a real http.Server, no Nest.
// One test (or more) per row of the neffos.js checklist (docs/protocol.md §8).
import { describe, expect, it } from 'vitest';
import { AskTimeoutError, ClientError, RemoteError, type Conn, type EngineOptions, type Events, type NSConn } from '../../lib/engine/index.js';
import { UNAUTHORIZED, UNKNOWN_EVENT } from '../../lib/engine/engine.messages.js';
import { ERR_BAD_NAMESPACE, type Message } from '../../lib/protocol/index.js';
import { useEngineHarness, type EngineHarness } from '../utils/engine-harness.js';
import { bodyText, closeNeffos, reply, socketClosed, type ClientHandler, type NeffosConn, type NeffosMessage } from '../utils/neffos-client.js';
import { EventLog, waitFor, withTimeout } from '../utils/wait.js';

const PATH = '/echo';

/** What a server handler saw. */
interface Seen {
  id: string;
  event: string;
  namespace: string;
  room: string;
  body: Buffer;
  binary: boolean;
  isLocal: boolean;
  isForced: boolean;
}

function seenOf(msg: Message, ns: NSConn): Seen {
  return {
    id: ns.id,
    event: msg.event,
    namespace: msg.namespace,
    room: msg.room,
    body: Buffer.from(msg.body), // a copy: msg.body is a view into the received frame
    binary: msg.isBinary,
    isLocal: msg.isLocal,
    isForced: msg.isForced,
  };
}

const LIFECYCLE = ['_OnNamespaceConnect', '_OnNamespaceConnected', '_OnNamespaceDisconnect', '_OnRoomJoin', '_OnRoomJoined', '_OnRoomLeave', '_OnRoomLeft'] as const;

/** The server's namespace `default`: lifecycle hooks are logged as `<event>[:<room>]`, events as `Seen`. */
function serverEvents(hooks: EventLog<string>, seen: EventLog<Seen>): Events {
  const events: Record<string, Events[string]> = {
    echo: (msg) => msg.text(),
    json: (msg) => ({ got: msg.text() }),
    note: (msg, ns) => {
      seen.push(seenOf(msg, ns));
    },
    fail: () => {
      throw new ClientError('bad thing');
    },
    silent: () => undefined,
    bin: (msg, ns) => {
      seen.push(seenOf(msg, ns));
      return Buffer.from(msg.body);
    },
  };
  for (const name of LIFECYCLE) {
    events[name] = (msg, ns) => {
      hooks.push(msg.room === '' ? name : `${name}:${msg.room}`);
      seen.push(seenOf(msg, ns));
    };
  }
  return events;
}

/** A client handler map that logs every event as `<event>[:<room>]:<body>` and keeps the messages. */
function clientEvents(log: EventLog<string>, messages?: EventLog<NeffosMessage>, extra: Record<string, ClientHandler> = {}): Record<string, ClientHandler> {
  const record: ClientHandler = (_ns, msg) => {
    log.push(`${msg.Event}${msg.Room ? `:${msg.Room}` : ''}:${bodyText(msg)}`);
    messages?.push({ ...msg }); // a snapshot: neffos.js reuses and mutates message objects
  };
  const handlers: Record<string, ClientHandler> = {};
  for (const name of [...LIFECYCLE, 'news', 'marker', 'direct', 'bin', 'echo']) handlers[name] = record;
  return { ...handlers, ...extra };
}

describe('neffos.js client against NeffosEngine (docs/protocol.md §8)', () => {
  const h = useEngineHarness();
  let hooks: EventLog<string>;
  let seen: EventLog<Seen>;
  let disconnected: EventLog<string>;


  async function start(options: Partial<EngineOptions> = {}): Promise<EngineHarness> {
    hooks = new EventLog();
    seen = new EventLog();
    disconnected = new EventLog();
    await h.start({
      path: PATH,
      namespaces: { default: serverEvents(hooks, seen) },
      onDisconnect: (conn) => {
        hooks.push('onDisconnect');
        disconnected.push(conn.id);
      },
      ...options,
    });
    return h;
  }

  /** Dials and connects `default`; returns the conn and its namespace connection. */
  async function dialConnected(log = new EventLog<string>(), messages?: EventLog<NeffosMessage>, extra: Record<string, ClientHandler> = {}) {
    const conn = await h.dial({ default: clientEvents(log, messages, extra) });
    const ns = await withTimeout(conn.connect('default'), 2_000, 'connect("default")');
    return { conn, ns, log, id: conn.ID! };
  }

  describe('dial and connect', () => {
    it('dial: conn.ID is the id the server generated (custom idGenerator, from a header)', async () => {
      let n = 0;
      await start({ idGenerator: (req) => `${String(req.headers['x-username'] ?? 'anon')}-${++n}` });
      const alice = await h.dial({ default: {} }, { headers: { 'X-Username': 'alice' } });
      const anon = await h.dial({ default: {} });
      expect(alice.ID).toBe('alice-1');
      expect(anon.ID).toBe('anon-2');
      expect(h.engine.connection('alice-1')).toBeDefined();
      expect(h.engine.connections().map((c) => c.id).sort()).toEqual(['alice-1', 'anon-2']);
    });

    it('dial: the default id is a UUID v4, identical on both sides', async () => {
      await start();
      const conn = await h.dial({ default: {} });
      expect(conn.ID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(h.engine.connection(conn.ID!)?.id).toBe(conn.ID);
    });

    it('connect: resolves, fires the server hooks in order and registers the namespace', async () => {
      await start();
      const clientLog = new EventLog<string>();
      const { ns, id } = await dialConnected(clientLog);
      expect(ns.namespace).toBe('default');
      expect(hooks.entries).toEqual(['_OnNamespaceConnect', '_OnNamespaceConnected']);
      expect(seen.entries.every((s) => s.isLocal === false)).toBe(true);
      expect(h.engine.members('default')).toEqual([id]);
      expect(h.engine.connection(id)?.namespace('default')).toBeDefined();
      expect(clientLog.entries).toEqual(['_OnNamespaceConnect:', '_OnNamespaceConnected:']);
    });

    it('connect to a namespace the server does not serve rejects with "bad namespace"', async () => {
      await start();
      const conn = await h.dial({ default: {}, other: {} });
      await expect(withTimeout(conn.connect('other'), 2_000, 'connect("other")')).rejects.toThrow(ERR_BAD_NAMESPACE);
      expect(conn.namespace('other')).toBeUndefined();
    });

    it('connect rejected by the server hook rejects with the hook error text', async () => {
      await start({
        namespaces: {
          default: {
            _OnNamespaceConnect: () => {
              throw new ClientError('not allowed');
            },
          },
        },
      });
      const conn = await h.dial({ default: {} });
      await expect(withTimeout(conn.connect('default'), 2_000, 'connect')).rejects.toThrow('not allowed');
      expect(h.engine.members('default')).toEqual([]);
    });
  });

  describe('client → server events', () => {
    it('emit: the server handler receives the body', async () => {
      await start();
      const { ns, id } = await dialConnected();
      expect(ns.emit('note', 'hello; world')).toBe(true);
      const got = await seen.waitFor((s) => s.event === 'note');
      expect(got).toMatchObject({ id, namespace: 'default', room: '', binary: false });
      expect(got.body.toString()).toBe('hello; world');
    });

    it('ask: resolves with the reply body (strings and JSON)', async () => {
      await start();
      const { ns } = await dialConnected();
      const answer = await withTimeout(ns.ask('echo', 'hello;world'), 2_000, 'ask echo');
      expect(answer.Body).toBe('hello;world');
      expect(answer.Event).toBe('echo');
      expect(answer.Namespace).toBe('default');
      const json = await withTimeout(ns.ask('json', 'x'), 2_000, 'ask json');
      expect(JSON.parse(bodyText(json))).toEqual({ got: 'x' });
    });

    it('ask to a handler that throws rejects with the error text', async () => {
      await start();
      const { ns } = await dialConnected();
      await expect(withTimeout(ns.ask('fail', 'x'), 2_000, 'ask fail')).rejects.toThrow('bad thing');
    });

    it('ask to a handler that returns undefined resolves with an empty body (never hangs)', async () => {
      await start();
      const { ns } = await dialConnected();
      const answer = await withTimeout(ns.ask('silent', 'x'), 2_000, 'ask silent');
      expect(answer.Body).toBe('');
      expect(answer.Err).toBeUndefined();
    });

    it('ask to an unknown event rejects (never hangs)', async () => {
      await start();
      const { ns } = await dialConnected();
      await expect(withTimeout(ns.ask('no-such-event', 'x'), 2_000, 'ask unknown')).rejects.toThrow(UNKNOWN_EVENT('no-such-event', 'default'));
    });

    it('emitBinary: the server sees a binary message with the exact bytes, and replies in binary', async () => {
      await start();
      const messages = new EventLog<NeffosMessage>();
      const { ns } = await dialConnected(new EventLog(), messages);
      const bytes = new Uint8Array([0x62, 0x00, 0x3b, 0x00, 0xff, 0xfe, 0x01, 0x3b]);
      expect(ns.emitBinary('bin', bytes)).toBe(true);
      const got = await seen.waitFor((s) => s.event === 'bin');
      expect(got.binary).toBe(true);
      expect([...got.body]).toEqual([...bytes]);
      // The handler's return value comes back with the request's frame type: binary.
      const back = await messages.waitFor((m) => m.Event === 'bin');
      expect(back.SetBinary).toBe(true);
      expect(back.Body).toBeInstanceOf(ArrayBuffer);
      expect([...new Uint8Array(back.Body as ArrayBuffer)]).toEqual([...bytes]);
    });
  });

  describe('rooms', () => {
    it('joinRoom: fires the server hooks and registers the membership', async () => {
      await start();
      const { ns, id, log } = await dialConnected();
      const room = await withTimeout(ns.joinRoom('r1'), 2_000, 'joinRoom');
      expect(room.name).toBe('r1');
      expect(hooks.entries.slice(2)).toEqual(['_OnRoomJoin:r1', '_OnRoomJoined:r1']);
      expect(h.engine.members('default', 'r1')).toEqual([id]);
      expect(h.engine.rooms('default')).toEqual(['r1']);
      expect(log.entries).toContain('_OnRoomJoined:r1:');
    });

    it('room.emit: the server handler sees msg.room', async () => {
      await start();
      const { ns } = await dialConnected();
      const room = await withTimeout(ns.joinRoom('r1'), 2_000, 'joinRoom');
      expect(room.emit('note', 'in the room')).toBe(true);
      const got = await seen.waitFor((s) => s.event === 'note');
      expect(got.room).toBe('r1');
      expect(got.body.toString()).toBe('in the room');
    });

    it('room.leave: fires the server hooks, clears the membership, resolves null', async () => {
      await start();
      const { ns, log } = await dialConnected();
      const room = await withTimeout(ns.joinRoom('r1'), 2_000, 'joinRoom');
      await expect(withTimeout(room.leave(), 2_000, 'room.leave')).resolves.toBeNull();
      expect(hooks.entries.slice(4)).toEqual(['_OnRoomLeave:r1', '_OnRoomLeft:r1']);
      expect(h.engine.members('default', 'r1')).toEqual([]);
      expect(h.engine.rooms('default')).toEqual([]);
      expect(ns.rooms.size).toBe(0);
      expect(log.entries).toContain('_OnRoomLeft:r1:');
    });

    it('leaveAll: the _OnRoomLeft frames neffos.js sends get no reply and change nothing (docs/protocol.md §3.8.3)', async () => {
      await start();
      const { ns, id } = await dialConnected();
      await withTimeout(ns.joinRoom('a'), 2_000, 'join a');
      await withTimeout(ns.joinRoom('b'), 2_000, 'join b');
      const hooksBefore = [...hooks.entries];
      await expect(ns.leaveAll()).resolves.toBeNull();
      // The connection is processed in order: once this ask is answered, both _OnRoomLeft frames have
      // been handled, and any reply to them would have arrived before this one.
      const answer = await withTimeout(ns.ask('echo', 'after leaveAll'), 2_000, 'ask after leaveAll');
      expect(answer.Body).toBe('after leaveAll');
      expect(h.engine.members('default', 'a')).toEqual([id]);
      expect(h.engine.members('default', 'b')).toEqual([id]);
      expect(hooks.entries).toEqual(hooksBefore); // the server's _OnRoomLeft hook did not fire
      expect([...ns.rooms.keys()]).toEqual(['a', 'b']); // no reply reached the client either
    });

    it('ns.disconnect: the server fires _OnNamespaceDisconnect, leaves the rooms and clears the members', async () => {
      await start();
      const { conn, ns, log } = await dialConnected();
      await withTimeout(ns.joinRoom('r1'), 2_000, 'joinRoom');
      const result = await withTimeout(ns.disconnect(), 2_000, 'disconnect');
      expect(result ?? null).toBeNull();
      expect(hooks.entries.slice(4)).toEqual(['_OnNamespaceDisconnect', '_OnRoomLeave:r1', '_OnRoomLeft:r1']);
      const disconnect = seen.entries.find((s) => s.event === '_OnNamespaceDisconnect')!;
      expect(disconnect.isLocal).toBe(false);
      expect(h.engine.members('default')).toEqual([]);
      expect(h.engine.members('default', 'r1')).toEqual([]);
      expect(conn.namespace('default')).toBeUndefined();
      expect(log.entries).toContain('_OnNamespaceDisconnect:');
      // The connection itself stays open and can connect again.
      await withTimeout(conn.connect('default'), 2_000, 'reconnect namespace');
      expect(h.engine.members('default')).toEqual([conn.ID]);
    });
  });

  describe('server → client', () => {
    it('server-forced connect from onConnect reaches waitServerConnect', async () => {
      await start({
        onConnect: async (conn) => {
          await conn.connect('default');
        },
      });
      const log = new EventLog<string>();
      const messages = new EventLog<NeffosMessage>();
      const conn = await h.dial({ default: clientEvents(log, messages) });
      const ns = await waitFor(conn.waitServerConnect('default'), 'waitServerConnect');
      expect(ns.namespace).toBe('default');
      expect(conn.namespace('default')).toBe(ns);
      // neffos.js fires only _OnNamespaceConnected for a server-forced connect, with IsLocal=false.
      expect(log.entries).toEqual(['_OnNamespaceConnected:']);
      expect(messages.entries[0]!.IsLocal).toBe(false);
      await hooks.waitFor((e) => e === '_OnNamespaceConnected');
      expect(hooks.entries).toEqual(['_OnNamespaceConnect', '_OnNamespaceConnected']);
      expect(seen.entries.every((s) => s.isLocal)).toBe(true);
      expect(h.engine.members('default')).toEqual([conn.ID]);
      // and it works like any connected namespace
      expect((await withTimeout(ns.ask('echo', 'forced'), 2_000, 'ask')).Body).toBe('forced');
    });

    it('server ask (nsConn.ask) is answered by a client handler with neffos.reply', async () => {
      await start();
      const { id } = await dialConnected(new EventLog(), undefined, {
        q: (_ns, msg) => reply(`answer to ${bodyText(msg)}`),
        refuse: () => new Error('client says no'),
      });
      const nsConn = h.engine.connection(id)!.namespace('default')!;
      const answer = await nsConn.ask('q', 'question?', { timeout: 2_000 });
      expect(answer.text()).toBe('answer to question?');
      expect(answer.event).toBe('q');
      // engine.ask addresses a connection by id
      const again = await h.engine.ask(id, { namespace: 'default', event: 'q', body: 'again' }, { timeout: 2_000 });
      expect(again.text()).toBe('answer to again');
      // a client handler that returns an Error makes the server ask reject with its text
      const refused = nsConn.ask('refuse', 'x', { timeout: 2_000 });
      await expect(refused).rejects.toBeInstanceOf(RemoteError);
      await expect(refused).rejects.toThrow('client says no');
    });

    it('server ask that the client does not answer rejects with AskTimeoutError after the timeout', async () => {
      await start();
      const clientLog = new EventLog<string>();
      const { id } = await dialConnected(clientLog, undefined, {
        q: (_ns, msg) => {
          clientLog.push(`q:${bodyText(msg)}`);
        },
      });
      const nsConn = h.engine.connection(id)!.namespace('default')!;
      const started = performance.now();
      const asking = nsConn.ask('q', 'anyone?', { timeout: 150 });
      await expect(asking).rejects.toBeInstanceOf(AskTimeoutError);
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
      expect(clientLog.entries).toContain('q:anyone?'); // it was delivered, just not answered
    });

    it('server-forced joinRoom, leaveRoom and disconnect are seen by the client handlers', async () => {
      await start();
      const log = new EventLog<string>();
      const messages = new EventLog<NeffosMessage>();
      const { conn, ns, id } = await dialConnected(log, messages);
      const nsConn = h.engine.connection(id)!.namespace('default')!;

      await nsConn.joinRoom('r9', { timeout: 2_000 });
      await log.waitFor((e) => e === '_OnRoomJoined:r9:');
      expect(ns.rooms.has('r9')).toBe(true);
      expect(messages.entries.find((m) => m.Event === '_OnRoomJoin')?.IsLocal).toBe(false);
      expect(h.engine.members('default', 'r9')).toEqual([id]);
      expect(hooks.entries.slice(2)).toEqual(['_OnRoomJoin:r9', '_OnRoomJoined:r9']);

      await nsConn.leaveRoom('r9', { timeout: 2_000 });
      await log.waitFor((e) => e === '_OnRoomLeft:r9:');
      expect(log.entries).toContain('_OnRoomLeave:r9:');
      expect(ns.rooms.size).toBe(0);
      expect(h.engine.members('default', 'r9')).toEqual([]);

      await nsConn.joinRoom('r10', { timeout: 2_000 });
      await nsConn.disconnect({ timeout: 2_000 });
      await log.waitFor((e) => e === '_OnNamespaceDisconnect:');
      expect(conn.namespace('default')).toBeUndefined();
      expect(log.entries.slice(-3)).toEqual(['_OnRoomLeave:r10:', '_OnRoomLeft:r10:', '_OnNamespaceDisconnect:']);
      expect(h.engine.members('default')).toEqual([]);
      expect(h.engine.members('default', 'r10')).toEqual([]);
      expect(hooks.entries.slice(-3)).toEqual(['_OnRoomLeave:r10', '_OnRoomLeft:r10', '_OnNamespaceDisconnect']);
    });

    it('broadcast to a namespace, to a room, and with an exclusion by id', async () => {
      await start();
      const alice = await dialConnected();
      const bob = await dialConnected();
      const carol = await dialConnected();
      await withTimeout(bob.ns.joinRoom('r'), 2_000, 'bob joins r');
      await withTimeout(carol.ns.joinRoom('r'), 2_000, 'carol joins r');
      const everyone = [alice, bob, carol];
      for (const c of everyone) c.log.entries.length = 0;

      expect(h.engine.broadcast({ namespace: 'default', event: 'news', body: 'to all' })).toBe(3);
      expect(h.engine.broadcast({ namespace: 'default', room: 'r', event: 'news', body: 'to r' })).toBe(2);
      expect(h.engine.broadcast({ namespace: 'default', event: 'news', body: 'not bob' }, { except: bob.id })).toBe(2);
      expect(h.engine.broadcast({ namespace: 'default', event: 'news', body: 'nobody' }, { except: [alice.id, bob.id, carol.id] })).toBe(0);
      // A marker last: each connection receives in order, so the log before it is complete.
      expect(h.engine.broadcast({ namespace: 'default', event: 'marker', body: 'end' })).toBe(3);
      await Promise.all(everyone.map((c) => c.log.waitFor((e) => e === 'marker:end')));

      expect(alice.log.entries).toEqual(['news:to all', 'news:not bob', 'marker:end']);
      expect(bob.log.entries).toEqual(['news:to all', 'news:r:to r', 'marker:end']);
      expect(carol.log.entries).toEqual(['news:to all', 'news:r:to r', 'news:not bob', 'marker:end']);
    });

    it('an exclusion list longer than a few ids (looked up in a Set) leaves out exactly those ids', async () => {
      await start();
      const clients = [];
      for (let k = 0; k < 8; k++) clients.push(await dialConnected());
      const excluded = clients.slice(0, 6);
      expect(h.engine.broadcast({ namespace: 'default', event: 'news', body: 'few' }, { except: excluded.map((c) => c.id) })).toBe(2);
      expect(h.engine.broadcast({ namespace: 'default', event: 'marker', body: 'end' })).toBe(8);
      await Promise.all(clients.map((c) => c.log.waitFor((e) => e === 'marker:end')));
      for (const [k, c] of clients.entries()) expect(c.log.entries.filter((e) => e.startsWith('news:'))).toEqual(k < 6 ? [] : ['news:few']);
    });

    it('nsConn.broadcast from a handler reaches the others, not the sender', async () => {
      await start({
        namespaces: {
          default: {
            shout: (msg, ns) => {
              ns.broadcast('news', msg.text());
            },
          },
        },
      });
      const alice = await dialConnected();
      const bob = await dialConnected();
      alice.ns.emit('shout', 'hey');
      await bob.log.waitFor((e) => e === 'news:hey');
      h.engine.broadcast({ namespace: 'default', event: 'marker', body: 'end' });
      await alice.log.waitFor((e) => e === 'marker:end');
      expect(alice.log.entries.filter((e) => e.startsWith('news'))).toEqual([]);
    });

    it('engine.to(id).emit reaches only that connection', async () => {
      await start();
      const alice = await dialConnected();
      const bob = await dialConnected();
      for (const c of [alice, bob]) c.log.entries.length = 0;
      expect(h.engine.to(bob.id).emit({ namespace: 'default', event: 'direct', body: 'for bob' })).toBe(1);
      expect(h.engine.to('nobody').emit({ namespace: 'default', event: 'direct', body: 'lost' })).toBe(0);
      h.engine.broadcast({ namespace: 'default', event: 'marker', body: 'end' });
      await Promise.all([alice, bob].map((c) => c.log.waitFor((e) => e === 'marker:end')));
      expect(bob.log.entries).toEqual(['direct:for bob', 'marker:end']);
      expect(alice.log.entries).toEqual(['marker:end']);
    });
  });

  describe('timing-sensitive paths', () => {
    it('an event emitted from _OnNamespaceConnected reaches the client right after connect (docs/protocol.md §10.21)', async () => {
      await start({
        namespaces: {
          default: {
            _OnNamespaceConnected: (_msg, ns) => {
              ns.emit('news', 'welcome');
            },
          },
        },
      });
      const { log } = await dialConnected();
      await log.waitFor((e) => e === 'news:welcome');
    });

    it('reconnect: after a server close neffos.js probes HEAD, redials with X-Websocket-Reconnect, restores namespace and room', async () => {
      const serverConns = new EventLog<Conn>();
      await start({ onConnect: (conn) => serverConns.push(conn) });
      const requests = new EventLog<string>();
      h.server.on('request', (req) => requests.push(`${req.method} ${req.url}`));
      const clientConns = new EventLog<NeffosConn>();
      const first = await h.dial(
        { default: clientEvents(new EventLog(), undefined, { _OnNamespaceConnected: (ns) => clientConns.push(ns.conn) }) },
        { reconnect: 50 },
      );
      try {
        const ns = await withTimeout(first.connect('default'), 2_000, 'connect');
        await withTimeout(ns.joinRoom('r1'), 2_000, 'join');
        const firstId = first.ID!;
        h.engine.connection(firstId)!.close();

        const second = await serverConns.waitFor((c) => c.id !== firstId, 'the reconnection', 5_000);
        expect(second.reconnectTries).toBe(1);
        expect(second.wasReconnected()).toBe(true);
        expect(requests.entries).toContain(`HEAD ${PATH}`);
        // neffos.js (on V8) connects the namespace again and re-joins the room
        await hooks.waitUntil((e) => e.filter((x) => x === '_OnRoomJoined:r1').length === 2, 'the room to be re-joined', 5_000);
        expect(h.engine.members('default', 'r1')).toEqual([second.id]);
        const renewed = await clientConns.waitFor((c) => c !== first, 'the new client conn');
        expect(renewed.ID).toBe(second.id);
        expect(renewed.reconnectTries).toBe(1);
      } finally {
        // Close every client conn, or neffos.js would keep reconnecting after the engine stops.
        for (const c of new Set([first, ...clientConns.entries])) await closeNeffos(c);
      }
    });
  });

  describe('closing', () => {
    it('conn.close() from the client: the server tears down rooms (Leave→Left), the namespace, then onDisconnect', async () => {
      await start();
      const { conn, ns, id } = await dialConnected();
      await withTimeout(ns.joinRoom('a'), 2_000, 'join a');
      await withTimeout(ns.joinRoom('b'), 2_000, 'join b');
      hooks.entries.length = 0;
      seen.entries.length = 0;
      const closed = socketClosed(conn);
      conn.close();
      await closed;
      await disconnected.waitFor((e) => e === id);
      expect(hooks.entries).toEqual(['_OnRoomLeave:a', '_OnRoomLeft:a', '_OnRoomLeave:b', '_OnRoomLeft:b', '_OnNamespaceDisconnect', 'onDisconnect']);
      expect(seen.entries.every((s) => s.isForced && s.isLocal)).toBe(true);
      expect(h.engine.members('default')).toEqual([]);
      expect(h.engine.rooms('default')).toEqual([]);
      expect(h.engine.connection(id)).toBeUndefined();
      expect(h.engine.connectionCount).toBe(0);
    });

    it('server conn.close(): the client sees code 1000, both sides tear down, onDisconnect fires', async () => {
      await start();
      const { conn, id, log } = await dialConnected();
      const closed = socketClosed(conn);
      h.engine.connection(id)!.close();
      expect((await closed).code).toBe(1000);
      await disconnected.waitFor((e) => e === id);
      expect(hooks.entries.slice(-2)).toEqual(['_OnNamespaceDisconnect', 'onDisconnect']);
      expect(conn.isClosed()).toBe(true);
      expect(log.entries).toContain('_OnNamespaceDisconnect:');
      expect(h.engine.connectionCount).toBe(0);
    });

    it('server conn.close() of a connection with no namespace still fires onDisconnect', async () => {
      await start();
      const conn = await h.dial({ default: {} });
      const closed = socketClosed(conn);
      h.engine.connection(conn.ID!)!.close(4000, 'kicked');
      expect(await closed).toEqual({ code: 4000, reason: 'kicked' });
      await disconnected.waitFor((e) => e === conn.ID, 'onDisconnect');
    });

    it('engine.close(): clients see 1001, teardown hooks and onDisconnect fire for every connection', async () => {
      await start();
      const a = await dialConnected();
      const b = await h.dial({ default: {} }); // acknowledged, no namespace
      const closedA = socketClosed(a.conn);
      const closedB = socketClosed(b);
      await withTimeout(h.engine.close(), 5_000, 'engine.close()');
      expect((await closedA).code).toBe(1001);
      expect((await closedB).code).toBe(1001);
      expect(hooks.entries.slice(2).filter((e) => e !== 'onDisconnect')).toEqual(['_OnNamespaceDisconnect']);
      expect([...disconnected.entries].sort()).toEqual([a.id, b.ID].sort());
      expect(h.engine.connectionCount).toBe(0);
      expect(h.server.listenerCount('upgrade')).toBe(0); // detached from the http server
    });
  });

  describe('handshake rejection (H<text>)', () => {
    it('authorize returning false: dial rejects with "unauthorized"', async () => {
      await start({ authorize: () => false });
      await expect(h.dial({ default: {} })).rejects.toThrow(UNAUTHORIZED);
      await withTimeout(h.engine.close(), 5_000, 'engine.close()'); // waits for the rejected socket to close
      expect(disconnected.entries).toEqual([]);
    });

    it('authorize returning a string: dial rejects with that text', async () => {
      await start({ authorize: async (req) => (req.headers['x-token'] === 'ok' ? true : 'token required') });
      await expect(h.dial({ default: {} })).rejects.toThrow('token required');
      const ok = await h.dial({ default: {} }, { headers: { 'X-Token': 'ok' } });
      expect(ok.ID).toBeTruthy();
    });

    it('onConnect throwing: dial rejects with the error text, onDisconnect does not fire', async () => {
      await start({
        onConnect: () => {
          throw new ClientError('rejected by OnConnect');
        },
      });
      await expect(h.dial({ default: {} })).rejects.toThrow('rejected by OnConnect');
      await withTimeout(h.engine.close(), 5_000, 'engine.close()'); // waits for the rejected socket to close
      expect(h.engine.connectionCount).toBe(0);
      expect(disconnected.entries).toEqual([]);
    });
  });

  it('closeNeffos helper leaves no connection behind', async () => {
    await start();
    const { conn, id } = await dialConnected();
    await closeNeffos(conn);
    await disconnected.waitFor((e) => e === id);
    expect(h.engine.connectionCount).toBe(0);
  });
});
