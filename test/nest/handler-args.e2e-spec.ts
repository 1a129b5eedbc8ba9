// What a handler receives: `(msg, conn)` with no parameter decorators; with decorators, Nest's
// @MessageBody()/@ConnectedSocket() and this package's @NeffosMessage/@NamespaceConn/@RoomName/@HandshakeRequest.
import 'reflect-metadata';
import type { IncomingMessage } from 'node:http';
import { ConnectedSocket, MessageBody } from '@nestjs/websockets';
import { describe, expect, it } from 'vitest';
import { HandshakeRequest, Message, NamespaceConn, NeffosController, NeffosMessage, NSConn, RoomName } from '../../lib/index.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';
import { EventLog } from '../utils/wait.js';

useNestApps();

const seen = new EventLog<{ event: string; args: unknown[] }>();

@NeffosController('default')
class ArgsController {
  plain(msg: Message, conn: NSConn) {
    seen.push({ event: 'plain', args: [msg, conn] });
    return JSON.stringify({
      isMessage: msg instanceof Message,
      namespace: msg.namespace,
      event: msg.event,
      room: msg.room,
      isBuffer: Buffer.isBuffer(msg.body),
      text: msg.text(),
      isNSConn: conn instanceof NSConn,
      id: conn.id,
      connNamespace: conn.namespace,
    });
  }

  body(@MessageBody() body: unknown) {
    return JSON.stringify({ type: typeof body, isBuffer: Buffer.isBuffer(body), body: Buffer.isBuffer(body) ? body.toString('hex') : body });
  }

  nameOf(@MessageBody('name') name: unknown) {
    return `name=${String(name)}`;
  }

  socket(@ConnectedSocket() client: unknown) {
    seen.push({ event: 'socket', args: [client] });
    return client instanceof NSConn ? `NSConn ${client.id} in ${client.namespace}` : 'not an NSConn';
  }

  message(@NeffosMessage() msg: unknown) {
    return msg instanceof Message ? `Message ${msg.event} ${msg.text()}` : 'not a Message';
  }

  nsConn(@NamespaceConn() conn: unknown) {
    seen.push({ event: 'nsConn', args: [conn] });
    return conn instanceof NSConn ? `NSConn ${conn.id}` : 'not an NSConn';
  }

  whereAmI(@RoomName() room: string) {
    return `room=${room}`;
  }

  handshake(@HandshakeRequest() req: IncomingMessage) {
    return JSON.stringify({ url: req.url, method: req.method, user: req.headers['x-user'] ?? null });
  }

  user(@HandshakeRequest('x-user') user: string | undefined, @HandshakeRequest('X-USER') upper: string | undefined) {
    return `user=${user ?? 'none'} upper=${upper ?? 'none'}`;
  }

  mixed(@MessageBody() body: { n: number }, @NeffosMessage() msg: Message, @ConnectedSocket() conn: NSConn, @RoomName() room: string) {
    return `${body.n * 2}|${msg.event}|${conn.id}|${room}`;
  }
}

async function connect(h: Awaited<ReturnType<typeof createNestApp>>, headers?: Record<string, string>) {
  const client = await h.client(headers === undefined ? {} : { headers });
  return { client, ns: await client.connect('default') };
}

describe('handler arguments', () => {
  it('with no parameter decorators a handler gets (msg: Message, conn: NSConn)', async () => {
    const h = await createNestApp({ providers: [ArgsController] });
    const { client, ns } = await connect(h);
    const reply = JSON.parse((await ns.ask('plain', 'payload')).text());
    expect(reply).toEqual({
      isMessage: true,
      namespace: 'default',
      event: 'plain',
      room: '',
      isBuffer: true,
      text: 'payload',
      isNSConn: true,
      id: client.id,
      connNamespace: 'default',
    });
  });

  it('@MessageBody() gives the parsed JSON of a JSON body', async () => {
    const h = await createNestApp({ providers: [ArgsController] });
    const { ns } = await connect(h);
    const reply = JSON.parse((await ns.ask('body', { name: 'bob', tags: [1, 2] })).text());
    expect(reply).toEqual({ type: 'object', isBuffer: false, body: { name: 'bob', tags: [1, 2] } });
  });

  it('@MessageBody() gives plain text as a string', async () => {
    const h = await createNestApp({ providers: [ArgsController] });
    const { ns } = await connect(h);
    expect(JSON.parse((await ns.ask('body', 'just text')).text())).toEqual({ type: 'string', isBuffer: false, body: 'just text' });
    // Not JSON although it starts like it: the text itself.
    expect(JSON.parse((await ns.ask('body', '{not json')).text())).toEqual({ type: 'string', isBuffer: false, body: '{not json' });
  });

  it('@MessageBody() gives the bytes of a binary frame', async () => {
    const h = await createNestApp({ providers: [ArgsController] });
    const { ns } = await connect(h);
    ns.emitBinary('body', new Uint8Array([0, 1, 254, 255]));
    const msg = await ns.nextEvent('body');
    // The reply keeps the frame type of the request: a binary frame.
    expect(msg.isBinary).toBe(true);
    expect(JSON.parse(msg.text())).toEqual({ type: 'object', isBuffer: true, body: '0001feff' });
  });

  it("@MessageBody('name') gives one property of the JSON body", async () => {
    const h = await createNestApp({ providers: [ArgsController] });
    const { ns } = await connect(h);
    expect((await ns.ask('nameOf', { name: 'alice', age: 3 })).text()).toBe('name=alice');
    expect((await ns.ask('nameOf', { other: 1 })).text()).toBe('name=undefined');
  });

  it('@ConnectedSocket() gives the NSConn', async () => {
    const h = await createNestApp({ providers: [ArgsController] });
    const { client, ns } = await connect(h);
    expect((await ns.ask('socket', '')).text()).toBe(`NSConn ${client.id} in default`);
  });

  it('@NeffosMessage() gives the Message', async () => {
    const h = await createNestApp({ providers: [ArgsController] });
    const { ns } = await connect(h);
    expect((await ns.ask('message', 'the body')).text()).toBe('Message message the body');
  });

  it('@NamespaceConn() gives the same NSConn object as the default second argument', async () => {
    const h = await createNestApp({ providers: [ArgsController] });
    const { client, ns } = await connect(h);
    expect((await ns.ask('nsConn', '')).text()).toBe(`NSConn ${client.id}`);
    await ns.ask('plain', '');
    await ns.ask('socket', '');
    const byDecorator = seen.entries.filter((e) => e.event === 'nsConn').at(-1)!.args[0];
    const byDefault = seen.entries.filter((e) => e.event === 'plain').at(-1)!.args[1];
    const bySocket = seen.entries.filter((e) => e.event === 'socket').at(-1)!.args[0];
    expect(byDecorator).toBe(byDefault);
    expect(bySocket).toBe(byDefault);
  });

  it('@RoomName() gives the room of an event sent in a joined room (room.emit), and "" at namespace level', async () => {
    const h = await createNestApp({ providers: [ArgsController] });
    const { ns } = await connect(h);
    const room = await ns.joinRoom('lobby');
    room.emit('whereAmI', '');
    const inRoom = await ns.nextEvent('whereAmI');
    expect(inRoom.room).toBe('lobby');
    expect(inRoom.text()).toBe('room=lobby');
    expect((await ns.ask('whereAmI', '')).text()).toBe('room=');
  });

  it("@HandshakeRequest() gives the upgrade request; with a name, one header (from the client's dial headers)", async () => {
    const h = await createNestApp({ providers: [ArgsController] });
    const { ns } = await connect(h, { 'X-User': 'carol' });
    expect(JSON.parse((await ns.ask('handshake', '')).text())).toEqual({ url: '/echo', method: 'GET', user: 'carol' });
    expect((await ns.ask('user', '')).text()).toBe('user=carol upper=carol');
  });

  it('@HandshakeRequest(name) also sees X-Websocket-Header-* query parameters (how browsers send headers)', async () => {
    const h = await createNestApp({ providers: [ArgsController] });
    const client = await h.client({ query: { 'X-Websocket-Header-X-User': 'dave' } });
    const ns = await client.connect('default');
    expect((await ns.ask('user', '')).text()).toBe('user=dave upper=dave');
  });

  it('@HandshakeRequest(name) is undefined for a header that was not sent', async () => {
    const h = await createNestApp({ providers: [ArgsController] });
    const { ns } = await connect(h);
    expect((await ns.ask('user', '')).text()).toBe('user=none upper=none');
  });

  it('decorators combine in one handler', async () => {
    const h = await createNestApp({ providers: [ArgsController] });
    const { client, ns } = await connect(h);
    expect((await ns.ask('mixed', { n: 21 })).text()).toBe(`42|mixed|${client.id}|`);
    const room = await ns.joinRoom('r');
    room.emit('mixed', { n: 1 });
    expect((await ns.nextEvent('mixed', { room: 'r' })).text()).toBe(`2|mixed|${client.id}|r`);
  });
});
