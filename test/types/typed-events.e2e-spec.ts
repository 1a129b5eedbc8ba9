// Typed events at run time (issue 9 item 4): one event map, declared once below, types a controller
// (`implements NeffosHandlers`), an injected `NeffosServer<ChatApp>` and the test client
// (`dial<ChatApp>`) of a real Nest app, and the frames on the wire are byte for byte those of untyped
// code: a raw socket and neffos.js see the same text. The compile-time half is typed-events.types.ts.
import { Injectable } from '@nestjs/common';
import { MessageBody } from '@nestjs/websockets';
import { afterEach, describe, expect, it } from 'vitest';
import { NeffosController, NeffosModule, NeffosServer, type Message, type NeffosHandlers, type NSConn } from 'nestjs-neffos';
import { createTestingApp, type TestingApp } from 'nestjs-neffos/testing';
import { bodyText, closeNeffos, dialNeffos, type NeffosConn, type NeffosMessage } from '../utils/neffos-client.js';
import { RawClient } from '../utils/raw-client.js';
import { deferred } from '../utils/wait.js';

interface ChatLine {
  from: string;
  text: string;
}

/** The one declaration: what each event of namespace `chat` carries. */
interface ChatEvents {
  join: { req: string; reply: string[] };
  chat: { req: ChatLine };
  confirm: { req: string; reply: boolean };
  welcome: { req: { id: string } };
}

interface ChatApp {
  chat: ChatEvents;
}

@Injectable()
class Announcer {
  constructor(private readonly server: NeffosServer<ChatApp>) {}

  announce(text: string): number {
    return this.server.broadcast({ namespace: 'chat', event: 'chat', body: { from: 'server', text } });
  }

  confirm(connectionId: string, question: string): Promise<Message<boolean>> {
    return this.server.ask(connectionId, { namespace: 'chat', event: 'confirm', body: question }, { timeout: 2_000 });
  }
}

@NeffosController('chat')
class ChatController implements NeffosHandlers<ChatEvents, 'join' | 'chat'> {
  onNamespaceConnected(_msg: Message, conn: NSConn<ChatEvents>): void {
    conn.emit('welcome', { id: conn.id });
  }

  join(@MessageBody() room: string): string[] {
    return [room, 'lobby'];
  }

  chat(msg: Message<ChatLine>, conn: NSConn<ChatEvents>): void {
    conn.broadcast('chat', msg.json(), { includeSelf: true });
  }
}

describe('typed events against a real Nest app', () => {
  let testing: TestingApp;
  const opened: Array<() => Promise<unknown>> = [];

  afterEach(async () => {
    for (const close of opened.splice(0).reverse()) await close();
    await testing?.close();
  });

  async function rawInChat(): Promise<{ raw: RawClient; id: string }> {
    const raw = await RawClient.open(testing.url);
    opened.push(() => raw.close());
    const id = await raw.handshake();
    await raw.connectNamespace('chat');
    await raw.expectFrame(`;chat;;welcome;0;0;{"id":"${id}"}`);
    return { raw, id };
  }

  it('the typed test client, controller and NeffosServer exchange exactly the frames untyped code does', async () => {
    testing = await createTestingApp({ imports: [NeffosModule.forRoot({ path: '/ws' })], providers: [ChatController, Announcer] });
    const { raw, id: rawId } = await rawInChat();

    const client = await testing.dial<ChatApp>();
    const chat = await client.connect('chat');
    expect((await chat.nextEvent('welcome')).json()).toEqual({ id: client.id });

    // ask → Message<string[]>: the reply the controller returned, as JSON text on the wire
    const members = (await chat.ask('join', 'general')).json();
    expect(members).toEqual(['general', 'lobby']);
    const tok = raw.token();
    raw.send(`${tok};chat;;join;0;0;general`);
    await raw.expectFrame(`${tok};chat;;join;0;0;["general","lobby"]`);

    // emit of a typed body: JSON text, broadcast by a typed NSConn to everyone (the raw socket too)
    chat.emit('chat', { from: 'ann', text: 'hi' });
    await raw.expectFrame(';chat;;chat;0;0;{"from":"ann","text":"hi"}');
    expect((await chat.nextEvent('chat')).json()).toEqual({ from: 'ann', text: 'hi' });

    // NeffosServer<ChatApp>, injected by its plain class token: broadcast and ask
    const announcer = testing.app.get(Announcer);
    expect(announcer.announce('maintenance at noon')).toBe(2);
    await raw.expectFrame(';chat;;chat;0;0;{"from":"server","text":"maintenance at noon"}');
    const notice = await chat.nextEvent('chat');
    expect(notice.json().text).toBe('maintenance at noon');

    chat.onAsk('confirm', (msg) => msg.text() === 'sure?');
    const typedAnswer = await announcer.confirm(client.id, 'sure?');
    expect(typedAnswer.json()).toBe(true);

    const asked = announcer.confirm(rawId, 'sure?');
    const ask = await raw.next();
    const serverToken = ask.text.split(';')[0]!;
    expect(ask.text).toBe(`${serverToken};chat;;confirm;0;0;sure?`);
    raw.send(`${serverToken};chat;;confirm;0;0;true`);
    expect((await asked).json()).toBe(true);
  });

  it('neffos.js reads the typed broadcast as the same text body', async () => {
    testing = await createTestingApp({ imports: [NeffosModule.forRoot({ path: '/ws' })], providers: [ChatController, Announcer] });
    const received = deferred<NeffosMessage>();
    const conn: NeffosConn = await dialNeffos(testing.url, { chat: { chat: (_ns, msg) => received.resolve(msg) } });
    opened.push(() => closeNeffos(conn));
    await conn.connect('chat');

    const client = await testing.dial<ChatApp>();
    const chat = await client.connect('chat');
    chat.emit('chat', { from: 'ann', text: 'from a typed client' });

    const msg = await received.promise;
    expect(bodyText(msg)).toBe('{"from":"ann","text":"from a typed client"}');
    expect(msg.Event).toBe('chat');
  });
});
