// A handler with no enhancer and no parameter decorator is called directly: Nest's
// ExternalContextCreator (guards/pipes/interceptors/filters pipeline) is built only where used.
import 'reflect-metadata';
import { type CanActivate, Scope, UseGuards } from '@nestjs/common';
import { ExternalContextCreator } from '@nestjs/core';
import { MessageBody } from '@nestjs/websockets';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { Message, NeffosController } from '../../lib/index.js';
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
    const client = await h.client();
    const fast = await client.connect('fast');
    const scoped = await client.connect('fast-scoped');
    const slow = await client.connect('slow');
    expect((await fast.ask('echo', 'a')).text()).toBe('a');
    expect((await scoped.ask('echo', 'b')).text()).toBe('b');
    expect((await slow.ask('guarded', 'c')).text()).toBe('c');
    expect((await slow.ask('decorated', 'd')).text()).toBe('d');
    expect((await slow.ask('plain', 'e')).text()).toBe('e');

    const pairs = createdFor();
    expect(pairs.filter(([cls]) => cls === 'FastController' || cls === 'FastScopedController')).toEqual([]);
    expect(pairs).toContainEqual(['SlowController', 'guarded']);
    expect(pairs).toContainEqual(['SlowController', 'decorated']);
    expect(pairs).not.toContainEqual(['SlowController', 'plain']);
  });

  it('a global enhancer puts every handler on the enhanced path', async () => {
    const h = await createNestApp({ providers: [FastController], configure: (app) => void app.useGlobalGuards(new Allow()) });
    const fast = await (await h.client()).connect('fast');
    expect((await fast.ask('echo', 'x')).text()).toBe('x');
    expect(createdFor()).toContainEqual(['FastController', 'echo']);
  });
});
