// The test kit `nestjs-neffos/testing` against a real Nest app and against the bare engine: every
// client action, every wait and its timeout message, server-forced actions, server asks, and a
// cleanup that leaves nothing open.
import { Injectable } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientError, Message, NeffosController, NeffosEngine, NeffosModule, NeffosServer, NSConn } from 'nestjs-neffos';
import {
  createTestingApp,
  dial,
  DialRejectedError,
  EndpointNotFoundError,
  ReplyError,
  TestConnectionClosedError,
  TestTimeoutError,
  type TestingApp,
} from 'nestjs-neffos/testing';

@Injectable()
class Seen {
  readonly log: string[] = [];
  /** Holds the `hang` handler until a test releases it (in afterEach at the latest). */
  release!: () => void;
  readonly gate = new Promise<void>((resolve) => (this.release = resolve));
}

@NeffosController('chat')
class ChatController {
  constructor(
    private readonly seen: Seen,
    private readonly server: NeffosServer,
  ) {}

  onNamespaceConnected(_msg: Message, conn: NSConn): void {
    conn.emit('welcome', { id: conn.id, user: conn.conn.request.headers['x-user'] ?? null });
  }

  echo(msg: Message): Buffer {
    return msg.body;
  }

  sum(msg: Message): number {
    return msg.json<number[]>().reduce((a, b) => a + b, 0);
  }

  fail(): never {
    throw new ClientError('nope, not today');
  }

  note(msg: Message): void {
    this.seen.log.push(`${msg.room}:${msg.text()}`);
  }

  say(msg: Message, conn: NSConn): void {
    conn.broadcast('said', msg.text(), { room: msg.room, includeSelf: true });
  }

  /** Replies only when the test releases it: an ask the client has to wait for. */
  async hang(): Promise<string> {
    await this.seen.gate;
    return 'released';
  }

  /** Asks the client back and replies with what it answered (or its error text). */
  async askBack(msg: Message, conn: NSConn): Promise<string> {
    try {
      return `client said ${(await conn.ask('question', msg.text(), { timeout: 2_000 })).text()}`;
    } catch (err) {
      return `client failed: ${(err as Error).message}`;
    }
  }

  async moveTo(msg: Message, conn: NSConn): Promise<string> {
    await conn.joinRoom(msg.text());
    return 'moved';
  }

  async kick(_msg: Message, conn: NSConn): Promise<void> {
    await conn.disconnect();
  }

  query(_msg: Message, conn: NSConn): string {
    return conn.conn.request.url ?? '';
  }
}

function chatApp(extra: Partial<Parameters<typeof NeffosModule.forRoot>[0]> = {}): Promise<TestingApp> {
  return createTestingApp({
    imports: [NeffosModule.forRoot({ path: '/ws', ...extra })],
    providers: [Seen, ChatController],
  });
}

describe('nestjs-neffos/testing against a Nest app', () => {
  let testing: TestingApp | undefined;
  afterEach(async () => {
    testing?.app.get(Seen).release();
    await testing?.close();
    testing = undefined;
  });

  it('dials the app itself (port and path found), connects, asks, and reads text and JSON replies', async () => {
    testing = await chatApp();
    expect(testing.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws$/);
    const client = await dial(testing.app, { headers: { 'x-user': 'ann' } });
    expect(client.id).toMatch(/^[0-9a-f-]{36}$/);
    const chat = await client.connect('chat');
    const welcome = await chat.nextEvent('welcome');
    expect(welcome.json<{ id: string; user: string }>()).toEqual({ id: client.id, user: 'ann' });
    expect((await chat.ask('echo', 'hi')).text()).toBe('hi');
    expect((await chat.ask('sum', [1, 2, 3])).json<number>()).toBe(6);
    await client.close();
    expect(client.isClosed).toBe(true);
  });

  it('receives what onNamespaceConnected writes right after the connect reply, every time', async () => {
    testing = await chatApp();
    const client = await testing.dial();
    for (let i = 0; i < 50; i++) {
      const chat = await client.connect('chat');
      await chat.nextEvent('welcome', { timeout: 2_000 });
      await chat.disconnect();
    }
  });

  it('rejects an ask with the server error text, and a connect to an unknown namespace with "bad namespace"', async () => {
    testing = await chatApp();
    const client = await testing.dial();
    const chat = await client.connect('chat');
    const err = await chat.ask('fail').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplyError);
    expect((err as ReplyError).message).toBe('nope, not today');
    await expect(client.connect('nowhere')).rejects.toThrow('bad namespace');
  });

  it('times out waits with a message that names what was awaited and what arrived instead', async () => {
    testing = await chatApp();
    const client = await testing.dial();
    const chat = await client.connect('chat');
    await chat.ask('echo', 'x'); // the welcome is unread by now
    const err = await chat.nextEvent('never', { timeout: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TestTimeoutError);
    expect((err as Error).message).toBe(
      'timed out after 50 ms waiting for event "never" in namespace "chat" (unread meanwhile: welcome); pass { timeout } to wait longer',
    );
    const askErr = await chat.ask('hang', undefined, { timeout: 50 }).catch((e: unknown) => e);
    expect(askErr).toBeInstanceOf(TestTimeoutError);
    expect((askErr as Error).message).toContain('waiting for the reply to ask "hang" in namespace "chat"');
    await expect(client.waitServerConnect('other', { timeout: 50 })).rejects.toThrow(
      'timed out after 50 ms waiting for the server to connect this client to namespace "other"',
    );
  });

  it('joins, emits in and leaves rooms; room broadcasts arrive with their room', async () => {
    testing = await chatApp();
    const seen = testing.app.get(Seen);
    const client = await testing.dial();
    const chat = await client.connect('chat');
    const room = await chat.joinRoom('general');
    expect(chat.room('general')).toBe(room);
    expect(testing.app.get(NeffosServer).members('chat', 'general')).toEqual([client.id]);
    room.emit('say', 'hello room');
    const said = await chat.nextEvent('said', { room: 'general' });
    expect(said.text()).toBe('hello room');
    room.emit('note', 'n1');
    await room.ask('echo', 'sync'); // in order: the note was handled before this reply
    expect(seen.log).toEqual(['general:n1']);
    await room.leave();
    expect(chat.room('general')).toBeUndefined();
    expect(testing.app.get(NeffosServer).members('chat', 'general')).toEqual([]);
  });

  it('iterates incoming messages in order', async () => {
    testing = await chatApp();
    const client = await testing.dial();
    const chat = await client.connect('chat');
    await chat.nextEvent('welcome');
    const server = testing.app.get(NeffosServer);
    for (const n of [1, 2, 3]) server.to(client.id).emit({ namespace: 'chat', event: 'tick', body: n });
    const bodies: number[] = [];
    for await (const msg of chat.messages({ timeout: 2_000 })) {
      bodies.push(msg.json<number>());
      if (bodies.length === 3) break;
    }
    expect(bodies).toEqual([1, 2, 3]);
  });

  it('answers server asks with a handler, a thrown error with an error reply', async () => {
    testing = await chatApp();
    const client = await testing.dial();
    const chat = await client.connect('chat');
    chat.onAsk('question', (msg) => `yes to ${msg.text()}`);
    expect((await chat.ask('askBack', 'coffee?')).text()).toBe('client said yes to coffee?');
    chat.onAsk('question', () => {
      throw new Error('no tea');
    });
    expect((await chat.ask('askBack', 'tea?')).text()).toBe('client failed: no tea');
  });

  it('leaves unhandled server asks in the inbox, to be answered with reply()', async () => {
    testing = await chatApp();
    const client = await testing.dial();
    const chat = await client.connect('chat');
    const server = testing.app.get(NeffosServer);
    const asked = server.ask(client.id, { namespace: 'chat', event: 'question', body: 'name?' }, { timeout: 2_000 });
    const question = await chat.nextEvent('question');
    expect(question.text()).toBe('name?');
    chat.reply(question, 'bob');
    expect((await asked).text()).toBe('bob');
  });

  it('follows server-forced joins and disconnects, and ends waits when the namespace goes', async () => {
    testing = await chatApp();
    const client = await testing.dial();
    const chat = await client.connect('chat');
    await chat.ask('moveTo', 'ops');
    expect([...chat.rooms.keys()]).toEqual(['ops']);
    const waiting = chat.nextEvent('never', { timeout: 5_000 }).catch((e: unknown) => e);
    await chat.ask('kick').catch(() => undefined); // the server disconnects us before it could reply
    expect(await waiting).toBeInstanceOf(TestConnectionClosedError);
    expect(chat.isConnected).toBe(false);
    expect(client.namespace('chat')).toBeUndefined();
  });

  it('sends headers and query parameters with the upgrade', async () => {
    testing = await chatApp({ authorize: (req) => req.headers['x-token'] === 'secret' || 'bad token' });
    await expect(testing.dial()).rejects.toThrow(new DialRejectedError(testing.url, 'bad token'));
    const client = await testing.dial({ headers: { 'x-token': 'secret' }, query: { room: 'a b' } });
    const chat = await client.connect('chat');
    expect((await chat.ask('query')).text()).toBe('/ws?room=a+b');
  });

  it('fails pending waits when the server closes the connection', async () => {
    testing = await chatApp();
    const client = await testing.dial();
    const chat = await client.connect('chat');
    const pending = chat.ask('hang', undefined, { timeout: 5_000 }).catch((e: unknown) => e);
    testing.app.get(NeffosServer).closeConnection(client.id, 4000, 'bye');
    const err = await pending;
    expect(err).toBeInstanceOf(TestConnectionClosedError);
    expect((err as Error).message).toBe('the connection closed (code 4000, reason "bye") while waiting for the reply to ask "hang" in namespace "chat"');
    expect(await client.whenClosed()).toEqual({ code: 4000, reason: 'bye' });
  });

  // A call on a namespace that is gone used to throw a plain Error synchronously, so
  // `await expect(ns.ask(…)).rejects` never saw it and the test died at the call.
  it('an ask on a namespace that is gone rejects (not throws) with TestConnectionClosedError; an emit throws it', async () => {
    testing = await chatApp();
    const client = await testing.dial();
    const chat = await client.connect('chat');
    await chat.disconnect();
    let asked: Promise<unknown> | undefined;
    expect(() => (asked = chat.ask('echo', 'late'))).not.toThrow();
    const err = await asked!.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TestConnectionClosedError);
    expect((err as Error).message).toBe('the connection closed (code 1000, reason "namespace \\"chat\\" disconnected") while waiting for ask "echo" in namespace "chat" (it is not connected any more)');
    expect(() => chat.emit('note', 'late')).toThrow(TestConnectionClosedError);
    await client.close();
    await expect(client.connect('chat').then(() => 'connected')).rejects.toBeInstanceOf(TestConnectionClosedError);
  });

  it('a dial nobody answers says why the socket closed (ECONNREFUSED), not only code 1006', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const err = await dial(`ws://127.0.0.1:${port}/ws`, { timeout: 2_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TestConnectionClosedError);
    expect((err as Error).message).toBe(`the connection closed (code 1006) while waiting for the handshake of ws://127.0.0.1:${port}/ws (connect ECONNREFUSED 127.0.0.1:${port})`);
  });

  it('close() closes the clients it dialed and the app, leaving the port free and no socket open', async () => {
    const app = await chatApp();
    const server = app.app.getHttpServer() as Server;
    const client = await app.dial();
    await client.connect('chat');
    await app.close();
    expect(client.isClosed).toBe(true);
    expect(server.listening).toBe(false);
    const open = await new Promise<number>((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
    expect(open).toBe(0);
  });

  it('says how to fix a dial of an app that does not listen or serves no endpoint', async () => {
    const server = createServer();
    expect(() => dial(server)).toThrow(EndpointNotFoundError);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    expect(() => dial(server)).toThrow('serves no neffos endpoint');
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

describe('nestjs-neffos/testing against the bare engine', () => {
  let server: Server | undefined;
  let engine: NeffosEngine | undefined;
  afterEach(async () => {
    await engine?.close();
    await new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
    server = engine = undefined;
  });

  async function start(options: ConstructorParameters<typeof NeffosEngine>[0]): Promise<Server> {
    server = createServer();
    engine = new NeffosEngine({ pingInterval: 0, ...options }).attach(server);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return server;
  }

  it('dials an http.Server, waits for a server-forced connect, and gets the native and framed events', async () => {
    const s = await start({
      path: '/echo',
      onConnect: async (conn) => {
        await conn.connect('default');
      },
      namespaces: {
        default: {
          _OnNamespaceConnected: (_msg, ns) => ns.emit('hi', 'there'),
          echo: (msg) => msg.body,
        },
      },
    });
    const client = await dial(s);
    const ns = await client.waitServerConnect('default');
    expect((await ns.nextEvent('hi')).text()).toBe('there');
    const bytes = Buffer.from([0, 1, 2, 255]);
    ns.emitBinary('echo', bytes);
    const echoed = await ns.nextEvent('echo');
    expect(echoed.isBinary).toBe(true);
    expect(echoed.body.equals(bytes)).toBe(true);
    await client.close();
  });

  it('sends an unframed message that reaches the native handler of namespace "", and reads its native answer', async () => {
    const seen: string[] = [];
    const s = await start({
      path: '/echo',
      namespaces: {
        '': {
          _OnNativeMessage: (msg, ns) => {
            seen.push(`${msg.isNative ? 'native' : 'framed'} ${msg.isBinary ? 'binary' : 'text'}: ${msg.text()}`);
            ns.emit('_OnNativeMessage', `got ${msg.text()}`);
          },
          // A second event keeps the engine in mixed mode: with `_OnNativeMessage` alone on "" it would
          // serve plain WebSocket clients only (native-only mode, docs/protocol.md §2.8), no neffos handshake.
          echo: (msg) => msg.body,
        },
      },
    });
    const client = await dial(s);
    const root = await client.connect('');
    client.sendNative('plain text');
    expect((await root.nextEvent('_OnNativeMessage')).text()).toBe('got plain text');
    client.sendNative(new TextEncoder().encode('plain bytes'));
    expect((await root.nextEvent('_OnNativeMessage')).text()).toBe('got plain bytes');
    expect(seen).toEqual(['native text: plain text', 'native binary: plain bytes']);
    await client.close();
  });

  it('refuses server-forced connects to namespaces outside { namespaces }', async () => {
    let forced!: Promise<string>;
    const s = await start({
      path: '/echo',
      onConnect: (conn) => {
        forced = conn.connect('admin').then(
          () => 'connected',
          (err: Error) => err.message,
        );
      },
      namespaces: { admin: {}, default: {} },
    });
    const client = await dial(s, { namespaces: ['default'] });
    expect(await forced).toBe('bad namespace');
    expect(client.namespace('admin')).toBeUndefined();
    await client.close();
  });
});
