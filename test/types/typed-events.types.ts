// Compile-time tests of typed events (issue 9 item 4), checked by `npm test`'s first step
// (`tsc -p tsconfig.json --noEmit`); nothing here runs. Each `@ts-expect-error` fails the compile if
// the line under it stops being an error, and each `expectType<Equals<…>>()` if an inferred type
// changes, so the file fails without the feature (untyped names and bodies, `Message` for every
// reply) and if it regresses. The run-time half is typed-events.e2e-spec.ts.
import { MessageBody } from '@nestjs/websockets';
import { of, type Observable } from 'rxjs';
import {
  NeffosController,
  NeffosServer,
  type EventHandler,
  type EventReply,
  type EventRequest,
  type Message,
  type NeffosHandlers,
  type NSConn,
  type Payload,
  type Room,
} from 'nestjs-neffos';
import { dial, type NeffosTestClient, type TestingApp, type TestNamespace } from 'nestjs-neffos/testing';

type Equals<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}
/** The body type a message was declared with: what its `json()` returns. */
type BodyOf<P> = P extends Promise<Message<infer T>> ? T : P extends Message<infer T> ? T : never;
type Json<M extends Message<unknown>> = ReturnType<M['json']>;

interface ChatLine {
  from: string;
  text: string;
}
interface ChatEvents {
  join: { req: string; reply: string[] };
  chat: { req: ChatLine };
  typing: {};
  nick: { req?: string; reply: { ok: boolean } };
  confirm: { req: string; reply: boolean };
}
interface AdminEvents {
  kick: { req: { id: string }; reply: number };
}
interface ChatApp {
  chat: ChatEvents;
  admin: AdminEvents;
}

// ---- the vocabulary -------------------------------------------------------------------------------------------

expectType<Equals<EventRequest<ChatEvents, 'join'>, string>>();
expectType<Equals<EventReply<ChatEvents, 'join'>, string[]>>();
expectType<Equals<EventRequest<ChatEvents, 'typing'>, undefined>>();
expectType<Equals<EventReply<ChatEvents, 'chat'>, undefined>>();
expectType<Equals<EventRequest<ChatEvents, 'nick'>, string | undefined>>();
// Untyped: any Payload goes, an unknown reply comes back.
expectType<Equals<EventRequest<any, 'x'>, Payload>>();
expectType<Equals<EventReply<any, 'x'>, unknown>>();

// A map entry is an EventSpec: its bodies must be sendable.
// @ts-expect-error a function is no body
dial<{ chat: { bad: { req: () => void } } }>('ws://x');
// @ts-expect-error an entry is { req?, reply? }, not a body
dial<{ chat: { bad: string } }>('ws://x');

// ---- Payload: what untyped sends accept (issue 9: emit accepted functions and Maps) ------------------------------

export function payloads(conn: NSConn, server: NeffosServer, ns: TestNamespace): void {
  conn.emit('any', 'text');
  conn.emit('any', Buffer.from('bytes'));
  conn.emit('any', { nested: { a: [1, 2] } });
  conn.emit('any', [1, 'two']);
  conn.emit('any', new Date());
  conn.emit('any', null);
  conn.emit('any');
  const line: ChatLine = { from: 'a', text: 'b' };
  conn.emit('any', line);
  const obj: object = line;
  conn.emit('any', obj);
  // @ts-expect-error a function is sent as nothing by JSON
  conn.emit('any', () => 1);
  // @ts-expect-error a Map is sent as {}
  conn.emit('any', new Map([['a', 1]]));
  // @ts-expect-error a Set is sent as {}
  conn.broadcast('any', new Set([1]));
  // @ts-expect-error a Promise is sent as {} (await it first)
  void conn.ask('any', Promise.resolve('x'));
  // @ts-expect-error JSON cannot encode a bigint
  server.broadcast({ namespace: 'chat', event: 'x', body: 1n });
  // @ts-expect-error a class is a function
  server.to('id').emit({ namespace: 'chat', event: 'x', body: Date });
  // @ts-expect-error the test client has the same rule
  ns.emit('any', new Map());
  ns.emit('any', { a: 1 });
}

// ---- the test client --------------------------------------------------------------------------------------------

export async function testClient(testing: TestingApp): Promise<void> {
  const client = await testing.dial<ChatApp>();
  expectType<Equals<typeof client, NeffosTestClient<ChatApp>>>();
  const chat = await client.connect('chat');
  expectType<Equals<typeof chat, TestNamespace<ChatEvents>>>();
  // @ts-expect-error not a namespace of ChatApp
  await client.connect('chta');

  // ask resolves to a Message of the declared reply; json() returns it
  const joined = await chat.ask('join', 'general');
  expectType<Equals<BodyOf<typeof joined>, string[]>>();
  expectType<Equals<Json<typeof joined>, string[]>>();
  const members: string[] = joined.json();
  void members;
  // @ts-expect-error the reply is string[]: no unchecked cast to another type
  joined.json<number>();
  // @ts-expect-error nor through the expected type
  const wrong: number = joined.json();
  void wrong;
  expectType<Equals<BodyOf<ReturnType<typeof chat.ask<'join'>>>, string[]>>();
  await chat.ask('join', 'general', { timeout: 100 });
  await chat.ask('nick');
  await chat.ask('nick', 'ann');
  // @ts-expect-error join takes a string
  await chat.ask('join', 42);
  // @ts-expect-error join needs its body
  await chat.ask('join');
  // @ts-expect-error not an event of namespace chat
  await chat.ask('kick', { id: 'x' });

  chat.emit('chat', { from: 'ann', text: 'hi' });
  chat.emit('typing');
  // @ts-expect-error chat needs a ChatLine
  chat.emit('chat', 'hi');
  // @ts-expect-error a ChatLine has no "txt"
  chat.emit('chat', { from: 'ann', txt: 'hi' });
  // @ts-expect-error chat needs its body
  chat.emit('chat');
  // @ts-expect-error typo in the event name
  chat.emit('chta', { from: 'ann', text: 'hi' });
  // @ts-expect-error typing carries no body
  chat.emit('typing', 'x');
  // @ts-expect-error binary frames too: only events of the map
  chat.emitBinary('chta', 'x');

  // what the server sends: nextEvent resolves to a Message of the event's body
  const line = await chat.nextEvent('chat');
  expectType<Equals<Json<typeof line>, ChatLine>>();
  // @ts-expect-error not an event of the map
  await chat.nextEvent('chta');

  // server asks: the handler gets the event's body and must answer its reply
  chat.onAsk('confirm', (msg) => {
    expectType<Equals<Json<typeof msg>, string>>();
    return msg.text() === 'sure';
  });
  chat.onAsk('confirm', async () => true);
  // @ts-expect-error confirm's reply is a boolean
  chat.onAsk('confirm', () => 'yes');

  // rooms keep the namespace's map
  const room = await chat.joinRoom('general');
  room.emit('chat', { from: 'ann', text: 'hi' });
  expectType<Equals<Json<Awaited<ReturnType<typeof room.ask<'join'>>>>, string[]>>();
  // @ts-expect-error chat needs a ChatLine in a room too
  room.emit('chat', 1);
  chat.room('general')?.emit('typing');

  // other namespaces have their own maps
  const admin = client.namespace('admin');
  const kicked = await admin?.ask('kick', { id: 'x' });
  expectType<Equals<Json<NonNullable<typeof kicked>>, number>>();
  // @ts-expect-error kick takes { id }
  await admin?.ask('kick', 'x');
  const forced = await client.waitServerConnect('admin');
  expectType<Equals<typeof forced, TestNamespace<AdminEvents>>>();
}

/** When the two directions differ: one map for what the client sends, one for what the server sends. */
interface ChatIn {
  join: { req: string; reply: string[] };
  chat: { req: string }; // the client sends text …
}
interface ChatOut {
  chat: { req: ChatLine }; // … the server broadcasts who said it
  confirm: { req: string; reply: boolean };
}
interface ClientApp {
  chat: ChatIn;
}
interface ServerApp {
  chat: ChatOut;
  news: { headline: { req: string } };
}

export async function directions(url: string): Promise<void> {
  const client = await dial<ClientApp, ServerApp>(url);
  const chat = await client.connect('chat');
  expectType<Equals<typeof chat, TestNamespace<ChatIn, ChatOut>>>();
  chat.emit('chat', 'hi');
  // @ts-expect-error the client sends text, not a ChatLine
  chat.emit('chat', { from: 'ann', text: 'hi' });
  // @ts-expect-error confirm is asked by the server, the client does not send it
  chat.emit('confirm', 'x');
  const line = await chat.nextEvent('chat');
  expectType<Equals<Json<typeof line>, ChatLine>>();
  expectType<Equals<Json<Awaited<ReturnType<typeof chat.ask<'join'>>>>, string[]>>();
  chat.onAsk('confirm', (msg, ns) => {
    expectType<Equals<typeof ns, TestNamespace<ChatIn, ChatOut>>>();
    return msg.text() === 'ok';
  });
  // @ts-expect-error join is not something the server sends
  await chat.nextEvent('join');
  (await chat.joinRoom('r')).emit('chat', 'in a room');

  // a namespace only the server's map lists: nothing to send, events to read
  const news = await client.connect('news');
  expectType<Equals<Json<Awaited<ReturnType<typeof news.nextEvent<'headline'>>>>, string>>();
  // @ts-expect-error the client map has no events in namespace news
  news.emit('headline', 'x');
  // @ts-expect-error in neither map
  await client.connect('sports');
}

export class DirectedController implements NeffosHandlers<ChatIn> {
  join(@MessageBody() room: string): string[] {
    return [room];
  }
  chat(msg: Message<string>, conn: NSConn<ChatOut>): void {
    conn.broadcast('chat', { from: conn.id, text: msg.text() });
  }
}

/** Untyped calls compile exactly as before the feature: any name, any Payload, a Message to read. */
export async function untypedClient(url: string): Promise<void> {
  const client = await dial(url);
  const ns = await client.connect('whatever');
  const reply = await ns.ask('echo', 'hi', { timeout: 10 });
  expectType<Equals<Json<typeof reply>, unknown>>();
  const cast = reply.json<{ a: number }>(); // an explicit type argument still casts an untyped body
  expectType<Equals<typeof cast, { a: number }>>();
  ns.emit('anything', { any: 'shape' });
  ns.emit('anything');
  ns.onAsk('question', (msg) => msg.text());
  (await ns.joinRoom('r')).emit('x', 1);
  expectType<Equals<Json<Awaited<ReturnType<typeof ns.nextEvent>>>, unknown>>();
}

// ---- NeffosServer -----------------------------------------------------------------------------------------------

export async function typedServer(server: NeffosServer<ChatApp>, untyped: NeffosServer): Promise<void> {
  server.broadcast({ namespace: 'chat', event: 'chat', body: { from: 'ann', text: 'hi' } });
  server.broadcast({ namespace: 'chat', room: 'general', event: 'typing' }, { except: 'id' });
  server.to('id').emit({ namespace: 'admin', event: 'kick', body: { id: 'x' } });
  // @ts-expect-error chat needs a ChatLine
  server.broadcast({ namespace: 'chat', event: 'chat', body: 'hi' });
  // @ts-expect-error chat needs its body
  server.broadcast({ namespace: 'chat', event: 'chat' });
  // @ts-expect-error kick is an event of namespace admin, not chat
  server.broadcast({ namespace: 'chat', event: 'kick', body: { id: 'x' } });
  // @ts-expect-error no such namespace
  server.to('id').emit({ namespace: 'chta', event: 'chat', body: { from: 'a', text: 'b' } });

  const answer = await server.ask('id', { namespace: 'chat', event: 'confirm', body: 'sure?' }, { timeout: 100 });
  expectType<Equals<Json<typeof answer>, boolean>>();
  // @ts-expect-error confirm asks with a string
  await server.ask('id', { namespace: 'chat', event: 'confirm', body: true });

  // untyped: today's calls
  untyped.broadcast({ namespace: 'any', event: 'any', body: { a: 1 } });
  untyped.to('id').emit({ namespace: 'any', event: 'any' });
  const reply = await untyped.ask('id', { namespace: 'any', event: 'any', body: 'x' });
  expectType<Equals<Json<typeof reply>, unknown>>();
  // the same injectable: one instance, typed or not
  const same: NeffosServer = server;
  const typedAgain: NeffosServer<ChatApp> = untyped;
  void same;
  void typedAgain;
}

// ---- NSConn (the engine) ----------------------------------------------------------------------------------------

export async function typedConn(conn: NSConn<ChatEvents>, room: Room<ChatEvents>): Promise<void> {
  conn.emit('chat', { from: 'ann', text: 'hi' });
  conn.emit('typing');
  conn.broadcast('chat', { from: 'ann', text: 'hi' }, { room: 'general' });
  conn.broadcast('typing');
  // @ts-expect-error chat needs a ChatLine
  conn.emit('chat', 'hi');
  // @ts-expect-error typo in the event name
  conn.emit('chta', { from: 'ann', text: 'hi' });
  // @ts-expect-error broadcast checks the body too
  conn.broadcast('join', 1);
  const ok = await conn.ask('confirm', 'sure?', { timeout: 100 });
  expectType<Equals<Json<typeof ok>, boolean>>();
  // @ts-expect-error confirm asks with a string
  await conn.ask('confirm');
  room.emit('chat', { from: 'ann', text: 'hi' });
  // @ts-expect-error rooms keep the map
  room.emit('chat', 1);
  const joined = await conn.joinRoom('general');
  expectType<Equals<typeof joined, Room<ChatEvents>>>();
  expectType<Equals<ReturnType<typeof conn.room>, Room<ChatEvents> | undefined>>();

  // A typed NSConn is the same object as an untyped one: it goes where NSConn is expected, and back.
  const untyped: NSConn = conn;
  const typed: NSConn<ChatEvents> = untyped;
  void typed;
  // an engine handler may declare the map of its namespace
  const handler: EventHandler = (msg, c: NSConn<ChatEvents>) => {
    c.emit('chat', msg.json<ChatLine>());
  };
  void handler;
}

// ---- controllers that opt in: implements NeffosHandlers<Map> ------------------------------------------------------

@NeffosController('chat')
export class ChatController implements NeffosHandlers<ChatEvents> {
  join(@MessageBody() room: string): string[] {
    return [room];
  }
  chat(msg: Message<ChatLine>, conn: NSConn<ChatEvents>): void {
    conn.broadcast('chat', msg.json());
  }
  typing(): void {}
  async nick(): Promise<{ ok: boolean }> {
    return { ok: true };
  }
  confirm(): Observable<boolean> {
    return of(true);
  }
}

/** Only some events (another controller of the namespace serves the rest). */
export class JoinOnly implements NeffosHandlers<ChatEvents, 'join'> {
  async join(msg: Message<string>) {
    return [msg.text()];
  }
}

export class WrongReply implements NeffosHandlers<ChatEvents, 'join' | 'nick'> {
  // @ts-expect-error join replies string[], not a number
  join() {
    return 1;
  }
  // @ts-expect-error nick replies { ok: boolean }
  async nick() {
    return { ok: 'yes' };
  }
}

// @ts-expect-error the class lacks `join`
export class MissingHandler implements NeffosHandlers<ChatEvents, 'join' | 'typing'> {
  typing() {}
}
