// A per-connection controller is built when its namespace connects; what its constructor or a
// request-scoped factory in its tree throws refuses that connect like a throwing onNamespaceConnect:
// a WsException's or HttpException's text reaches the client. The common case is a request-scoped
// "current user" provider that throws UnauthorizedException. It used to reach the client as
// "Internal server error", logged as if it were a bug.
import 'reflect-metadata';
import { Inject, Scope, UnauthorizedException } from '@nestjs/common';
import { REQUEST } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { NeffosController, type NSConn } from '../../lib/index.js';
import { INTERNAL_ERROR } from '../../lib/engine/engine.messages.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';
import { ErrorLines } from '../utils/error-lines.js';

useNestApps();

class CurrentUser {
  constructor(readonly name: string) {}
}

const currentUser = {
  provide: CurrentUser,
  scope: Scope.REQUEST,
  inject: [REQUEST],
  useFactory: (conn: NSConn) => {
    const name = conn.conn.request.headers['x-user'];
    if (typeof name !== 'string') throw new UnauthorizedException('who are you?');
    if (name === 'db') throw new Error('connect ECONNREFUSED 10.0.0.5:5432');
    return new CurrentUser(name);
  },
};

@NeffosController('me')
class MeController {
  constructor(@Inject(CurrentUser) private readonly user: CurrentUser) {}
  whoami() {
    return this.user.name;
  }
}

describe('a per-connection controller that cannot be built', () => {
  it('refuses the connect with the text of an HttpException, not a logged "Internal server error"', async () => {
    const logger = new ErrorLines();
    const h = await createNestApp({ providers: [currentUser, MeController], configure: (app) => app.useLogger(logger) });
    const anonymous = await h.client();
    await expect(anonymous.connect('me')).rejects.toThrow(/^who are you\?$/);
    expect(logger.errors).toEqual([]);
    const ann = await h.client({ headers: { 'x-user': 'ann' } });
    expect((await (await ann.connect('me')).ask('whoami')).text()).toBe('ann');
  });

  it('refuses it with "Internal server error" for any other error, logged with its stack', async () => {
    const logger = new ErrorLines();
    const h = await createNestApp({ providers: [currentUser, MeController], configure: (app) => app.useLogger(logger) });
    const client = await h.client({ headers: { 'x-user': 'db' } });
    await expect(client.connect('me')).rejects.toThrow(new RegExp(`^${INTERNAL_ERROR}$`));
    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0]).toMatch(/^Error: connect ECONNREFUSED 10\.0\.0\.5:5432\n\s+at /);
    // The connection stays usable: the refusal was of the namespace, not of the socket.
    expect(client.isClosed).toBe(false);
  });
});
