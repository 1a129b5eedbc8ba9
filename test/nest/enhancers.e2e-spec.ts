// Nest guards, pipes, interceptors and exception filters on neffos events: method and class level,
// on namespace connect, global ones, and the 'ws' ExecutionContext they see.
import 'reflect-metadata';
import {
  type ArgumentsHost,
  BadRequestException,
  type CallHandler,
  type CanActivate,
  Catch,
  type ExceptionFilter,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  ParseIntPipe,
  Scope,
  SetMetadata,
  UseFilters,
  UseGuards,
  UseInterceptors,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { MessageBody, WsException } from '@nestjs/websockets';
import { IsInt, IsString, Min, MinLength } from 'class-validator';
import { map, type Observable, of, throwError } from 'rxjs';
import { beforeEach, describe, expect, it } from 'vitest';
import { INTERNAL_ERROR } from '../../lib/engine/engine.messages.js';
import { Message, NeffosController, NeffosServer as NeffosServerRef, NSConn } from '../../lib/index.js';
import { createNestApp, useNestApps, type NestAppOptions } from '../utils/nest-app.js';

useNestApps();

// ---- enhancers ------------------------------------------------------------------------------------

class Deny implements CanActivate {
  canActivate() {
    return false;
  }
}

/** Lets a connection in only with the header `x-role: admin` of its handshake. */
class AdminHeader implements CanActivate {
  canActivate(ctx: ExecutionContext) {
    const client = ctx.switchToWs().getClient<NSConn>();
    return client.conn.request.headers['x-role'] === 'admin';
  }
}

@Injectable()
class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}
  canActivate(ctx: ExecutionContext) {
    const roles = this.reflector.getAllAndOverride<string[] | undefined>('roles', [ctx.getHandler(), ctx.getClass()]);
    if (roles === undefined) return true;
    const role = String(ctx.switchToWs().getClient<NSConn>().conn.request.headers['x-role'] ?? '');
    if (!roles.includes(role)) throw new WsException(`needs role ${roles.join('|')}`);
    return true;
  }
}

interface SeenContext {
  type: string;
  clientIsNSConn: boolean;
  clientId: string;
  data: unknown;
  pattern: unknown;
  className: string;
  handlerIsFunction: boolean;
  argsLength: number;
}
let seenContexts: SeenContext[] = [];

class ContextSpy implements CanActivate {
  canActivate(ctx: ExecutionContext) {
    const ws = ctx.switchToWs();
    const client = ws.getClient<unknown>();
    seenContexts.push({
      type: ctx.getType(),
      clientIsNSConn: client instanceof NSConn,
      clientId: client instanceof NSConn ? client.id : '',
      data: ws.getData(),
      pattern: ws.getPattern(),
      className: ctx.getClass().name,
      handlerIsFunction: typeof ctx.getHandler() === 'function',
      argsLength: ctx.getArgs().length,
    });
    return true;
  }
}

class CreateUserDto {
  @IsString()
  @MinLength(3)
  name!: string;

  @IsInt()
  @Min(0)
  age!: number;
}

class Wrap implements NestInterceptor {
  intercept(_ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((data: unknown) => ({ wrapped: data instanceof Buffer ? data.toString() : data })));
  }
}

class ShortCircuit implements NestInterceptor {
  intercept(): Observable<unknown> {
    return of('from the interceptor');
  }
}

@Catch(BadRequestException)
class ReplyWithFilter implements ExceptionFilter {
  catch(exception: BadRequestException, host: ArgumentsHost) {
    const client = host.switchToWs().getClient<NSConn>();
    return `filtered(${host.getType()}, ${client instanceof NSConn}): ${exception.message}`;
  }
}

@Catch()
class MapToWsException implements ExceptionFilter {
  catch(exception: Error) {
    throw new WsException(`mapped: ${exception.message}`);
  }
}

@Catch()
class AsyncFilter implements ExceptionFilter {
  async catch(exception: Error) {
    await Promise.resolve();
    return `async filter: ${exception.message}`;
  }
}

@Catch()
class ObservableFilter implements ExceptionFilter {
  catch(exception: Error) {
    return exception.message === 'recover' ? of('recovered by observable') : throwError(() => new WsException(`observable filter: ${exception.message}`));
  }
}

// ---- controllers ----------------------------------------------------------------------------------

@NeffosController('guards')
class MethodGuards {
  open() {
    return 'open';
  }
  @UseGuards(Deny)
  closed() {
    return 'should not run';
  }
  @SetMetadata('roles', ['admin'])
  @UseGuards(RolesGuard)
  adminOnly() {
    return 'admin stuff';
  }
  @UseGuards(ContextSpy)
  spied(@MessageBody() body: unknown) {
    return JSON.stringify(body);
  }
  @UseGuards(ContextSpy)
  spiedPlain(msg: Message, conn: NSConn) {
    // Default (msg, conn) arguments keep working when only an enhancer is present.
    return `${msg.event}:${conn instanceof NSConn}`;
  }
}

@UseGuards(AdminHeader)
@NeffosController('class-guarded')
class ClassGuarded {
  hello() {
    return 'hello admin';
  }
}

@UseGuards(Deny)
@NeffosController('class-guarded-with-hook')
class ClassGuardedWithHook {
  static hookRan = 0;
  onNamespaceConnect() {
    ClassGuardedWithHook.hookRan++;
  }
}

/** Denies only the event named "secret" (the connect and other events pass). */
class DenySecretEvent implements CanActivate {
  canActivate(ctx: ExecutionContext) {
    return ctx.switchToWs().getPattern() !== 'secret';
  }
}

@UseGuards(DenySecretEvent)
@NeffosController('class-guarded-events')
class ClassGuardedEvents {
  open() {
    return 'open';
  }
  secret() {
    return 'should not run';
  }
}

@NeffosController('connect-guarded')
class ConnectGuarded {
  @UseGuards(AdminHeader)
  onNamespaceConnect() {}
  ping() {
    return 'pong';
  }
}

@NeffosController({ namespace: 'scoped-guards', scope: Scope.REQUEST })
class ScopedGuards {
  open() {
    return 'open';
  }
  @UseGuards(Deny)
  closed() {
    return 'should not run';
  }
}

@NeffosController('pipes')
class Pipes {
  @UsePipes(new ValidationPipe({ transform: true }))
  create(@MessageBody() dto: CreateUserDto) {
    return `created ${dto.name} (${dto.age}) ${dto instanceof CreateUserDto ? 'as CreateUserDto' : 'as plain object'}`;
  }
  double(@MessageBody('n', ParseIntPipe) n: number) {
    return String(n * 2);
  }
  noValidation(@MessageBody() dto: CreateUserDto) {
    return `unchecked ${JSON.stringify(dto)}`;
  }
}

@NeffosController('interceptors')
class Interceptors {
  @UseInterceptors(Wrap)
  wrapped(@MessageBody() body: unknown) {
    return body;
  }
  @UseInterceptors(Wrap)
  async wrappedAsync() {
    await Promise.resolve();
    return 'async value';
  }
  @UseInterceptors(ShortCircuit)
  shortCircuited() {
    throw new Error('the handler must not run');
  }
}

@UseInterceptors(Wrap)
@NeffosController('class-interceptor')
class ClassInterceptor {
  a() {
    return 'a';
  }
}

@NeffosController('filters')
class Filters {
  @UseFilters(ReplyWithFilter)
  replyFromFilter() {
    throw new BadRequestException('bad input');
  }
  @UseFilters(ReplyWithFilter)
  notCaughtByFilter() {
    throw new Error('plain error passes through');
  }
  @UseFilters(MapToWsException)
  mapped() {
    throw new Error('original');
  }
  @UseFilters(AsyncFilter)
  asyncFiltered() {
    throw new Error('boom');
  }
  @UseFilters(ObservableFilter)
  observableRecover() {
    throw new Error('recover');
  }
  @UseFilters(ObservableFilter)
  observableRethrow() {
    throw new Error('fatal');
  }
  @UseFilters(MapToWsException)
  @UseGuards(Deny)
  guardedAndFiltered() {
    return 'no';
  }
}

const ALL = [MethodGuards, ClassGuarded, ClassGuardedEvents, ClassGuardedWithHook, ConnectGuarded, ScopedGuards, Pipes, Interceptors, ClassInterceptor, Filters, RolesGuard];

async function nsOf(options: NestAppOptions, namespace: string, headers?: Record<string, string>) {
  const h = await createNestApp(options);
  const conn = await h.client(headers === undefined ? {} : { headers });
  return { h, conn, ns: await conn.connect(namespace) };
}

async function errorOf(p: Promise<unknown>): Promise<string> {
  return p.then(
    (v) => {
      throw new Error(`expected an error reply, got ${JSON.stringify(v)}`);
    },
    (e: unknown) => (e instanceof Error ? e.message : String(e)),
  );
}

// ---- tests ----------------------------------------------------------------------------------------

describe('guards', () => {
  it('@UseGuards on a method: denied → the ask rejects with "Forbidden resource"; other events are open', async () => {
    const { ns } = await nsOf({ providers: ALL }, 'guards');
    await expect(ns.ask('closed', '')).rejects.toThrow('Forbidden resource');
    expect((await ns.ask('open', '')).text()).toBe('open');
  });

  it('a guard reading @SetMetadata through Reflector and ctx.getHandler(); its WsException text is the reply', async () => {
    const user = await nsOf({ providers: ALL }, 'guards', { 'X-Role': 'user' });
    expect(await errorOf(user.ns.ask('adminOnly', ''))).toBe('needs role admin');
    const admin = await user.h.client({ headers: { 'X-Role': 'admin' } });
    expect((await (await admin.connect('guards')).ask('adminOnly', '')).text()).toBe('admin stuff');
  });

  it('@UseGuards on the class guards the namespace connect: refused → connect() rejects with "Forbidden resource"', async () => {
    const h = await createNestApp({ providers: ALL });
    const refused = await h.client();
    await expect(refused.connect('class-guarded')).rejects.toThrow('Forbidden resource');
    const admitted = await h.client({ headers: { 'X-Role': 'admin' } });
    const ns = await admitted.connect('class-guarded');
    expect((await ns.ask('hello', '')).text()).toBe('hello admin');
  });

  it('@UseGuards on the class guards every event of the class', async () => {
    const { ns } = await nsOf({ providers: ALL }, 'class-guarded-events');
    expect((await ns.ask('open', '')).text()).toBe('open');
    await expect(ns.ask('secret', '')).rejects.toThrow('Forbidden resource');
  });

  it('a class guard runs before the class onNamespaceConnect hook and vetoes it', async () => {
    ClassGuardedWithHook.hookRan = 0;
    const { h } = await nsOf({ providers: ALL }, 'guards');
    const conn = await h.client();
    await expect(conn.connect('class-guarded-with-hook')).rejects.toThrow('Forbidden resource');
    expect(ClassGuardedWithHook.hookRan).toBe(0);
  });

  it('@UseGuards on onNamespaceConnect refuses the namespace connect', async () => {
    const h = await createNestApp({ providers: ALL });
    const refused = await h.client();
    await expect(refused.connect('connect-guarded')).rejects.toThrow('Forbidden resource');
    const admitted = await h.client({ headers: { 'X-Role': 'admin' } });
    expect((await (await admitted.connect('connect-guarded')).ask('ping', '')).text()).toBe('pong');
  });

  it('method guards work on a Scope.REQUEST controller', async () => {
    const { ns } = await nsOf({ providers: ALL }, 'scoped-guards');
    await expect(ns.ask('closed', '')).rejects.toThrow('Forbidden resource');
    expect((await ns.ask('open', '')).text()).toBe('open');
  });

  describe('the ExecutionContext a guard sees', () => {
    beforeEach(() => {
      seenContexts = [];
    });

    it("getType() is 'ws', switchToWs().getClient() is the NSConn, getData() the decoded body, getPattern() the event", async () => {
      const { conn, ns } = await nsOf({ providers: ALL }, 'guards');
      expect((await ns.ask('spied', { a: 1 })).text()).toBe('{"a":1}');
      await ns.ask('spied', 'plain text');
      expect((await ns.ask('spiedPlain', 'x')).text()).toBe('spiedPlain:true');
      expect(seenContexts).toEqual([
        { type: 'ws', clientIsNSConn: true, clientId: conn.id, data: { a: 1 }, pattern: 'spied', className: 'MethodGuards', handlerIsFunction: true, argsLength: 4 },
        { type: 'ws', clientIsNSConn: true, clientId: conn.id, data: 'plain text', pattern: 'spied', className: 'MethodGuards', handlerIsFunction: true, argsLength: 4 },
        { type: 'ws', clientIsNSConn: true, clientId: conn.id, data: 'x', pattern: 'spiedPlain', className: 'MethodGuards', handlerIsFunction: true, argsLength: 4 },
      ]);
    });
  });
});

describe('pipes', () => {
  it('@UsePipes(new ValidationPipe()) with a class-validator DTO: invalid → error reply with the validation message', async () => {
    const { ns } = await nsOf({ providers: ALL }, 'pipes');
    const text = await errorOf(ns.ask('create', { name: 'al', age: -1 }));
    // Every message of the list, in the DTO's order, in one line.
    expect(text).toBe('name must be longer than or equal to 3 characters; age must not be less than 0');
  });

  it('valid input passes (and is transformed to the DTO class)', async () => {
    const { ns } = await nsOf({ providers: ALL }, 'pipes');
    expect((await ns.ask('create', { name: 'alice', age: 30 })).text()).toBe('created alice (30) as CreateUserDto');
  });

  it('a parameter pipe on @MessageBody(property, ParseIntPipe)', async () => {
    const { ns } = await nsOf({ providers: ALL }, 'pipes');
    expect((await ns.ask('double', { n: '21' })).text()).toBe('42');
    expect(await errorOf(ns.ask('double', { n: 'abc' }))).toBe('Validation failed (numeric string is expected)');
  });
});

describe('interceptors', () => {
  it('@UseInterceptors on a method maps the result', async () => {
    const { ns } = await nsOf({ providers: ALL }, 'interceptors');
    expect((await ns.ask('wrapped', { v: 1 })).text()).toBe('{"wrapped":{"v":1}}');
    expect((await ns.ask('wrappedAsync', '')).text()).toBe('{"wrapped":"async value"}');
  });

  it('an interceptor may answer without calling the handler', async () => {
    const { ns } = await nsOf({ providers: ALL }, 'interceptors');
    expect((await ns.ask('shortCircuited', '')).text()).toBe('from the interceptor');
  });

  it('@UseInterceptors on the class applies to every event', async () => {
    const { ns } = await nsOf({ providers: ALL }, 'class-interceptor');
    expect((await ns.ask('a', '')).text()).toBe('{"wrapped":"a"}');
  });
});

describe('exception filters', () => {
  it("a filter's return value becomes the reply (not an error), and it sees a 'ws' host with the NSConn", async () => {
    const { ns } = await nsOf({ providers: ALL }, 'filters');
    expect((await ns.ask('replyFromFilter', '')).text()).toBe('filtered(ws, true): bad input');
  });

  it('an error the filter does not @Catch stays an error reply (a plain Error: "Internal server error")', async () => {
    const { ns } = await nsOf({ providers: ALL }, 'filters');
    expect(await errorOf(ns.ask('notCaughtByFilter', ''))).toBe(INTERNAL_ERROR);
  });

  it('a filter that throws maps the error reply', async () => {
    const { ns } = await nsOf({ providers: ALL }, 'filters');
    expect(await errorOf(ns.ask('mapped', ''))).toBe('mapped: original');
  });

  it('a filter also catches a guard refusal', async () => {
    const { ns } = await nsOf({ providers: ALL }, 'filters');
    expect(await errorOf(ns.ask('guardedAndFiltered', ''))).toBe('mapped: Forbidden resource');
  });

  it('an async filter: its resolved value is the reply', async () => {
    const { ns } = await nsOf({ providers: ALL }, 'filters');
    expect((await ns.ask('asyncFiltered', '')).text()).toBe('async filter: boom');
  });

  it('an Observable-returning filter (RpcExceptionFilter style): its value is the reply, its error the error reply', async () => {
    const { ns } = await nsOf({ providers: ALL }, 'filters');
    expect((await ns.ask('observableRecover', '')).text()).toBe('recovered by observable');
    expect(await errorOf(ns.ask('observableRethrow', ''))).toBe('observable filter: fatal');
  });
});

describe('filters never turn a refused lifecycle action into an accepted one', () => {
  /** The common "AllExceptionsFilter": turns every error into a value. */
  @Catch()
  class CatchAllToValue implements ExceptionFilter {
    catch(exception: Error) {
      return { error: exception.message };
    }
  }

  @UseGuards(Deny)
  @NeffosController('denied-with-hook')
  class DeniedWithHook {
    static hookRan = 0;
    onNamespaceConnect() {
      DeniedWithHook.hookRan++;
    }
    secret() {
      return 'secret';
    }
  }

  @UseGuards(Deny)
  @NeffosController('denied-without-hook')
  class DeniedWithoutHook {
    secret() {
      return 'secret';
    }
  }

  @UseFilters(CatchAllToValue)
  @NeffosController('hook-throws')
  class HookThrows {
    onNamespaceConnect(_msg: Message, conn: NSConn) {
      if (conn.conn.request.headers['x-deny'] !== undefined) throw new WsException('connect refused by the hook');
    }
    @UseGuards(Deny)
    onRoomJoin() {}
    fail() {
      throw new Error('event error');
    }
  }

  const providers = [DeniedWithHook, DeniedWithoutHook, HookThrows];
  const withGlobalFilter: NestAppOptions = { providers, configure: (app) => void app.useGlobalFilters(new CatchAllToValue()) };

  it.each(['denied-with-hook', 'denied-without-hook'])('a global catch-all filter + a class guard: connect to %s is still refused', async (namespace) => {
    DeniedWithHook.hookRan = 0;
    const h = await createNestApp(withGlobalFilter);
    const conn = await h.client();
    await expect(conn.connect(namespace)).rejects.toThrow('Forbidden resource');
    expect(DeniedWithHook.hookRan).toBe(0);
    expect(h.app.get(NeffosServerRef).members(namespace)).toEqual([]);
  });

  it('a class-level catch-all filter: a hook that throws still refuses the connect with its text, and a guarded onRoomJoin still refuses the join', async () => {
    const h = await createNestApp({ providers });
    const refused = await h.client({ headers: { 'X-Deny': '1' } });
    await expect(refused.connect('hook-throws')).rejects.toThrow('connect refused by the hook');
    const ns = await (await h.client()).connect('hook-throws');
    await expect(ns.joinRoom('r')).rejects.toThrow('Forbidden resource');
    expect(ns.room('r')).toBeUndefined();
    // On events the filter does apply: its value is the reply.
    expect((await ns.ask('fail', '')).text()).toBe('{"error":"event error"}');
  });
});

describe('global enhancers', () => {
  @NeffosController('global')
  class Plain {
    echo(msg: Message, conn: NSConn) {
      return `${msg.text()}|${conn instanceof NSConn}`;
    }
    create(@MessageBody() dto: CreateUserDto) {
      return `created ${dto.name}`;
    }
    fail() {
      throw new Error('kaput');
    }
  }

  class DenyEvent implements CanActivate {
    canActivate(ctx: ExecutionContext) {
      return ctx.switchToWs().getPattern() !== 'echo' || ctx.switchToWs().getData() !== 'blocked';
    }
  }

  class DenyConnectWithHeader implements CanActivate {
    canActivate(ctx: ExecutionContext) {
      return ctx.switchToWs().getClient<NSConn>().conn.request.headers['x-global-deny'] === undefined;
    }
  }

  it('app.useGlobalGuards applies to events and to the namespace connect', async () => {
    const h = await createNestApp({ providers: [Plain], configure: (app) => void app.useGlobalGuards(new DenyEvent(), new DenyConnectWithHeader()) });
    const conn = await h.client();
    const ns = await conn.connect('global');
    expect((await ns.ask('echo', 'fine')).text()).toBe('fine|true');
    await expect(ns.ask('echo', 'blocked')).rejects.toThrow('Forbidden resource');
    const refused = await h.client({ headers: { 'X-Global-Deny': '1' } });
    await expect(refused.connect('global')).rejects.toThrow('Forbidden resource');
  });

  it('app.useGlobalPipes validates @MessageBody DTOs of every controller', async () => {
    const h = await createNestApp({ providers: [Plain], configure: (app) => void app.useGlobalPipes(new ValidationPipe()) });
    const ns = await (await h.client()).connect('global');
    expect(await errorOf(ns.ask('create', { name: 'x', age: 1 }))).toContain('name must be longer than or equal to 3 characters');
    expect((await ns.ask('create', { name: 'xavier', age: 1 })).text()).toBe('created xavier');
  });

  it('app.useGlobalInterceptors maps the results of undecorated handlers too', async () => {
    const h = await createNestApp({ providers: [Plain], configure: (app) => void app.useGlobalInterceptors(new Wrap()) });
    const ns = await (await h.client()).connect('global');
    expect((await ns.ask('echo', 'e')).text()).toBe('{"wrapped":"e|true"}');
  });

  it('app.useGlobalFilters maps errors', async () => {
    const h = await createNestApp({ providers: [Plain], configure: (app) => void app.useGlobalFilters(new MapToWsException()) });
    const ns = await (await h.client()).connect('global');
    expect(await errorOf(ns.ask('fail', ''))).toBe('mapped: kaput');
    expect((await ns.ask('echo', 'still fine')).text()).toBe('still fine|true');
  });
});
