// A handler's own `conn.emit('exception', …)` is an ordinary event, with or without enhancers. The
// Nest layer turns an `exception` emit into the error reply only when it answers a failure (Nest's
// BaseWsExceptionFilter, or a catch-all built on it); a handler that emits `exception` and returns
// used to get an error reply instead of its result as soon as any enhancer (a global pipe) applied.
import 'reflect-metadata';
import { type CallHandler, type ExecutionContext, type NestInterceptor, UseFilters } from '@nestjs/common';
import { BaseWsExceptionFilter, ConnectedSocket, MessageBody, WsException } from '@nestjs/websockets';
import { ValidationPipe } from '@nestjs/common';
import { catchError, of, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type Message, NeffosController, type NSConn } from '../../lib/index.js';
import { createNestApp, type NestAppOptions, useNestApps } from '../utils/nest-app.js';

useNestApps();

/** What the handlers' own `emit('exception')` calls returned, in order. */
const emitResults: boolean[] = [];

@NeffosController('default')
class EmitsController {
  save(_msg: Message, conn: NSConn): string {
    emitResults.push(conn.emit('exception', { note: 'quota almost used' }));
    return 'saved';
  }

  async saveLater(_msg: Message, conn: NSConn): Promise<string> {
    await Promise.resolve();
    conn.emit('exception', { note: 'after an await' });
    return 'saved later';
  }

  saveDecorated(@MessageBody() body: string, @ConnectedSocket() conn: NSConn): string {
    conn.emit('exception', { note: `decorated ${body}` });
    return `saved ${body}`;
  }

  /** Emits after closing the connection: the emit reports it was not sent. */
  emitsWhenClosed(_msg: Message, conn: NSConn): string {
    conn.conn.close();
    emitResults.push(conn.emit('exception', { note: 'too late' }));
    return 'not delivered';
  }

  emitsThenThrows(_msg: Message, conn: NSConn): never {
    conn.emit('exception', { note: 'before the throw' });
    throw new WsException('refused after all');
  }
}

@UseFilters(new BaseWsExceptionFilter())
@NeffosController('filtered')
class FilteredEmitsController extends EmitsController {
  fails(): never {
    throw new WsException('refused by rule 7');
  }
}

/** Recovers any failure with a value, as an outer interceptor: the failure is answered, not an error. */
class Recover implements NestInterceptor {
  intercept(_ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(catchError(() => of('recovered')));
  }
}

const providers = [EmitsController, FilteredEmitsController];
const setups: Array<[string, NestAppOptions]> = [
  ['no enhancer (fast path)', { providers }],
  ['a global ValidationPipe', { providers, configure: (app) => void app.useGlobalPipes(new ValidationPipe()) }],
];

describe.each(setups)('a handler that emits "exception" itself, with %s', (_name, options) => {
  it.each(['default', 'filtered'])('gets its result as the reply and the event as sent (namespace %s)', async (namespace) => {
    const h = await createNestApp(options);
    const ns = await (await h.client()).connect(namespace);
    expect((await ns.ask('save', '')).text()).toBe('saved');
    expect((await ns.nextEvent('exception')).json()).toEqual({ note: 'quota almost used' });
    expect((await ns.ask('saveLater', '')).text()).toBe('saved later');
    expect((await ns.nextEvent('exception')).json()).toEqual({ note: 'after an await' });
    expect((await ns.ask('saveDecorated', 'x')).text()).toBe('saved x');
    expect((await ns.nextEvent('exception')).json()).toEqual({ note: 'decorated x' });
  });
});

describe.each(setups)('the return value of a handler\'s own emit("exception"), with %s', (_name, options) => {
  it.each(['default', 'filtered'])('is true when sent and false once the connection is closed, as for any emit (namespace %s)', async (namespace) => {
    const h = await createNestApp(options);
    const ns = await (await h.client()).connect(namespace);
    emitResults.length = 0;
    expect((await ns.ask('save', '')).text()).toBe('saved');
    await expect(ns.ask('emitsWhenClosed', '')).rejects.toThrow();
    expect(emitResults).toEqual([true, false]);
  });
});

describe('a failure answered by BaseWsExceptionFilter is still the one error reply', () => {
  it('its emit becomes the error reply; the handler\'s own emit before the throw stays an event', async () => {
    const h = await createNestApp({ providers, configure: (app) => void app.useGlobalPipes(new ValidationPipe()) });
    const ns = await (await h.client()).connect('filtered');
    await expect(ns.ask('fails', '')).rejects.toThrow('refused by rule 7');
    await expect(ns.ask('emitsThenThrows', '')).rejects.toThrow('refused after all');
    expect((await ns.nextEvent('exception')).json()).toEqual({ note: 'before the throw' });
    // Nothing else arrived: the filter's own emit was not sent as an event.
    expect((await ns.ask('save', '')).text()).toBe('saved');
    const next = await ns.nextMessage();
    expect([next.event, next.json()]).toEqual(['exception', { note: 'quota almost used' }]);
  });

  it('an interceptor that recovers the failure gives its value, the handler\'s emit stays an event', async () => {
    const h = await createNestApp({ providers, configure: (app) => void app.useGlobalInterceptors(new Recover()) });
    const ns = await (await h.client()).connect('default');
    expect((await ns.ask('emitsThenThrows', '')).text()).toBe('recovered');
    expect((await ns.nextEvent('exception')).json()).toEqual({ note: 'before the throw' });
  });
});
