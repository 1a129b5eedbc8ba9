// A handler with no enhancer and no parameter decorator is called directly: Nest's
// ExternalContextCreator (guards/pipes/interceptors/filters pipeline) is built only where used.
import 'reflect-metadata';
import { type CanActivate, Scope, UseGuards } from '@nestjs/common';
import { ExternalContextCreator } from '@nestjs/core';
import { MessageBody } from '@nestjs/websockets';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { Message, NeffosController } from '../../lib/index.js';
import { bodyText } from '../utils/neffos-client.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';

useNestApps();

class Allow implements CanActivate {
  canActivate() {
    return true;
  }
}

@NeffosController('fast')
class FastController {
  echo(msg: Message) {
    return msg.body;
  }
  onNamespaceConnected() {}
}

@NeffosController({ namespace: 'fast-scoped', scope: Scope.REQUEST })
class FastScopedController {
  echo(msg: Message) {
    return msg.body;
  }
}

@NeffosController('slow')
class SlowController {
  @UseGuards(Allow)
  guarded(msg: Message) {
    return msg.body;
  }
  decorated(@MessageBody() body: string) {
    return body;
  }
  plain(msg: Message) {
    return msg.body;
  }
}

describe('fast path', () => {
  let create: MockInstance;
  beforeEach(() => {
    create = vi.spyOn(ExternalContextCreator.prototype, 'create');
  });
  afterEach(() => {
    create.mockRestore();
  });

  /** The [controller class, method name] pairs ExternalContextCreator.create was called for. */
  const createdFor = () => create.mock.calls.map((args) => [(args[0] as object).constructor.name, args[2] as string]);

  it('undecorated handlers of static and per-connection controllers never go through ExternalContextCreator', async () => {
    const h = await createNestApp({ providers: [FastController, FastScopedController, SlowController] });
    const conn = await h.dial({ fast: {}, 'fast-scoped': {}, slow: {} });
    const fast = await conn.connect('fast');
    const scoped = await conn.connect('fast-scoped');
    const slow = await conn.connect('slow');
    expect(bodyText(await fast.ask('echo', 'a'))).toBe('a');
    expect(bodyText(await scoped.ask('echo', 'b'))).toBe('b');
    expect(bodyText(await slow.ask('guarded', 'c'))).toBe('c');
    expect(bodyText(await slow.ask('decorated', 'd'))).toBe('d');
    expect(bodyText(await slow.ask('plain', 'e'))).toBe('e');

    const pairs = createdFor();
    expect(pairs.filter(([cls]) => cls === 'FastController' || cls === 'FastScopedController')).toEqual([]);
    expect(pairs).toContainEqual(['SlowController', 'guarded']);
    expect(pairs).toContainEqual(['SlowController', 'decorated']);
    expect(pairs).not.toContainEqual(['SlowController', 'plain']);
  });

  it('a global enhancer puts every handler on the enhanced path', async () => {
    const h = await createNestApp({ providers: [FastController], configure: (app) => void app.useGlobalGuards(new Allow()) });
    const fast = await (await h.dial({ fast: {} })).connect('fast');
    expect(bodyText(await fast.ask('echo', 'x'))).toBe('x');
    expect(createdFor()).toContainEqual(['FastController', 'echo']);
  });
});
