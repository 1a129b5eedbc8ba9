// A handler that returns what JSON cannot write gets an error reply and a report naming the event,
// never an empty success. A function (a method returned instead of called) and a symbol used to be
// sent as an empty reply: JSON.stringify gives undefined for them, not an error, so the client's ask
// resolved with nothing and no one was told.
import 'reflect-metadata';
import { type CallHandler, type ExecutionContext, type NestInterceptor, UseInterceptors } from '@nestjs/common';
import { of, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BodyNotSerializableError, NeffosController, type NSConn } from '../../lib/index.js';
import { BODY_NOT_SERIALIZABLE } from '../../lib/engine/engine.messages.js';
import { INTERNAL_ERROR } from '../../lib/engine/engine.messages.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';

useNestApps();

class Passthrough implements NestInterceptor {
  intercept(_ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle();
  }
}

function helper(): string {
  return 'never sent';
}

@NeffosController('default')
class UnsendableController {
  method() {
    return helper;
  }
  async methodLater() {
    await Promise.resolve();
    return helper;
  }
  symbol() {
    return Symbol('id');
  }
  observable() {
    return of(helper);
  }
  @UseInterceptors(Passthrough)
  enhanced() {
    return helper;
  }
  ok() {
    return 'ok';
  }
  emitsFunction(_msg: unknown, conn: NSConn) {
    return conn.emit('x', helper as never);
  }
}

describe('a reply JSON cannot write', () => {
  it.each(['method', 'methodLater', 'symbol', 'observable', 'enhanced'])('%s: the ask rejects with Internal server error and onError gets a BodyNotSerializableError naming the event', async (event) => {
    const reported: unknown[] = [];
    const h = await createNestApp({ providers: [UnsendableController], neffos: { onError: (err) => reported.push(err) } });
    const ns = await (await h.client()).connect('default');
    await expect(ns.ask(event, '')).rejects.toThrow(new RegExp(`^${INTERNAL_ERROR}$`));
    expect(reported).toHaveLength(1);
    expect(reported[0]).toBeInstanceOf(BodyNotSerializableError);
    expect((reported[0] as Error).message).toContain(`the reply to event "${event}" of namespace "default" must be a string, bytes (Buffer, Uint8Array) or a JSON value; got a`);
    // The connection goes on.
    expect((await ns.ask('ok', '')).text()).toBe('ok');
  });

  it('says a function is most likely a method returned instead of called', () => {
    expect(BODY_NOT_SERIALIZABLE('a body', helper, undefined)).toBe(
      'a body must be a string, bytes (Buffer, Uint8Array) or a JSON value; got a function (helper); return its result instead (a method returned without calling it?)',
    );
  });

  it('an emit of a function throws at the call instead of sending an empty body', async () => {
    const reported: unknown[] = [];
    const h = await createNestApp({ providers: [UnsendableController], neffos: { onError: (err) => reported.push(err) } });
    const ns = await (await h.client()).connect('default');
    await expect(ns.ask('emitsFunction', '')).rejects.toThrow(INTERNAL_ERROR);
    expect(ns.received.filter((msg) => msg.event === 'x')).toEqual([]);
  });
});
