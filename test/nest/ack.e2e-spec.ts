// `@Ack()` from @nestjs/websockets on a neffos event: the handler gets a function, and the reply is the
// value it acknowledges with (not its return value), whenever that comes. Param decorators whose value
// neffos cannot supply, and @Ack() on a lifecycle hook, fail at start-up with an actionable error.
import 'reflect-metadata';
import { type CallHandler, type CanActivate, Catch, type ExceptionFilter, type ExecutionContext, type NestInterceptor, Query, Scope, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import { Ack, MessageBody, WsException } from '@nestjs/websockets';
import { of, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { AckOnLifecycleHookError, NeffosController, UnsupportedParamDecoratorError } from '../../lib/index.js';
import { OnNamespaceConnect } from '../../lib/protocol/index.js';
import { ACK_ON_LIFECYCLE_HOOK, UNSUPPORTED_PARAM_DECORATOR } from '../../lib/nest/neffos.messages.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';

useNestApps();

type AckFn = (value?: unknown) => void;

const seenByGuard: Array<{ pattern: unknown; data: unknown }> = [];

class Deny implements CanActivate {
  canActivate() {
    return false;
  }
}

class PatternSpy implements CanActivate {
  canActivate(ctx: ExecutionContext) {
    const ws = ctx.switchToWs();
    seenByGuard.push({ pattern: ws.getPattern(), data: ws.getData() });
    return true;
  }
}

@Catch()
class AnswerForIt implements ExceptionFilter {
  catch(exception: Error) {
    return `filtered: ${exception.message}`;
  }
}

class ShortCircuit implements NestInterceptor {
  intercept(_ctx: ExecutionContext, _next: CallHandler): Observable<unknown> {
    return of('from the interceptor');
  }
}

class AckHandlers {
  later(@MessageBody() body: string, @Ack() ack: AckFn) {
    setImmediate(() => ack(`acked ${body}`));
    return 'the return value is not the reply';
  }
  now(@Ack() ack: AckFn) {
    ack({ n: 1 });
    return 'the return value is not the reply';
  }
  twice(@Ack() ack: AckFn) {
    ack('first');
    ack('second');
  }
  async afterAwait(@Ack() ack: AckFn) {
    await Promise.resolve();
    ack(typeof ack);
  }
  fails(@Ack() _ack: AckFn) {
    throw new WsException('no ack for you');
  }
  @UseGuards(Deny)
  denied(@Ack() ack: AckFn) {
    ack('must not run');
  }
  @UseGuards(PatternSpy)
  spied(@MessageBody() body: string, @Ack() ack: AckFn) {
    ack(`spied ${body}`);
  }
  @UseFilters(AnswerForIt)
  filtered(@Ack() _ack: AckFn) {
    throw new Error('oops');
  }
  @UseInterceptors(ShortCircuit)
  intercepted(@Ack() ack: AckFn) {
    ack('must not run');
  }
  plain() {
    return 'plain';
  }
}

@NeffosController('static')
class StaticAckController extends AckHandlers {}

@NeffosController({ namespace: 'scoped', scope: Scope.REQUEST })
class ScopedAckController extends AckHandlers {}

describe.each(['static', 'scoped'])('@Ack() (%s controller)', (namespace) => {
  async function open() {
    const h = await createNestApp({ providers: [StaticAckController, ScopedAckController] });
    const client = await h.client();
    return client.connect(namespace);
  }

  it('the reply is the acknowledged value, also when ack comes after the handler returned', async () => {
    const ns = await open();
    expect((await ns.ask('later', 'x')).text()).toBe('acked x');
    expect((await ns.ask('now', '')).text()).toBe('{"n":1}');
    expect((await ns.ask('afterAwait', '')).text()).toBe('function');
    expect((await ns.ask('plain', '')).text()).toBe('plain');
  });

  it('the first ack wins', async () => {
    const ns = await open();
    expect((await ns.ask('twice', '')).text()).toBe('first');
  });

  it('a throw before the ack, or a refusing guard, is the error reply', async () => {
    const ns = await open();
    await expect(ns.ask('fails', '')).rejects.toThrow('no ack for you');
    await expect(ns.ask('denied', '')).rejects.toThrow('Forbidden resource');
    expect((await ns.ask('now', '')).text()).toBe('{"n":1}');
  });

  it('a filter that answers a throw, or an interceptor that answers without the handler, gives the reply', async () => {
    const ns = await open();
    expect((await ns.ask('filtered', '')).text()).toBe('filtered: oops');
    expect((await ns.ask('intercepted', '')).text()).toBe('from the interceptor');
  });

  it('guards still see the event as the pattern and the body as the data', async () => {
    const ns = await open();
    seenByGuard.length = 0;
    expect((await ns.ask('spied', 'b')).text()).toBe('spied b');
    expect(seenByGuard).toEqual([{ pattern: 'spied', data: 'b' }]);
  });

  it('on a plain emit the acknowledged value is sent back as the event, like a returned value', async () => {
    const ns = await open();
    ns.emit('now', '');
    expect((await ns.nextEvent('now')).text()).toBe('{"n":1}');
  });
});

describe('start-up errors for parameters neffos cannot fill', () => {
  it('an HTTP decorator such as @Query() fails app start with UnsupportedParamDecoratorError', async () => {
    @NeffosController('default')
    class QueryController {
      search(@MessageBody() _body: unknown, @Query('q') _q: string) {
        return 'unreachable';
      }
    }
    const start = createNestApp({ providers: [QueryController] });
    await expect(start).rejects.toBeInstanceOf(UnsupportedParamDecoratorError);
    // RouteParamtypes.QUERY is 4, a number no WsParamtype has.
    await expect(start).rejects.toThrow(UNSUPPORTED_PARAM_DECORATOR('QueryController', 'search', 1, '4'));
  });

  it('@Ack() on a lifecycle hook fails app start with AckOnLifecycleHookError', async () => {
    @NeffosController('default')
    class HookController {
      onNamespaceConnect(@Ack() _ack: AckFn) {}
      echo() {
        return 'unreachable';
      }
    }
    const start = createNestApp({ providers: [HookController] });
    await expect(start).rejects.toBeInstanceOf(AckOnLifecycleHookError);
    await expect(start).rejects.toThrow(ACK_ON_LIFECYCLE_HOOK('HookController', 'onNamespaceConnect', OnNamespaceConnect));
  });
});
