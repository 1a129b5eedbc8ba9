// What a handler returns becomes the reply; what it throws becomes an error reply with a readable text.
// Each case runs on the direct path (no enhancer, no decorator) and on the ExternalContextCreator path.
import 'reflect-metadata';
import { BadRequestException, ForbiddenException, type CallHandler, type ExecutionContext, type NestInterceptor, UseInterceptors } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { Observable, of, throwError, EMPTY, delay } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { INTERNAL_ERROR } from '../../lib/engine/engine.messages.js';
import { NeffosController } from '../../lib/index.js';
import { ReplyError } from '../../lib/testing.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';

useNestApps();

class Handlers {
  string() {
    return 'a string';
  }
  buffer() {
    return Buffer.from('buffer bytes');
  }
  uint8() {
    return new Uint8Array([104, 105]); // "hi"
  }
  object() {
    return { a: 1, nested: { b: [true, null] } };
  }
  number() {
    return 42;
  }
  async promise() {
    await Promise.resolve();
    return 'resolved';
  }
  observable() {
    return of(1, 2, 3);
  }
  asyncObservable() {
    return of('later').pipe(delay(1));
  }
  emptyObservable() {
    return EMPTY;
  }
  nothing() {
    return undefined;
  }
  async nothingAsync() {}
  fail() {
    throw new Error('it failed');
  }
  async rejects() {
    throw new Error('async failure');
  }
  failingObservable() {
    return throwError(() => new Error('observable failure'));
  }
  http() {
    throw new BadRequestException('bad input');
  }
  forbidden() {
    throw new ForbiddenException();
  }
  ws() {
    throw new WsException('ws says no');
  }
  wsObject() {
    throw new WsException({ message: 'object error', code: 7 });
  }
  thrownString() {
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw 'a thrown string';
  }
}

@NeffosController('direct')
class DirectController extends Handlers {}

class PassThrough implements NestInterceptor {
  intercept(_ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle();
  }
}

@UseInterceptors(PassThrough)
@NeffosController('enhanced')
class EnhancedController extends Handlers {}

describe.each(['direct', 'enhanced'])('return values (%s path)', (namespace) => {
  async function open() {
    const h = await createNestApp({ providers: [DirectController, EnhancedController] });
    const client = await h.client();
    return { ns: await client.connect(namespace) };
  }

  it.each([
    ['string', 'a string'],
    ['buffer', 'buffer bytes'],
    ['uint8', 'hi'],
    ['object', '{"a":1,"nested":{"b":[true,null]}}'],
    ['number', '42'],
    ['promise', 'resolved'],
    ['observable', '1'],
    ['asyncObservable', 'later'],
  ])('%s → reply %j', async (event, expected) => {
    const { ns } = await open();
    const reply = await ns.ask(event, '');
    expect(reply.isBinary).toBe(false); // a text frame: the request was text
    expect(reply.text()).toBe(expected);
  });

  it.each(['nothing', 'nothingAsync', 'emptyObservable'])('%s (undefined) on an ask → an empty reply, the ask resolves', async (event) => {
    const { ns } = await open();
    const reply = await ns.ask(event, '');
    expect(reply.text()).toBe('');
    expect(reply.isError).toBe(false);
  });

  it('undefined on a plain emit sends nothing back', async () => {
    const { ns } = await open();
    ns.emit('nothing', '');
    ns.emit('string', ''); // a plain emit whose handler returns something: sent back as an event
    await ns.nextEvent('string');
    // Frames are handled and answered in order: "nothing" would have answered first.
    expect(ns.received.filter((m) => !m.event.startsWith('_')).map((m) => `${m.event}:${m.text()}`)).toEqual(['string:a string']);
  });

  it.each([
    // Not written for the client (no Ws/HttpException): logged, and read as "Internal server error".
    ['fail', INTERNAL_ERROR],
    ['rejects', INTERNAL_ERROR],
    ['failingObservable', INTERNAL_ERROR],
    ['http', 'bad input'],
    ['forbidden', 'Forbidden'],
    ['ws', 'ws says no'],
    ['wsObject', 'object error'],
    ['thrownString', INTERNAL_ERROR],
  ])('%s throws → an error reply with %j', async (event, text) => {
    const { ns } = await open();
    const err = await ns.ask(event, '').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ReplyError);
    expect((err as Error).message).toBe(text);
    // The connection keeps working after an error reply.
    expect((await ns.ask('string', '')).text()).toBe('a string');
  });
});
