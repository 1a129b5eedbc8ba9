// Handshake options of NeffosModule: authorize(req) (reject with false / a string / a throw, or let
// through and decorate the request) and idGenerator(req).
import 'reflect-metadata';
import type { IncomingMessage } from 'node:http';
import { type CanActivate, type ExecutionContext, Injectable, Module, UnauthorizedException, UseGuards } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { INTERNAL_ERROR } from '../../lib/engine/engine.messages.js';
import { HandshakeRequest, NeffosController, NeffosModule, NeffosServer, type NSConn } from '../../lib/index.js';
import { NO_CONNECTION_ID } from '../../lib/engine/engine.messages.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';

useNestApps();

type AuthedRequest = IncomingMessage & { user?: { name: string; role: string } };

class NeedsUser implements CanActivate {
  canActivate(ctx: ExecutionContext) {
    return (ctx.switchToWs().getClient<NSConn>().conn.request as AuthedRequest).user?.role === 'admin';
  }
}

@NeffosController('default')
class MeController {
  me(@HandshakeRequest() req: AuthedRequest) {
    return JSON.stringify(req.user ?? null);
  }
  token(@HandshakeRequest('authorization') auth: string | undefined) {
    return auth ?? 'none';
  }
  @UseGuards(NeedsUser)
  admin() {
    return 'admin area';
  }
}

const tokens: Record<string, { name: string; role: string }> = {
  'Bearer alice': { name: 'alice', role: 'admin' },
  'Bearer bob': { name: 'bob', role: 'user' },
};

/** Reads the token, decorates the request with the user, refuses the rest with distinct reasons. */
function authorize(req: IncomingMessage): boolean | string {
  const auth = req.headers.authorization;
  if (auth === undefined) return false;
  if (auth === 'Bearer expired') return 'token expired';
  if (auth === 'Bearer throw') throw new Error('authorize threw');
  if (auth === 'Bearer http') throw new UnauthorizedException('http unauthorized');
  const user = tokens[auth];
  if (user === undefined) return 'unknown token';
  (req as AuthedRequest).user = user;
  return true;
}

describe('authorize(req)', () => {
  // neffos.js on purpose: the refusal text is what an unmodified client's dial rejects with.
  it.each([
    [undefined, 'unauthorized'],
    ['Bearer expired', 'token expired'],
    ['Bearer nobody', 'unknown token'],
    ['Bearer throw', INTERNAL_ERROR], // a plain Error is not written for the client: logged, never sent
    ['Bearer http', 'http unauthorized'],
  ])('with Authorization %j neffos.dial rejects with %j', async (auth, text) => {
    const h = await createNestApp({ providers: [MeController], neffos: { authorize } });
    const dialing = h.dial({ default: {} }, { headers: auth === undefined ? {} : { Authorization: auth } });
    await expect(dialing).rejects.toThrow(text);
    const error = await dialing.catch((e: unknown) => e);
    expect((error as Error).message).toBe(text);
    expect(h.app.get(NeffosServer).connectionCount).toBe(0);
  });

  it('an async authorize works the same (resolving false rejects)', async () => {
    const h = await createNestApp({
      providers: [MeController],
      neffos: {
        authorize: async (req) => {
          await Promise.resolve();
          return req.headers['x-ok'] === 'yes' ? true : false;
        },
      },
    });
    await expect(h.client()).rejects.toThrow('unauthorized');
    const conn = await h.client({ headers: { 'X-Ok': 'yes' } });
    expect(conn.id).toBeTruthy();
  });

  it('what authorize puts on the request (req.user) is readable with @HandshakeRequest() and in guards', async () => {
    const h = await createNestApp({ providers: [MeController], neffos: { authorize } });
    const alice = await (await h.client({ headers: { Authorization: 'Bearer alice' } })).connect('default');
    expect(JSON.parse((await alice.ask('me', '')).text())).toEqual({ name: 'alice', role: 'admin' });
    expect((await alice.ask('token', '')).text()).toBe('Bearer alice');
    expect((await alice.ask('admin', '')).text()).toBe('admin area');

    const bob = await (await h.client({ headers: { Authorization: 'Bearer bob' } })).connect('default');
    expect(JSON.parse((await bob.ask('me', '')).text())).toEqual({ name: 'bob', role: 'user' });
    await expect(bob.ask('admin', '')).rejects.toThrow('Forbidden resource');
  });

  it('forRootAsync: authorize and idGenerator may use injected services', async () => {
    @Injectable()
    class AuthService {
      verify(token: string | undefined) {
        return token === 'secret' ? 'user-from-service' : undefined;
      }
    }
    @Module({ providers: [AuthService], exports: [AuthService] })
    class AuthModule {}

    const h = await createNestApp({
      providers: [MeController],
      neffosModule: NeffosModule.forRootAsync({
        imports: [AuthModule],
        inject: [AuthService],
        useFactory: (auth: AuthService) => ({
          path: '/echo',
          authorize: (req: IncomingMessage) => auth.verify(req.headers['x-token'] as string | undefined) !== undefined || 'bad token',
          idGenerator: (req: IncomingMessage) => auth.verify(req.headers['x-token'] as string | undefined)!,
        }),
      }),
    });
    await expect(h.client({ headers: { 'X-Token': 'wrong' } })).rejects.toThrow('bad token');
    const conn = await h.client({ headers: { 'X-Token': 'secret' } });
    expect(conn.id).toBe('user-from-service');
  });
});

describe('idGenerator(req)', () => {
  it('a header becomes the connection id (client id, NSConn.id, NeffosServer lookups)', async () => {
    @NeffosController('default')
    class WhoController {
      id(_msg: unknown, conn: NSConn) {
        return conn.id;
      }
    }
    const h = await createNestApp({ providers: [WhoController], neffos: { idGenerator: (req) => String(req.headers['x-user-id']) } });
    const conn = await h.client({ headers: { 'X-User-Id': 'user-42' } });
    expect(conn.id).toBe('user-42');
    const ns = await conn.connect('default');
    expect((await ns.ask('id', '')).text()).toBe('user-42');
    const server = h.app.get(NeffosServer);
    expect(server.connection('user-42')?.id).toBe('user-42');
    expect(server.members('default')).toEqual(['user-42']);
  });

  it('an async idGenerator works; one that yields no id rejects the handshake', async () => {
    @NeffosController('default')
    class C {
      ping() {
        return 'pong';
      }
    }
    const h = await createNestApp({
      providers: [C],
      neffos: { idGenerator: async (req) => (req.headers['x-user-id'] === undefined ? '' : `async-${String(req.headers['x-user-id'])}`) },
    });
    expect((await h.client({ headers: { 'X-User-Id': '7' } })).id).toBe('async-7');
    await expect(h.client()).rejects.toThrow(NO_CONNECTION_ID);
  });
});
