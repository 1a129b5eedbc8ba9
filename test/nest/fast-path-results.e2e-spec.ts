// The fast path (no enhancer, no parameter decorator) unwraps what a handler returns as the pipeline
// does: an Observable returned by an async method (its first value, not "{}"), and any thenable, not
// only a native Promise, whose failure goes through the same error mapping as a throw.
import 'reflect-metadata';
import { ValidationPipe } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { NeffosController } from '../../lib/index.js';
import { createNestApp, type NestAppOptions, useNestApps } from '../utils/nest-app.js';

useNestApps();

/** A thenable that is not a Promise (a query builder, a Bluebird or a hand-written one). */
function thenable<T>(settle: (resolve: (value: T) => void, reject: (err: unknown) => void) => void): PromiseLike<T> {
  return {
    then(onFulfilled, onRejected) {
      return new Promise<T>(settle).then(onFulfilled, onRejected);
    },
  };
}

@NeffosController('default')
class ResultsController {
  async observable() {
    return of('from an async Observable');
  }
  thenableValue() {
    return thenable<string>((resolve) => resolve('from a thenable'));
  }
  thenableObservable() {
    return thenable((resolve) => resolve(of('from a thenable Observable')));
  }
  thenableWsException() {
    return thenable((_resolve, reject) => reject(new WsException('refused by a thenable')));
  }
  observableNow() {
    return of('from an Observable');
  }
  sync() {
    return 'sync';
  }
}

const setups: Array<[string, NestAppOptions]> = [
  ['no enhancer (fast path)', { providers: [ResultsController] }],
  ['a global ValidationPipe', { providers: [ResultsController], configure: (app) => void app.useGlobalPipes(new ValidationPipe()) }],
];

describe.each(setups)('handler results with %s', (_name, options) => {
  it('an Observable returned by an async method replies with its first value', async () => {
    const ns = await (await (await createNestApp(options)).client()).connect('default');
    expect((await ns.ask('observable', '')).text()).toBe('from an async Observable');
    expect((await ns.ask('observableNow', '')).text()).toBe('from an Observable');
    expect((await ns.ask('sync', '')).text()).toBe('sync');
  });

  it('a non-native thenable is awaited and unwrapped, and its rejection is mapped like a throw', async () => {
    const ns = await (await (await createNestApp(options)).client()).connect('default');
    expect((await ns.ask('thenableValue', '')).text()).toBe('from a thenable');
    expect((await ns.ask('thenableObservable', '')).text()).toBe('from a thenable Observable');
    await expect(ns.ask('thenableWsException', '')).rejects.toThrow('refused by a thenable');
  });
});
