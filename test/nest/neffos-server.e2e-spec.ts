// NeffosServer injected into a plain HTTP controller (and into a neffos controller): push to one
// connection, broadcast to a namespace or room with exclusions, ask a client, manage its rooms, look
// up connections and rooms, close a connection; and NeffosNotReadyError before bootstrap.
import 'reflect-metadata';
import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import { Message, NeffosController, NeffosModule, NeffosNotReadyError, NeffosServer, type NSConn } from '../../lib/index.js';
import type { NeffosTestClient, ServerAskHandler, TestNamespace } from '../../lib/testing.js';
import { createNestApp, useNestApps, type NestApp } from '../utils/nest-app.js';

useNestApps();

@NeffosController('default')
class ChatController {
  constructor(private readonly server: NeffosServer) {}
  echo(msg: Message) {
    return msg.body;
  }
  /** Tells everyone else in the namespace, through the injected NeffosServer. */
  shout(msg: Message, conn: NSConn) {
    return String(this.server.broadcast({ namespace: 'default', event: 'news', body: `${conn.id} shouts ${msg.text()}` }, { except: conn.id }));
  }
}

interface PushBody {
  event: string;
  body: string;
  room?: string;
  except?: string | string[];
}

@Controller('api')
class PushController {
  constructor(private readonly server: NeffosServer) {}

  @Post('push/:id')
  push(@Param('id') id: string, @Body() b: PushBody) {
    return { sent: this.server.to(id).emit({ namespace: 'default', room: b.room, event: b.event, body: b.body }) };
  }

  @Post('broadcast')
  broadcast(@Body() b: PushBody) {
    return { sent: this.server.broadcast({ namespace: 'default', room: b.room, event: b.event, body: b.body }, b.except === undefined ? {} : { except: b.except }) };
  }

  @Get('ask/:id')
  async ask(@Param('id') id: string, @Query('q') q: string) {
    try {
      const answer = await this.server.ask(id, { namespace: 'default', event: 'question', body: q }, { timeout: 2_000 });
      return { answer: answer.text() };
    } catch (err) {
      return { error: (err as Error).message, name: (err as Error).name };
    }
  }

  @Post('join/:id/:room')
  async join(@Param('id') id: string, @Param('room') room: string) {
    await this.server.joinRoom(id, 'default', room);
    return { ok: true };
  }

  @Post('leave/:id/:room')
  async leave(@Param('id') id: string, @Param('room') room: string) {
    await this.server.leaveRoom(id, 'default', room);
    return { ok: true };
  }

  @Get('state')
  state(@Query('room') room?: string) {
    return {
      members: [...this.server.members('default', room)].sort(),
      rooms: [...this.server.rooms('default')].sort(),
      connectionCount: this.server.connectionCount,
      connections: this.server.connections().map((c) => c.id).sort(),
    };
  }

  @Get('connection/:id')
  connection(@Param('id') id: string) {
    const conn = this.server.connection(id);
    return { found: conn !== undefined, id: conn?.id ?? null };
  }

  @Post('close/:id')
  close(@Param('id') id: string, @Body() b: { code?: number; reason?: string }) {
    return { closed: this.server.closeConnection(id, b.code, b.reason) };
  }
}

interface Client {
  conn: NeffosTestClient;
  ns: TestNamespace;
  id: string;
}

async function client(h: NestApp, question?: ServerAskHandler): Promise<Client> {
  const conn = await h.client();
  const ns = await conn.connect('default');
  ns.onAsk('question', question ?? ((msg) => `answer of ${conn.id} to ${msg.text()}`));
  return { conn, ns, id: conn.id };
}

const isMarker = (text: string) => text.startsWith('marker-');
const news = (c: Client) => c.ns.received.filter((m) => m.event === 'news' && !isMarker(m.text())).map((m) => `${m.room}|${m.text()}`);

/** Waits until `c` received a `news` event with this text (earlier ones are read past, and stay in `received`). */
async function newsText(c: Client, text: string): Promise<void> {
  while ((await c.ns.nextEvent('news')).text() !== text);
}

/** Broadcasts a marker to everyone and waits until each client got it: everything sent before it has arrived. */
async function settle(h: NestApp, clients: Client[]): Promise<void> {
  const marker = `marker-${Math.random()}`;
  await h.http('POST', '/api/broadcast', { event: 'news', body: marker });
  await Promise.all(clients.map((c) => newsText(c, marker)));
}

const app = () => createNestApp({ providers: [ChatController], controllers: [PushController] });

describe('NeffosServer from an HTTP controller', () => {
  it('to(id).emit pushes to that connection only', async () => {
    const h = await app();
    const [a, b] = [await client(h), await client(h)];
    const res = await h.http('POST', `/api/push/${a.id}`, { event: 'news', body: 'for a' });
    expect(res.status).toBe(201);
    expect(res.json()).toEqual({ sent: 1 });
    await newsText(a, 'for a');
    await settle(h, [a, b]);
    expect(news(a)).toEqual(['|for a']);
    expect(news(b)).toEqual([]);
    expect((await h.http('POST', '/api/push/nobody', { event: 'news', body: 'x' })).json()).toEqual({ sent: 0 });
  });

  it('broadcast reaches the whole namespace, and except leaves out the given ids', async () => {
    const h = await app();
    const [a, b, c] = [await client(h), await client(h), await client(h)];
    expect((await h.http('POST', '/api/broadcast', { event: 'news', body: 'all' })).json()).toEqual({ sent: 3 });
    expect((await h.http('POST', '/api/broadcast', { event: 'news', body: 'not a', except: a.id })).json()).toEqual({ sent: 2 });
    expect((await h.http('POST', '/api/broadcast', { event: 'news', body: 'only c', except: [a.id, b.id] })).json()).toEqual({ sent: 1 });
    await settle(h, [a, b, c]);
    expect(news(a)).toEqual(['|all']);
    expect(news(b)).toEqual(['|all', '|not a']);
    expect(news(c)).toEqual(['|all', '|not a', '|only c']);
  });

  it('broadcast to a room with except reaches the other members of that room only', async () => {
    const h = await app();
    const [a, b, c] = [await client(h), await client(h), await client(h)];
    await a.ns.joinRoom('r');
    await b.ns.joinRoom('r');
    expect((await h.http('POST', '/api/broadcast', { room: 'r', event: 'news', body: 'room news', except: a.id })).json()).toEqual({ sent: 1 });
    await settle(h, [a, b, c]);
    expect(news(a)).toEqual([]);
    expect(news(b)).toEqual(['r|room news']);
    expect(news(c)).toEqual([]);
  });

  it("ask(id, …) resolves with what the client's handler answered", async () => {
    const h = await app();
    const a = await client(h);
    const res = await h.http('GET', `/api/ask/${a.id}?q=ready`);
    expect(res.json()).toEqual({ answer: `answer of ${a.id} to ready` });
  });

  it('ask(id, …) rejects with the client error text, or ConnectionNotFoundError for an unknown id', async () => {
    const h = await app();
    const a = await client(h, () => {
      throw new Error('client says no');
    });
    expect((await h.http('GET', `/api/ask/${a.id}?q=x`)).json()).toEqual({ error: 'client says no', name: 'RemoteError' });
    expect((await h.http('GET', '/api/ask/nobody?q=x')).json()).toEqual({ error: 'no connection with id "nobody"', name: 'ConnectionNotFoundError' });
  });

  it('joinRoom / leaveRoom of a connection by id (the client is told), with members(), rooms() and connectionCount', async () => {
    const h = await app();
    const [a, b] = [await client(h), await client(h)];
    expect((await h.http('GET', '/api/state')).json()).toMatchObject({ members: [a.id, b.id].sort(), rooms: [], connectionCount: 2, connections: [a.id, b.id].sort() });

    expect((await h.http('POST', `/api/join/${a.id}/vip`)).json()).toEqual({ ok: true });
    // The join resolved once the client answered it: the client is in the room.
    expect([...a.ns.rooms.keys()]).toEqual(['vip']);
    expect(a.ns.room('vip')).toBeDefined();
    expect((await h.http('GET', '/api/state?room=vip')).json()).toMatchObject({ members: [a.id], rooms: ['vip'] });

    // A room broadcast now reaches a.
    await h.http('POST', '/api/broadcast', { room: 'vip', event: 'news', body: 'vip only' });
    await newsText(a, 'vip only');

    expect((await h.http('POST', `/api/leave/${a.id}/vip`)).json()).toEqual({ ok: true });
    expect(a.ns.room('vip')).toBeUndefined();
    expect((await h.http('GET', '/api/state?room=vip')).json()).toMatchObject({ members: [], rooms: [] });
    await settle(h, [a, b]);
    expect(news(b)).toEqual([]);
  });

  it('connection(id) finds a connection; closeConnection(id, code) closes it with that code', async () => {
    const h = await app();
    const [a, b] = [await client(h), await client(h)];
    expect((await h.http('GET', `/api/connection/${a.id}`)).json()).toEqual({ found: true, id: a.id });
    expect((await h.http('GET', '/api/connection/nobody')).json()).toEqual({ found: false, id: null });

    const closed = a.conn.whenClosed();
    expect((await h.http('POST', `/api/close/${a.id}`, { code: 4000, reason: 'bye' })).json()).toEqual({ closed: true });
    expect(await closed).toEqual({ code: 4000, reason: 'bye' });
    expect((await h.http('POST', '/api/close/nobody', {})).json()).toEqual({ closed: false });

    // The server forgets it once the close completes; b is untouched.
    const state = await h.http('GET', '/api/state');
    const members = state.json<{ members: string[] }>().members;
    expect(members.includes(b.id)).toBe(true);
    const bClosed = b.conn.whenClosed();
    expect((await h.http('POST', `/api/close/${b.id}`, {})).json()).toEqual({ closed: true });
    expect((await bClosed).code).toBe(1000);
  });
});

describe('NeffosServer errors are promise rejections where a promise is returned', () => {
  it('joinRoom / leaveRoom of an unknown connection, namespace or room reject (never throw synchronously)', async () => {
    const h = await app();
    const a = await client(h);
    const server = h.app.get(NeffosServer);
    let rejection: unknown;
    // Chained with .catch(), as services do: a synchronous throw would escape it.
    await server.joinRoom('nobody', 'default', 'r').catch((e: unknown) => (rejection = e));
    expect((rejection as Error).name).toBe('ConnectionNotFoundError');
    await server.joinRoom(a.id, 'not-connected', 'r').catch((e: unknown) => (rejection = e));
    expect((rejection as Error).name).toBe('BadNamespaceError');
    await server.leaveRoom('nobody', 'default', 'r').catch((e: unknown) => (rejection = e));
    expect((rejection as Error).name).toBe('ConnectionNotFoundError');
    await server.leaveRoom(a.id, 'default', 'never-joined').catch((e: unknown) => (rejection = e));
    expect((rejection as Error).name).toBe('BadRoomError');
  });
});

describe('NeffosServer inside a neffos controller', () => {
  it('broadcasts to the other connections of the namespace', async () => {
    const h = await app();
    const [a, b] = [await client(h), await client(h)];
    expect((await a.ns.ask('shout', 'hey')).text()).toBe('1');
    await b.ns.nextEvent('news');
    expect(news(b)).toEqual([`|${a.id} shouts hey`]);
    await settle(h, [a, b]);
    expect(news(a)).toEqual([]);
  });
});

describe('before bootstrap', () => {
  it('every NeffosServer call throws NeffosNotReadyError', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [NeffosModule.forRoot({ path: '/echo' })],
      providers: [ChatController],
    }).compile();
    const nestApp = moduleRef.createNestApplication({ logger: false });
    const server = nestApp.get(NeffosServer);
    try {
      expect(() => server.broadcast({ namespace: 'default', event: 'x', body: 'y' })).toThrow(NeffosNotReadyError);
      expect(() => server.to('id').emit({ namespace: 'default', event: 'x', body: 'y' })).toThrow(NeffosNotReadyError);
      expect(() => server.ask('id', { namespace: 'default', event: 'x', body: 'y' })).toThrow(NeffosNotReadyError);
      expect(() => server.members('default')).toThrow(NeffosNotReadyError);
      expect(() => server.connectionCount).toThrow(NeffosNotReadyError);
      expect(() => server.engine).toThrow(NeffosNotReadyError);
      await expect(server.close()).resolves.toBeUndefined();
    } finally {
      await nestApp.close();
    }
  });
});
