// `msg.json()` of a body a client sent that is not JSON is the client's mistake: the error reply says
// so, and nothing is logged. It used to be a SyntaxError, answered "Internal server error" and logged
// with its stack as a server bug, once per such message, so any client could fill the error log.
import 'reflect-metadata';
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { BodyNotJsonError, type Message, NeffosController, NeffosEngine } from '../../lib/index.js';
import { dial } from '../../lib/testing.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';
import { ErrorLines } from '../utils/error-lines.js';

useNestApps();

@NeffosController('default')
class ChatController {
  chat(msg: Message<{ text: string }>): string {
    return msg.json().text.toUpperCase();
  }
}

const NOT_JSON = /^the body of event "chat" in namespace "default" is not JSON \(.+\)$/;

describe('msg.json() of a body that is not JSON', () => {
  it('answers the ask with what is wrong, and logs nothing (Nest layer)', async () => {
    const logger = new ErrorLines();
    const h = await createNestApp({ providers: [ChatController], configure: (app) => app.useLogger(logger) });
    const ns = await (await h.client()).connect('default');
    expect((await ns.ask('chat', { text: 'hi' })).text()).toBe('HI');
    await expect(ns.ask('chat', 'hi there')).rejects.toThrow(NOT_JSON);
    expect(logger.errors).toEqual([]);
  });

  it('answers the ask with what is wrong, and reports nothing (bare engine)', async () => {
    const reported: unknown[] = [];
    const server = createServer();
    const engine = new NeffosEngine({
      path: '/echo',
      namespaces: { default: { chat: (msg) => msg.json<{ text: string }>().text } },
      onError: (err) => reported.push(err),
      pingInterval: 0,
    }).attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = await dial(server);
      const ns = await client.connect('default');
      await expect(ns.ask('chat', '{"text": ')).rejects.toThrow(NOT_JSON);
      expect(reported).toEqual([]);
      await client.close();
    } finally {
      await engine.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('throws a BodyNotJsonError, a SyntaxError naming the event', () => {
    const err = new BodyNotJsonError('chat', 'default', new SyntaxError('Unexpected token'));
    expect(err).toBeInstanceOf(SyntaxError);
    expect(err.message).toBe('the body of event "chat" in namespace "default" is not JSON (Unexpected token)');
  });
});
