// The `events` option: 'public-methods' (Iris's rule, the default) or 'decorated' (only @NeffosEvent()
// methods are events, the gateway habit), module-wide and per controller; @NeffosEvent() with no name.
import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { type Message, NeffosController, NeffosEvent, NeffosIgnore, trimPrefix } from '../../lib/index.js';
import { UNKNOWN_EVENT } from '../../lib/engine/engine.messages.js';
import { BAD_EVENTS_MODE } from '../../lib/nest/neffos.messages.js';
import { bodyText } from '../utils/neffos-client.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';
import { EventLog } from '../utils/wait.js';

useNestApps();

const connected = new EventLog<string>();

/** Undecorated helpers beside decorated events: which are served depends on the mode. */
@NeffosController('chat')
class ChatController {
  @NeffosEvent()
  join(msg: Message) {
    return `joined ${msg.text()}`;
  }
  @NeffosEvent('chat:line')
  line(msg: Message) {
    return `line ${msg.text()}`;
  }
  deleteAllUsers() {
    return 'all users deleted';
  }
  @NeffosIgnore()
  @NeffosEvent()
  ignored() {
    return 'ignored wins';
  }
  onNamespaceConnected(_msg: Message) {
    connected.push('chat');
  }
}

@NeffosController('admin', { events: 'decorated' })
class AdminController {
  @NeffosEvent()
  kick() {
    return 'kicked';
  }
  audit() {
    return 'audit is a helper';
  }
}

@NeffosController({ namespace: 'open', events: 'public-methods' })
class OpenController {
  status() {
    return 'open status';
  }
}

describe("events: 'decorated' (module-wide)", () => {
  it('serves only @NeffosEvent() methods, by name or method name; lifecycle hooks still bind by name', async () => {
    connected.entries.length = 0;
    const h = await createNestApp({ providers: [ChatController], neffos: { events: 'decorated' } });
    const ns = await (await h.dial({ chat: {} })).connect('chat');
    await connected.waitForCount(1, 'onNamespaceConnected');
    expect(bodyText(await ns.ask('join', 'general'))).toBe('joined general');
    expect(bodyText(await ns.ask('chat:line', 'hi'))).toBe('line hi');
    await expect(ns.ask('deleteAllUsers', '')).rejects.toThrow(UNKNOWN_EVENT('deleteAllUsers', 'chat'));
    await expect(ns.ask('line', '')).rejects.toThrow(UNKNOWN_EVENT('line', 'chat'));
    await expect(ns.ask('ignored', '')).rejects.toThrow(UNKNOWN_EVENT('ignored', 'chat'));
    await expect(ns.ask('onNamespaceConnected', '')).rejects.toThrow(UNKNOWN_EVENT('onNamespaceConnected', 'chat'));
  });

  it("a controller's own events: 'public-methods' overrides the module's", async () => {
    const h = await createNestApp({ providers: [ChatController, OpenController], neffos: { events: 'decorated' } });
    const conn = await h.dial({ chat: {}, open: {} });
    const open = await conn.connect('open');
    expect(bodyText(await open.ask('status', ''))).toBe('open status');
    const chat = await conn.connect('chat');
    await expect(chat.ask('deleteAllUsers', '')).rejects.toThrow(UNKNOWN_EVENT('deleteAllUsers', 'chat'));
  });
});

describe("events: 'public-methods' (the default)", () => {
  it('serves every public method, decorated or not (Iris rule, unchanged)', async () => {
    const h = await createNestApp({ providers: [ChatController] });
    const ns = await (await h.dial({ chat: {} })).connect('chat');
    expect(bodyText(await ns.ask('deleteAllUsers', ''))).toBe('all users deleted');
    expect(bodyText(await ns.ask('join', 'x'))).toBe('joined x');
    expect(bodyText(await ns.ask('chat:line', 'y'))).toBe('line y');
    await expect(ns.ask('ignored', '')).rejects.toThrow(UNKNOWN_EVENT('ignored', 'chat'));
  });

  it("@NeffosController('admin', { events: 'decorated' }) limits one controller", async () => {
    const h = await createNestApp({ providers: [ChatController, AdminController] });
    const conn = await h.dial({ chat: {}, admin: {} });
    const admin = await conn.connect('admin');
    expect(bodyText(await admin.ask('kick', ''))).toBe('kicked');
    await expect(admin.ask('audit', '')).rejects.toThrow(UNKNOWN_EVENT('audit', 'admin'));
    const chat = await conn.connect('chat');
    expect(bodyText(await chat.ask('deleteAllUsers', ''))).toBe('all users deleted');
  });
});

describe('#private methods', () => {
  @NeffosController('private')
  class WithPrivate {
    // TypeScript `private` is only a compile-time check: under the default rule this is an event.
    private tsPrivate() {
      return 'reachable';
    }
    #secret() {
      return 'never reachable';
    }
    reveal() {
      return `${this.#secret()} from inside`;
    }
  }

  it('a TypeScript private method is an event under the default rule; a #private one never is', async () => {
    const h = await createNestApp({ providers: [WithPrivate] });
    const ns = await (await h.dial({ private: {} })).connect('private');
    expect(bodyText(await ns.ask('tsPrivate', ''))).toBe('reachable');
    await expect(ns.ask('#secret', '')).rejects.toThrow(UNKNOWN_EVENT('#secret', 'private'));
    await expect(ns.ask('secret', '')).rejects.toThrow(UNKNOWN_EVENT('secret', 'private'));
    expect(bodyText(await ns.ask('reveal', ''))).toBe('never reachable from inside');
  });
});

describe('@NeffosEvent() with no name', () => {
  @NeffosController('mapped')
  class Mapped {
    @NeffosEvent()
    OnChat() {
      return 'chat, mapped';
    }
    @NeffosEvent()
    plain() {
      return 'plain, kept although the mapper skips it';
    }
    OnTyping() {
      return 'typing';
    }
    helper() {
      return 'not an event';
    }
  }

  it('takes the method name through eventNameMapper, and keeps it where the mapper would skip the method', async () => {
    const h = await createNestApp({ providers: [Mapped], neffos: { eventNameMapper: trimPrefix('On') } });
    const ns = await (await h.dial({ mapped: {} })).connect('mapped');
    expect(bodyText(await ns.ask('Chat', ''))).toBe('chat, mapped');
    expect(bodyText(await ns.ask('plain', ''))).toBe('plain, kept although the mapper skips it');
    expect(bodyText(await ns.ask('Typing', ''))).toBe('typing');
    await expect(ns.ask('helper', '')).rejects.toThrow(UNKNOWN_EVENT('helper', 'mapped'));
  });
});

describe('a wrong events value', () => {
  it('fails at the decorator, naming both modes', () => {
    expect(() => NeffosController('x', { events: 'public' as never })).toThrow(new TypeError(BAD_EVENTS_MODE('public')));
  });
});
