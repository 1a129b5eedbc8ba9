// Which methods of a @NeffosController become events, under which names, and which bind to the
// neffos lifecycle hooks; start-up errors for duplicates and for an app with no controller.
import 'reflect-metadata';
import type { OnApplicationBootstrap, OnApplicationShutdown, OnModuleDestroy, OnModuleInit, BeforeApplicationShutdown } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { describe, expect, it } from 'vitest';
import {
  DuplicateEventError,
  Message,
  NeffosController,
  NeffosEvent,
  NeffosIgnore,
  NoControllersError,
  type NSConn,
  trimPrefix,
} from '../../lib/index.js';
import { UNKNOWN_EVENT } from '../../lib/engine/engine.messages.js';
import { DUPLICATE_EVENT, NO_CONTROLLERS } from '../../lib/nest/neffos.messages.js';
import { bodyText } from '../utils/neffos-client.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';
import { EventLog } from '../utils/wait.js';

useNestApps();

const unknown = UNKNOWN_EVENT;

describe('public methods are events', () => {
  const lifecycle: string[] = [];

  @NeffosController('default')
  class ChatController implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown, OnApplicationShutdown {
    private readonly prefix = 'got:';

    OnChat(msg: Message) {
      return `${this.prefix}${msg.text()}`;
    }
    echo(msg: Message, conn: NSConn) {
      return `${conn.namespace}/${msg.event}/${msg.text()}`;
    }
    snake_case_Name() {
      return 'verbatim';
    }
    @NeffosEvent('chat:message')
    renamed(msg: Message) {
      return `renamed ${msg.event}`;
    }
    @NeffosIgnore()
    helper() {
      return 'must not be reachable';
    }
    _private() {
      return 'must not be reachable';
    }
    get computed() {
      return 'a getter';
    }
    set computed(_v: string) {}
    onModuleInit() {
      lifecycle.push('onModuleInit');
    }
    onApplicationBootstrap() {
      lifecycle.push('onApplicationBootstrap');
    }
    onModuleDestroy() {}
    beforeApplicationShutdown() {}
    onApplicationShutdown() {}
  }

  it('names each public method verbatim, and the method runs on the controller', async () => {
    const h = await createNestApp({ providers: [ChatController] });
    const ns = await (await h.client()).connect('default');
    expect((await ns.ask('OnChat', 'hello')).text()).toBe('got:hello');
    expect((await ns.ask('echo', 'x')).text()).toBe('default/echo/x');
    expect((await ns.ask('snake_case_Name', '')).text()).toBe('verbatim');
  });

  it('@NeffosEvent gives an explicit event name instead of the method name', async () => {
    const h = await createNestApp({ providers: [ChatController] });
    const ns = await (await h.client()).connect('default');
    expect((await ns.ask('chat:message', '')).text()).toBe('renamed chat:message');
    await expect(ns.ask('renamed', '')).rejects.toThrow(unknown('renamed', 'default'));
  });

  it.each(['helper', '_private', 'computed', 'constructor', 'onModuleInit', 'onApplicationBootstrap', 'onModuleDestroy', 'beforeApplicationShutdown', 'onApplicationShutdown'])(
    '%s is not an event: asking it rejects with an unknown-event error',
    async (name) => {
      const h = await createNestApp({ providers: [ChatController] });
      const ns = await (await h.client()).connect('default');
      await expect(ns.ask(name, '')).rejects.toThrow(unknown(name, 'default'));
      // The connection is still fine afterwards.
      expect((await ns.ask('echo', 'ok')).text()).toBe('default/echo/ok');
    },
  );

  it.each(['toString', 'valueOf', 'hasOwnProperty', '__proto__', 'isPrototypeOf'])(
    'an inherited Object.prototype name (%s) is not an event either',
    async (name) => {
      const h = await createNestApp({ providers: [ChatController] });
      const ns = await (await h.client()).connect('default');
      await expect(ns.ask(name, '')).rejects.toThrow(unknown(name, 'default'));
    },
  );

  it('a namespace named like an Object.prototype property is not served', async () => {
    const h = await createNestApp({ providers: [ChatController] });
    const conn = await h.client();
    await expect(conn.connect('constructor')).rejects.toThrow('bad namespace');
    await expect(conn.connect('toString')).rejects.toThrow('bad namespace');
  });

  it('a public method named like an Object.prototype method (toString) is an event of that name', async () => {
    @NeffosController('default')
    class Printable {
      toString() {
        return 'printable';
      }
      echo(msg: Message) {
        return msg.body;
      }
    }
    const h = await createNestApp({ providers: [Printable] });
    const ns = await (await h.client()).connect('default');
    expect((await ns.ask('toString', '')).text()).toBe('printable');
    expect((await ns.ask('echo', 'e')).text()).toBe('e');
  });

  it('Nest lifecycle hooks still run as Nest lifecycle hooks', async () => {
    lifecycle.length = 0;
    await createNestApp({ providers: [ChatController] });
    expect(lifecycle).toEqual(['onModuleInit', 'onApplicationBootstrap']);
  });
});

describe('system hooks by name', () => {
  const log = new EventLog<string>();

  @NeffosController('lower')
  class LowerHooks {
    onNamespaceConnect(msg: Message) {
      log.push(`lower:onNamespaceConnect:${msg.event}`);
    }
    onNamespaceConnected(msg: Message) {
      log.push(`lower:onNamespaceConnected:${msg.event}`);
    }
    onNamespaceDisconnect(msg: Message) {
      log.push(`lower:onNamespaceDisconnect:${msg.event}`);
    }
    onRoomJoin(msg: Message) {
      log.push(`lower:onRoomJoin:${msg.room}:${msg.event}`);
    }
    onRoomJoined(msg: Message) {
      log.push(`lower:onRoomJoined:${msg.room}:${msg.event}`);
    }
    onRoomLeave(msg: Message) {
      log.push(`lower:onRoomLeave:${msg.room}:${msg.event}`);
    }
    onRoomLeft(msg: Message) {
      log.push(`lower:onRoomLeft:${msg.room}:${msg.event}`);
    }
    ping() {
      return 'pong';
    }
  }

  @NeffosController('go')
  class GoHooks {
    OnNamespaceConnect(msg: Message) {
      log.push(`go:OnNamespaceConnect:${msg.event}`);
    }
    OnNamespaceConnected(msg: Message) {
      log.push(`go:OnNamespaceConnected:${msg.event}`);
    }
    OnNamespaceDisconnect(msg: Message) {
      log.push(`go:OnNamespaceDisconnect:${msg.event}`);
    }
    OnRoomJoin(msg: Message) {
      log.push(`go:OnRoomJoin:${msg.room}:${msg.event}`);
    }
    OnRoomJoined(msg: Message) {
      log.push(`go:OnRoomJoined:${msg.room}:${msg.event}`);
    }
    OnRoomLeave(msg: Message) {
      log.push(`go:OnRoomLeave:${msg.room}:${msg.event}`);
    }
    OnRoomLeft(msg: Message) {
      log.push(`go:OnRoomLeft:${msg.room}:${msg.event}`);
    }
  }

  it.each([
    ['lower', ['onNamespaceConnect', 'onNamespaceConnected', 'onRoomJoin', 'onRoomJoined', 'onRoomLeave', 'onRoomLeft', 'onNamespaceDisconnect']],
    ['go', ['OnNamespaceConnect', 'OnNamespaceConnected', 'OnRoomJoin', 'OnRoomJoined', 'OnRoomLeave', 'OnRoomLeft', 'OnNamespaceDisconnect']],
  ] as const)('namespace %s: the hooks fire at connect, join, leave and disconnect, in order', async (namespace, hooks) => {
    log.entries.length = 0;
    const h = await createNestApp({ providers: [LowerHooks, GoHooks] });
    const conn = await h.client();
    const ns = await conn.connect(namespace);
    await log.waitForCount(2, 'connect hooks');
    expect(log.entries).toEqual([`${namespace}:${hooks[0]}:_OnNamespaceConnect`, `${namespace}:${hooks[1]}:_OnNamespaceConnected`]);

    const room = await ns.joinRoom('r1');
    await log.waitForCount(4, 'join hooks');
    expect(log.entries.slice(2)).toEqual([`${namespace}:${hooks[2]}:r1:_OnRoomJoin`, `${namespace}:${hooks[3]}:r1:_OnRoomJoined`]);

    await room.leave();
    await log.waitForCount(6, 'leave hooks');
    expect(log.entries.slice(4)).toEqual([`${namespace}:${hooks[4]}:r1:_OnRoomLeave`, `${namespace}:${hooks[5]}:r1:_OnRoomLeft`]);

    await ns.disconnect();
    await log.waitForCount(7, 'disconnect hook');
    expect(log.entries.slice(6)).toEqual([`${namespace}:${hooks[6]}:_OnNamespaceDisconnect`]);
  });

  it('hooks are not callable as events by the client', async () => {
    const h = await createNestApp({ providers: [LowerHooks, GoHooks] });
    const ns = await (await h.client()).connect('lower');
    await expect(ns.ask('onNamespaceConnected', '')).rejects.toThrow(unknown('onNamespaceConnected', 'lower'));
    await expect(ns.ask('onRoomJoin', '')).rejects.toThrow(unknown('onRoomJoin', 'lower'));
    expect((await ns.ask('ping', '')).text()).toBe('pong');
  });

  describe('throwing from a hook rejects the action with its text', () => {
    @NeffosController('veto')
    class Veto {
      onNamespaceConnect(_msg: Message, conn: NSConn) {
        if (conn.conn.request.headers['x-deny'] === 'connect') throw new WsException('connect refused by hook');
      }
      onRoomJoin(msg: Message) {
        if (msg.room === 'forbidden') throw new WsException(`no entry to ${msg.room}`);
      }
      onRoomLeave(msg: Message) {
        if (msg.room === 'sticky') throw new WsException('you cannot leave');
      }
    }

    it('onNamespaceConnect', async () => {
      const h = await createNestApp({ providers: [Veto] });
      const conn = await h.client({ headers: { 'X-Deny': 'connect' } });
      await expect(conn.connect('veto')).rejects.toThrow('connect refused by hook');
    });

    it('onRoomJoin and onRoomLeave', async () => {
      const h = await createNestApp({ providers: [Veto] });
      const ns = await (await h.client()).connect('veto');
      await expect(ns.joinRoom('forbidden')).rejects.toThrow('no entry to forbidden');
      const sticky = await ns.joinRoom('sticky');
      const left = await sticky.leave().then(
        (err) => err,
        (err: unknown) => err,
      );
      expect(String(left)).toContain('you cannot leave');
    });
  });
});

describe('onNativeMessage', () => {
  @NeffosController('')
  class NativeController {
    onNativeMessage(msg: Message) {
      return `native ${msg.isNative ? 'yes' : 'no'}: ${msg.text()}`;
    }
    echo(msg: Message) {
      return msg.body;
    }
  }

  // neffos.js on purpose: it sends the unframed text on its socket and must read the framed answer.
  it('an unframed message reaches onNativeMessage of the "" controller; its return value comes back framed', async () => {
    const h = await createNestApp({ providers: [NativeController] });
    const native = new EventLog<string>();
    const conn = await h.dial({ '': { _OnNativeMessage: (_ns, msg) => native.push(bodyText(msg)) } });
    const ns = await conn.connect('');
    expect(bodyText(await ns.ask('echo', 'framed'))).toBe('framed');
    conn.conn.send('plain websocket text');
    expect(await native.waitFor(() => true, 'the framed native reply')).toBe('native yes: plain websocket text');
  });
});

describe('eventNameMapper', () => {
  const connected = new EventLog<string>();

  @NeffosController('default')
  class Prefixed {
    OnChat(msg: Message) {
      return `chat ${msg.text()}`;
    }
    OnTyping() {
      return 'typing';
    }
    helper() {
      return 'not an event under trimPrefix("On")';
    }
    OnNamespaceConnected() {
      connected.push('go-spelling hook still bound');
    }
  }

  @NeffosController({ namespace: 'own', eventNameMapper: trimPrefix('Handle') })
  class OwnMapper {
    HandleStatus() {
      return 'status';
    }
    OnChat() {
      return 'not an event: this controller trims "Handle"';
    }
  }

  @NeffosController({ namespace: 'custom', eventNameMapper: (name) => (name === 'hidden' ? false : name === 'upper' ? 'UPPER' : undefined) })
  class CustomMapper {
    upper() {
      return 'renamed by mapper';
    }
    hidden() {
      return 'skipped';
    }
    kept() {
      return 'kept';
    }
  }

  it('the module option trimPrefix("On") strips the prefix and skips other methods, system hooks untouched', async () => {
    const h = await createNestApp({ providers: [Prefixed], neffos: { eventNameMapper: trimPrefix('On') } });
    const ns = await (await h.client()).connect('default');
    await connected.waitForCount(1, 'the OnNamespaceConnected hook');
    expect((await ns.ask('Chat', 'hi')).text()).toBe('chat hi');
    expect((await ns.ask('Typing', '')).text()).toBe('typing');
    await expect(ns.ask('OnChat', '')).rejects.toThrow(unknown('OnChat', 'default'));
    await expect(ns.ask('helper', '')).rejects.toThrow(unknown('helper', 'default'));
    await expect(ns.ask('NamespaceConnected', '')).rejects.toThrow(unknown('NamespaceConnected', 'default'));
  });

  it('a controller option overrides the module option', async () => {
    const h = await createNestApp({ providers: [Prefixed, OwnMapper], neffos: { eventNameMapper: trimPrefix('On') } });
    const conn = await h.client();
    const own = await conn.connect('own');
    expect((await own.ask('Status', '')).text()).toBe('status');
    await expect(own.ask('Chat', '')).rejects.toThrow(unknown('Chat', 'own'));
    await expect(own.ask('OnChat', '')).rejects.toThrow(unknown('OnChat', 'own'));
    const def = await conn.connect('default');
    expect((await def.ask('Chat', 'x')).text()).toBe('chat x');
  });

  it('a mapper may rename (string), skip (false) or keep (undefined)', async () => {
    const h = await createNestApp({ providers: [CustomMapper] });
    const ns = await (await h.client()).connect('custom');
    expect((await ns.ask('UPPER', '')).text()).toBe('renamed by mapper');
    expect((await ns.ask('kept', '')).text()).toBe('kept');
    await expect(ns.ask('hidden', '')).rejects.toThrow(unknown('hidden', 'custom'));
    await expect(ns.ask('upper', '')).rejects.toThrow(unknown('upper', 'custom'));
  });
});

describe('several controllers', () => {
  const hooks = new EventLog<string>();

  @NeffosController('shared')
  class First {
    one() {
      return 'from First';
    }
    onNamespaceConnected() {
      hooks.push('First');
    }
  }

  @NeffosController('shared')
  class Second {
    two() {
      return 'from Second';
    }
    onNamespaceConnected() {
      hooks.push('Second');
    }
  }

  @NeffosController('shared')
  class Clash {
    one() {
      return 'clash';
    }
  }

  @NeffosController('other')
  class SameNameOtherNamespace {
    one() {
      return 'from other';
    }
  }

  it('controllers of one namespace merge their events, and each one\'s hooks run', async () => {
    hooks.entries.length = 0;
    const h = await createNestApp({ providers: [First, Second, SameNameOtherNamespace] });
    const conn = await h.client();
    const ns = await conn.connect('shared');
    expect((await ns.ask('one', '')).text()).toBe('from First');
    expect((await ns.ask('two', '')).text()).toBe('from Second');
    await hooks.waitForCount(2, 'both onNamespaceConnected hooks');
    expect([...hooks.entries].sort()).toEqual(['First', 'Second']);
    // The same event name in another namespace is no duplicate.
    const other = await conn.connect('other');
    expect((await other.ask('one', '')).text()).toBe('from other');
  });

  it('a duplicate event name in one namespace fails app start with DuplicateEventError naming both classes', async () => {
    const start = createNestApp({ providers: [First, Clash] });
    await expect(start).rejects.toBeInstanceOf(DuplicateEventError);
    const { message } = (await start.catch((err: unknown) => err)) as Error;
    expect([DUPLICATE_EVENT('shared', 'one', 'First', 'Clash'), DUPLICATE_EVENT('shared', 'one', 'Clash', 'First')]).toContain(message);
  });

  it('no @NeffosController provider fails app start with NoControllersError', async () => {
    const start = createNestApp({ providers: [] });
    await expect(start).rejects.toBeInstanceOf(NoControllersError);
    await expect(start).rejects.toThrow(NO_CONTROLLERS);
  });
});
