// Whatever a handler throws, the client gets an error reply with a readable text: values JSON cannot
// encode (a BigInt, a cycle) and values that are no Error at all (null, a string, a symbol) included.
// These run with `exposeErrors: true` (development), where every thrown value's own text is sent; by
// default only Ws/HttpException and NeffosError texts are (test/hardening/errors.e2e-spec.ts).
// The text comes from the engine's errorText, behind the Nest step that unwraps Http/WsException; each
// case runs on the direct path (no enhancer) and on the ExternalContextCreator path.
import 'reflect-metadata';
import { type CallHandler, type ExecutionContext, HttpException, type NestInterceptor, UseInterceptors } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { NeffosController } from '../../lib/index.js';
import { ReplyError } from '../../lib/testing.js';
import { UNPRINTABLE_ERROR } from '../../lib/engine/engine.messages.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';

useNestApps();

function cycle(fields: Record<string, unknown>): Record<string, unknown> {
  const value: Record<string, unknown> = { ...fields };
  value.self = value;
  return value;
}

/* eslint-disable @typescript-eslint/only-throw-error -- throwing non-Errors is the point */
class Throwers {
  bigint() {
    throw 42n;
  }
  async bigintLater() {
    await Promise.resolve();
    throw 7n;
  }
  cycle() {
    throw cycle({ name: 'loop' });
  }
  cycleWithMessage() {
    throw cycle({ message: 'a cyclic error' });
  }
  nullPrototypeCycle() {
    const value = Object.create(null) as Record<string, unknown>;
    value.self = value;
    throw value;
  }
  null() {
    throw null;
  }
  string() {
    throw 'a thrown string';
  }
  symbol() {
    throw Symbol('nope');
  }
  wsCycle() {
    throw new WsException(cycle({ message: 'ws cycle' }));
  }
  httpBigint() {
    throw new HttpException({ count: 3n }, 400);
  }
  ok() {
    return 'still here';
  }
}
/* eslint-enable @typescript-eslint/only-throw-error */

@NeffosController('direct')
class DirectController extends Throwers {}

class PassThrough implements NestInterceptor {
  intercept(_ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle();
  }
}

@UseInterceptors(PassThrough)
@NeffosController('enhanced')
class EnhancedController extends Throwers {}

describe.each(['direct', 'enhanced'])('thrown values (%s path)', (namespace) => {
  it.each([
    ['bigint', '42'],
    ['bigintLater', '7'],
    ['cycle', '[object Object]'],
    ['cycleWithMessage', 'a cyclic error'],
    ['nullPrototypeCycle', UNPRINTABLE_ERROR],
    ['null', 'null'],
    ['string', 'a thrown string'],
    ['symbol', 'Symbol(nope)'],
    ['wsCycle', 'ws cycle'],
    ['httpBigint', '[object Object]'],
  ])('%s → an error reply %j, and the connection keeps working', async (event, text) => {
    const h = await createNestApp({ providers: [DirectController, EnhancedController], neffos: { exposeErrors: true } });
    const client = await h.client();
    const ns = await client.connect(namespace);
    const err = await ns.ask(event, '').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ReplyError);
    expect((err as Error).message).toBe(text);
    expect((await ns.ask('ok', '')).text()).toBe('still here');
  });
});
