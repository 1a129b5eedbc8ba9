// What NeffosModule logs at start-up through Nest's Logger (context "NeffosModule"): the path served and
// one line per namespace with its events, hooks and scopes; a warning for every method named one edit
// away from a lifecycle hook. Read from a LoggerService installed with app.useLogger, as a user would.
import 'reflect-metadata';
import { Injectable, type LoggerService, Scope } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { type Message, NeffosController, NeffosEvent, NeffosIgnore } from '../../lib/index.js';
import { ARROW_FIELD, LOG_NAMESPACE, LOG_PATH, NAMESPACE_LIKE_PATH, NEAR_MISS_HOOK } from '../../lib/nest/neffos.messages.js';
import { bodyText } from '../utils/neffos-client.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';

useNestApps();

type Level = 'log' | 'warn' | 'error';

/** A LoggerService that records what it is given. */
class RecordingLogger implements LoggerService {
  readonly lines: Array<{ level: Level; message: string; context: string | undefined }> = [];
  log(message: unknown, context?: string) {
    this.lines.push({ level: 'log', message: String(message), context });
  }
  warn(message: unknown, context?: string) {
    this.lines.push({ level: 'warn', message: String(message), context });
  }
  error(message: unknown, _stack?: string, context?: string) {
    this.lines.push({ level: 'error', message: String(message), context });
  }
  /** The lines of one level logged under NeffosModule. */
  neffos(level: Level): string[] {
    return this.lines.filter((l) => l.level === level && l.context === 'NeffosModule').map((l) => l.message);
  }
}

async function startWith(providers: Array<new (...args: never[]) => unknown>, neffos = {}) {
  const logger = new RecordingLogger();
  const h = await createNestApp({ providers, neffos, configure: (app) => app.useLogger(logger) });
  return { h, logger };
}

@Injectable({ scope: Scope.REQUEST })
class PerRequestDep {}

@NeffosController('chat')
class ChatController {
  join() {
    return 'joined';
  }
  say() {}
  onNamespaceConnected() {}
  onRoomJoined() {}
}

@NeffosController('chat')
class ChatAudit {
  constructor(readonly dep: PerRequestDep) {}
  audit() {}
}

@NeffosController('')
class RootController {
  ping() {
    return 'pong';
  }
}

describe('start-up log', () => {
  it('logs the path, then one line per namespace: events, hooks, and each controller with its scope', async () => {
    const { logger } = await startWith([ChatController, ChatAudit, PerRequestDep, RootController]);
    expect(logger.neffos('log')).toEqual([
      LOG_PATH('/echo', 2),
      LOG_NAMESPACE('chat', ['join', 'say', 'audit'], ['OnNamespaceConnected', 'OnRoomJoined'], [
        { name: 'ChatController', perConnection: false },
        { name: 'ChatAudit', perConnection: true },
      ]),
      LOG_NAMESPACE('', ['ping'], [], [{ name: 'RootController', perConnection: false }]),
    ]);
    expect(LOG_PATH('/echo', 2)).toBe('Serving the neffos protocol on path /echo (2 namespaces)');
    expect(logger.neffos('log')[1]).toBe(
      'Namespace "chat": events {join, say, audit}, hooks {OnNamespaceConnected, OnRoomJoined}, ChatController (static), ChatAudit (per connection)',
    );
    expect(logger.neffos('warn')).toEqual([]);
  });
});

describe('methods one edit away from a lifecycle hook', () => {
  @NeffosController('typos')
  class Typos {
    onNamespaceConected(_msg: Message) {
      return 'served as an event';
    }
    OnNativeMessage() {}
    onRoomjoin() {}
    onModuleInt() {}
    _onRoomLeft() {}
    @NeffosIgnore()
    onRoomLefts() {}
    @NeffosEvent()
    onRoomJoins() {}
    onRoomJoin() {}
    OnRoomLeave() {}
    fine() {}
  }

  @NeffosController('strict', { events: 'decorated' })
  class Strict {
    onNamespaceDisconect() {}
    @NeffosEvent()
    ok() {}
  }

  it("warns for each, saying what became of it ('public-methods': an event clients can call)", async () => {
    const { h, logger } = await startWith([Typos]);
    expect(logger.neffos('warn')).toEqual([
      NEAR_MISS_HOOK('Typos', 'onNamespaceConected', 'onNamespaceConnected', 'neffos', 'onNamespaceConected'),
      NEAR_MISS_HOOK('Typos', 'OnNativeMessage', 'onNativeMessage', 'neffos', 'OnNativeMessage'),
      NEAR_MISS_HOOK('Typos', 'onRoomjoin', 'onRoomJoin', 'neffos', 'onRoomjoin'),
      NEAR_MISS_HOOK('Typos', 'onModuleInt', 'onModuleInit', 'Nest', 'onModuleInt'),
      NEAR_MISS_HOOK('Typos', '_onRoomLeft', 'onRoomLeft', 'neffos', undefined),
    ]);
    expect(logger.neffos('warn')[0]).toContain('clients can call it as the event "onNamespaceConected"');
    const ns = await (await h.dial({ typos: {} })).connect('typos');
    expect(bodyText(await ns.ask('onNamespaceConected', ''))).toBe('served as an event');
  });

  it("in 'decorated' mode the look-alike is no event: the warning says it is never called", async () => {
    const { logger } = await startWith([Strict]);
    expect(logger.neffos('warn')).toEqual([NEAR_MISS_HOOK('Strict', 'onNamespaceDisconect', 'onNamespaceDisconnect', 'neffos', undefined)]);
    expect(logger.neffos('warn')[0]).toContain('it is never called');
  });
});

// A gateway's hooks kept on a controller were events clients could call, and never ran on a connection.
describe('gateway hooks kept from a migrated @WebSocketGateway', () => {
  @NeffosController('migrated')
  class Migrated {
    handleConnection() {
      return 'called by a client';
    }
    handleDisconnect() {}
    @NeffosIgnore()
    afterInit() {}
  }

  it('are warned about at start-up, with the hook to use instead and what became of them', async () => {
    const { h, logger } = await startWith([Migrated]);
    expect(logger.neffos('warn')).toEqual([
      NEAR_MISS_HOOK('Migrated', 'handleConnection', 'onNamespaceConnected', 'gateway', 'handleConnection'),
      NEAR_MISS_HOOK('Migrated', 'handleDisconnect', 'onNamespaceDisconnect', 'gateway', 'handleDisconnect'),
    ]);
    expect(logger.neffos('warn')[0]).toBe(
      'Migrated.handleConnection is a hook of @nestjs/websockets gateways, which neffos never calls: clients can call it as the event "handleConnection". ' +
        'Rename it to onNamespaceConnected, or mark it @NeffosEvent() (an event) or @NeffosIgnore() (neither) to keep the name and silence this warning',
    );
    const ns = await (await h.dial({ migrated: {} })).connect('migrated');
    expect(bodyText(await ns.ask('handleConnection', ''))).toBe('called by a client');
  });
});

// The @Controller('/chat') habit: the namespace "/chat" is served, and clients connecting to "chat"
// got "bad namespace" with nothing at start-up to say why.
describe('a namespace that starts with "/"', () => {
  @NeffosController('/chat')
  class SlashController {
    ping() {
      return 'pong';
    }
  }

  it('is served as written, with a warning that it is a name, not a path', async () => {
    const { h, logger } = await startWith([SlashController, RootController]);
    expect(logger.neffos('warn')).toEqual([NAMESPACE_LIKE_PATH('/chat', ['SlashController'], '/echo')]);
    expect(logger.neffos('warn')[0]).toBe(
      'namespace "/chat" (SlashController) starts with "/", like a URL path: a namespace is a name clients connect to (neffos.js conn.connect("/chat")), ' +
        'and the URL path is NeffosModule\'s ("/echo"). If clients connect to "chat", write @NeffosController("chat")',
    );
    const ns = await (await h.dial({ '/chat': {} })).connect('/chat');
    expect(bodyText(await ns.ask('ping', ''))).toBe('pong');
  });
});

// An arrow function in a field (`echo = (msg) => …`, written to bind `this`) is no prototype method,
// so no event: clients calling it got "unknown event", with nothing at start-up to say why.
describe('an arrow function in a controller field', () => {
  @NeffosController('arrows')
  class ArrowController {
    readonly log = console.log; // an injected-style native function: not what the class body wrote as a handler
    readonly bound = function bound(this: unknown) {}.bind(null);
    echo = (msg: Message) => msg.body;
    _helper = () => 'a helper';
    ping() {
      return 'pong';
    }
  }

  @NeffosController('strict-arrows', { events: 'decorated' })
  class DecoratedArrows {
    echo = (msg: Message) => msg.body;
    @NeffosEvent()
    ping() {
      return 'pong';
    }
  }

  it('is warned about at start-up, and stays no event', async () => {
    const { h, logger } = await startWith([ArrowController, DecoratedArrows]);
    expect(logger.neffos('warn')).toEqual([ARROW_FIELD('ArrowController', 'echo', 'arrows')]);
    expect(logger.neffos('warn')[0]).toBe(
      'ArrowController.echo is an arrow function in a field, not a method, so it is no event of namespace "arrows" (clients calling "echo" get "unknown event"); ' +
        'write it as a method, echo(msg: Message, conn: NSConn) { … }, or start its name with _ if it is a helper',
    );
    const ns = await (await h.dial({ arrows: {} })).connect('arrows');
    expect(bodyText(await ns.ask('ping', ''))).toBe('pong');
    await expect(ns.ask('echo', 'x')).rejects.toThrow('unknown event');
  });
});
