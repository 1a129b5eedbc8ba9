// What the log says when a handler or a handshake hook throws something that is not an Error: it has
// no stack, so the line names the thrower. It used to be the bare value (`null`, `a string`), which
// told the developer nothing about where to look. Read from a LoggerService installed with
// app.useLogger, as a user would.
import 'reflect-metadata';
import { UseInterceptors } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { NeffosController } from '../../lib/index.js';
import { INTERNAL_ERROR } from '../../lib/engine/engine.messages.js';
import { THROWN_NOT_ERROR } from '../../lib/nest/neffos.messages.js';
import { DialRejectedError } from '../../lib/testing.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';
import { ErrorLines } from '../utils/error-lines.js';

useNestApps();

/* eslint-disable @typescript-eslint/only-throw-error -- throwing non-Errors is the point */
@NeffosController('default')
class ThrowsController {
  nothing() {
    throw null;
  }
  async text() {
    await Promise.resolve();
    throw 'quota';
  }
  @UseInterceptors({ intercept: (_ctx, next) => next.handle() })
  object() {
    throw { code: 42 };
  }
  fails() {
    throw new Error('with a stack');
  }
}

describe('a thrown value that is not an Error', () => {
  it('is logged with the class and method that threw it, on the fast path and through the pipeline', async () => {
    const logger = new ErrorLines();
    const h = await createNestApp({ providers: [ThrowsController], configure: (app) => app.useLogger(logger) });
    const ns = await (await h.client()).connect('default');
    for (const event of ['nothing', 'text', 'object', 'fails']) await expect(ns.ask(event, '')).rejects.toThrow(INTERNAL_ERROR);
    expect(logger.errors.slice(0, 3)).toEqual([
      THROWN_NOT_ERROR('ThrowsController.nothing', 'null'),
      THROWN_NOT_ERROR('ThrowsController.text', 'the string "quota"'),
      THROWN_NOT_ERROR('ThrowsController.object', '{"code":42}'),
    ]);
    // An Error keeps its stack, which names the method already.
    expect(logger.errors[3]).toMatch(/^Error: with a stack\n\s+at ThrowsController\..*fails/);
    expect(THROWN_NOT_ERROR('ThrowsController.nothing', 'null')).toBe(
      'ThrowsController.nothing threw null, which is not an Error (no stack to find it by); a client waiting for the answer reads "Internal server error". Throw a WsException with the text the client should read, or an Error',
    );
  });

  it('names authorize when the handshake hook throws one', async () => {
    const logger = new ErrorLines();
    const h = await createNestApp({
      providers: [ThrowsController],
      neffos: {
        authorize: () => {
          throw undefined;
        },
      },
      configure: (app) => app.useLogger(logger),
    });
    await expect(h.client()).rejects.toThrow(DialRejectedError);
    expect(logger.errors).toEqual([THROWN_NOT_ERROR('authorize', 'undefined')]);
  });
});

// A teardown hook's failure used to be logged twice: with its stack when thrown, then again by the
// default onError as a stackless "EventReplyError: Internal server error".
describe('a hook that fails after the client closed', () => {
  @NeffosController('rooms')
  class TeardownController {
    onNamespaceDisconnect() {
      throw new Error('cleanup failed');
    }
    onRoomLeft() {
      throw null;
    }
  }

  it('is logged once, with what was thrown', async () => {
    const logger = new ErrorLines();
    const h = await createNestApp({ providers: [TeardownController], configure: (app) => app.useLogger(logger) });
    const client = await h.client();
    await (await client.connect('rooms')).joinRoom('r');
    await client.close();
    await h.closeApp(); // the teardown hooks have run once the app has closed
    expect(logger.errors).toHaveLength(2);
    expect(logger.errors).toContain(THROWN_NOT_ERROR('TeardownController.onRoomLeft', 'null'));
    expect(logger.errors.find((line) => line.startsWith('Error: cleanup failed\n'))).toBeDefined();
  });
});
