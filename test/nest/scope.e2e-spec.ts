// Controller scope: static controllers are one instance; Scope.REQUEST (or a request-scoped dependency)
// gives one instance per namespace connection, built through ContextIdFactory, with REQUEST = the NSConn;
// released on disconnect; durable providers follow a ContextIdFactory.apply strategy.
import 'reflect-metadata';
import { Inject, Injectable, Scope } from '@nestjs/common';
import { ContextIdFactory, REQUEST, type ContextId, type ContextIdStrategy, type HostComponentInfo } from '@nestjs/core';
import { WsException } from '@nestjs/websockets';
import { INTERNAL_ERROR } from '../../lib/engine/engine.messages.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Message, NeffosController, NSConn } from '../../lib/index.js';
import { createNestApp, useNestApps, type NestApp } from '../utils/nest-app.js';
import { EventLog } from '../utils/wait.js';

useNestApps();

const log = new EventLog<string>();
beforeEach(() => {
  log.entries.length = 0;
});

// ---- static ---------------------------------------------------------------------------------------

let staticConstructed = 0;
@NeffosController('static')
class StaticController {
  readonly n = ++staticConstructed;
  private hits = 0;
  who() {
    return `${this.n}:${++this.hits}`;
  }
}

// ---- explicit Scope.REQUEST -----------------------------------------------------------------------

let requestConstructed = 0;
const requestRefs: Array<WeakRef<object>> = [];

@Injectable()
class Singleton {
  static constructed = 0;
  readonly n = ++Singleton.constructed;
}

@NeffosController({ namespace: 'req', scope: Scope.REQUEST })
class RequestController {
  readonly n = ++requestConstructed;
  private hits = 0;
  constructor(
    @Inject(REQUEST) private readonly nsConn: NSConn,
    private readonly singleton: Singleton,
  ) {
    requestRefs.push(new WeakRef(this));
  }
  onNamespaceConnect(_msg: Message, conn: NSConn) {
    if (conn.conn.request.headers['x-deny'] !== undefined) throw new WsException('denied by the scoped hook');
    log.push(`connect:${this.n}`);
  }
  who() {
    return `${this.n}:${++this.hits}`;
  }
  request() {
    return JSON.stringify({ isNSConn: this.nsConn instanceof NSConn, id: this.nsConn.id, namespace: this.nsConn.namespace });
  }
  sameConn(_msg: Message, conn: NSConn) {
    return String(conn === this.nsConn);
  }
  singletonN() {
    return String(this.singleton.n);
  }
  onNamespaceDisconnect(msg: Message) {
    log.push(`disconnect:${this.n}:${msg.isForced ? 'forced' : 'asked'}`);
  }
}

// ---- implicit: a request-scoped dependency --------------------------------------------------------

@Injectable({ scope: Scope.REQUEST })
class PerConnection {
  static constructed = 0;
  readonly n = ++PerConnection.constructed;
  constructor(@Inject(REQUEST) readonly nsConn: NSConn) {}
}

let implicitConstructed = 0;
@NeffosController('implicit')
class ImplicitController {
  readonly n = ++implicitConstructed;
  constructor(private readonly perConn: PerConnection) {}
  who() {
    return `${this.n}:${this.perConn.n}:${this.perConn.nsConn.id}`;
  }
  onNamespaceDisconnect() {
    log.push(`implicit-disconnect:${this.n}`);
  }
}

@NeffosController('direct-request')
class InjectsRequestDirectly {
  static constructed = 0;
  readonly n = ++InjectsRequestDirectly.constructed;
  constructor(@Inject(REQUEST) private readonly nsConn: NSConn) {}
  who() {
    return `${this.n}:${this.nsConn.id}`;
  }
}

// Two per-connection controllers of one namespace share the connection's request-scoped providers.
@NeffosController('pair')
class PairA {
  constructor(private readonly perConn: PerConnection) {}
  a() {
    return String(this.perConn.n);
  }
}
@NeffosController('pair')
class PairB {
  constructor(private readonly perConn: PerConnection) {}
  b() {
    return String(this.perConn.n);
  }
}

const ALL = [Singleton, StaticController, RequestController, PerConnection, ImplicitController, InjectsRequestDirectly, PairA, PairB];

async function ask(h: NestApp, namespace: string, event: string, headers?: Record<string, string>) {
  const conn = await h.client(headers === undefined ? {} : { headers });
  const ns = await conn.connect(namespace);
  return { conn, ns, reply: (await ns.ask(event, '')).text() };
}

describe('static controller', () => {
  it('is one instance shared by all connections', async () => {
    staticConstructed = 0;
    const h = await createNestApp({ providers: ALL });
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push((await ask(h, 'static', 'who')).reply);
    expect(staticConstructed).toBe(1);
    expect(replies).toEqual(['1:1', '1:2', '1:3']);
  });
});

describe('Scope.REQUEST controller', () => {
  it('is one instance per namespace connection, reused for every event of that connection', async () => {
    const h = await createNestApp({ providers: ALL });
    const before = requestConstructed;
    const conn = await h.client();
    const ns = await conn.connect('req');
    const replies = [(await ns.ask('who', '')).text(), (await ns.ask('who', '')).text(), (await ns.ask('who', '')).text()];
    const n = before + 1;
    expect(replies).toEqual([`${n}:1`, `${n}:2`, `${n}:3`]);
    expect(requestConstructed).toBe(n);
    // The onNamespaceConnect hook ran on that same instance.
    expect(log.entries).toEqual([`connect:${n}`]);
  });

  it('is distinct across connections', async () => {
    const h = await createNestApp({ providers: ALL });
    const before = requestConstructed;
    const a = await ask(h, 'req', 'who');
    const b = await ask(h, 'req', 'who');
    const c = await ask(h, 'req', 'who');
    expect([a.reply, b.reply, c.reply]).toEqual([`${before + 1}:1`, `${before + 2}:1`, `${before + 3}:1`]);
    // Each keeps its own instance afterwards.
    expect((await a.ns.ask('who', '')).text()).toBe(`${before + 1}:2`);
    expect((await c.ns.ask('who', '')).text()).toBe(`${before + 3}:2`);
  });

  it('is a new instance when the namespace is disconnected and connected again on the same connection', async () => {
    const h = await createNestApp({ providers: ALL });
    const conn = await h.client();
    const first = await conn.connect('req');
    const n1 = (await first.ask('who', '')).text().split(':')[0];
    await first.disconnect();
    const second = await conn.connect('req');
    const n2 = (await second.ask('who', '')).text().split(':')[0];
    expect(n2).not.toBe(n1);
    expect((await second.ask('who', '')).text()).toBe(`${n2}:2`);
  });

  it('@Inject(REQUEST) is the NSConn of the connection (its id is the client conn.id)', async () => {
    const h = await createNestApp({ providers: ALL });
    const { conn, ns, reply } = await ask(h, 'req', 'request');
    expect(JSON.parse(reply)).toEqual({ isNSConn: true, id: conn.id, namespace: 'req' });
    expect((await ns.ask('sameConn', '')).text()).toBe('true');
  });

  it('its static dependencies are still singletons', async () => {
    const h = await createNestApp({ providers: ALL });
    const a = await ask(h, 'req', 'singletonN');
    const b = await ask(h, 'req', 'singletonN');
    expect(a.reply).toBe(b.reply);
  });

  it('a throw from its onNamespaceConnect rejects the connect', async () => {
    const h = await createNestApp({ providers: ALL });
    const conn = await h.client({ headers: { 'X-Deny': '1' } });
    await expect(conn.connect('req')).rejects.toThrow('denied by the scoped hook');
  });

  it('is released on disconnect: its own onNamespaceDisconnect fires (namespace disconnect and connection close)', async () => {
    const h = await createNestApp({ providers: ALL });
    const a = await ask(h, 'req', 'who');
    const b = await ask(h, 'req', 'who');
    const na = a.reply.split(':')[0];
    const nb = b.reply.split(':')[0];
    await a.ns.disconnect();
    await log.waitFor((e) => e.startsWith('disconnect:'), 'the disconnect hook of a');
    expect(log.entries.filter((e) => e.startsWith('disconnect:'))).toEqual([`disconnect:${na}:asked`]);
    await b.conn.close();
    await log.waitFor((e) => e === `disconnect:${nb}:forced`, 'the disconnect hook of b');
  });

  const gc = (globalThis as { gc?: () => void }).gc;
  // vitest.config.ts starts the workers with --expose-gc; a worker without it fails here rather than
  // skipping the one test that proves per-connection instances are released.
  it('the per-connection instance is garbage-collectable after disconnect', async () => {
    expect(gc, 'gc(): the test workers need --expose-gc').toBeTypeOf('function');
    const h = await createNestApp({ providers: ALL });
    requestRefs.length = 0;
    const a = await ask(h, 'req', 'who');
    expect(requestRefs).toHaveLength(1);
    const ref = requestRefs[0]!;
    await a.ns.disconnect();
    await log.waitFor((e) => e.startsWith('disconnect:'), 'the disconnect hook');
    // A WeakRef target is kept alive until the end of the current job; collect across a few turns.
    for (let i = 0; i < 10 && ref.deref() !== undefined; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc!();
    }
    expect(ref.deref()).toBeUndefined();
  });
});

describe('a per-connection controller whose construction fails', () => {
  @NeffosController({ namespace: 'broken', scope: Scope.REQUEST })
  class Broken {
    constructor() {
      throw new Error('cannot build this controller');
    }
    ping() {
      return 'pong';
    }
  }

  it('refuses the namespace connect (with "Internal server error": a constructor bug is not for the client); the connection and the app stay fine', async () => {
    const h = await createNestApp({ providers: [...ALL, Broken] });
    const conn = await h.client();
    await expect(conn.connect('broken')).rejects.toThrow(INTERNAL_ERROR);
    const ns = await conn.connect('req');
    expect((await ns.ask('request', '')).text()).toContain(conn.id);
  });
});

describe('default scope with a request-scoped dependency', () => {
  it('becomes per-connection automatically, and REQUEST inside the dependency is the NSConn', async () => {
    const h = await createNestApp({ providers: ALL });
    const beforeCtrl = implicitConstructed;
    const a = await ask(h, 'implicit', 'who');
    const b = await ask(h, 'implicit', 'who');
    const [ctrlA, depA, idA] = a.reply.split(':');
    const [ctrlB, depB, idB] = b.reply.split(':');
    expect(Number(ctrlA)).toBe(beforeCtrl + 1);
    expect(Number(ctrlB)).toBe(beforeCtrl + 2);
    expect(depA).not.toBe(depB);
    expect(idA).toBe(a.conn.id);
    expect(idB).toBe(b.conn.id);
    // Reused for every event of that connection.
    expect((await a.ns.ask('who', '')).text()).toBe(a.reply);
    await a.conn.close();
    await log.waitFor((e) => e === `implicit-disconnect:${ctrlA}`, 'the disconnect hook of the implicit instance');
  });

  it('injecting REQUEST directly into a default-scope controller makes it per-connection too', async () => {
    const h = await createNestApp({ providers: ALL });
    const a = await ask(h, 'direct-request', 'who');
    const b = await ask(h, 'direct-request', 'who');
    expect(a.reply.endsWith(`:${a.conn.id}`)).toBe(true);
    expect(b.reply.endsWith(`:${b.conn.id}`)).toBe(true);
    expect(a.reply.split(':')[0]).not.toBe(b.reply.split(':')[0]);
  });

  it('two per-connection controllers of one namespace share the request-scoped providers of that connection', async () => {
    const h = await createNestApp({ providers: ALL });
    const conn = await h.client();
    const ns = await conn.connect('pair');
    const a = (await ns.ask('a', '')).text();
    expect((await ns.ask('b', '')).text()).toBe(a);
    const other = await ask(h, 'pair', 'a');
    expect(other.reply).not.toBe(a);
  });
});

// ---- durable providers ----------------------------------------------------------------------------

describe('durable providers with a ContextIdFactory.apply strategy', () => {
  const tenantTrees = new Map<string, ContextId>();

  class TenantStrategy implements ContextIdStrategy<NSConn> {
    attach(contextId: ContextId, request: NSConn) {
      const tenantId = String(request.conn.request.headers['x-tenant'] ?? 'none');
      let tenantTree = tenantTrees.get(tenantId);
      if (tenantTree === undefined) {
        tenantTree = ContextIdFactory.create();
        tenantTrees.set(tenantId, tenantTree);
      }
      const tree = tenantTree;
      return { resolve: (info: HostComponentInfo) => (info.isTreeDurable ? tree : contextId), payload: { tenantId } };
    }
  }

  @Injectable({ scope: Scope.REQUEST, durable: true })
  class TenantService {
    static constructed = 0;
    readonly n = ++TenantService.constructed;
    constructor(@Inject(REQUEST) readonly payload: { tenantId: string }) {}
  }

  @NeffosController('tenant')
  class TenantController {
    constructor(private readonly tenant: TenantService) {}
    whoami() {
      return `${this.tenant.n}:${this.tenant.payload.tenantId}`;
    }
  }

  @NeffosController({ namespace: 'mixed', scope: Scope.REQUEST })
  class MixedController {
    static constructed = 0;
    readonly n = ++MixedController.constructed;
    constructor(
      private readonly tenant: TenantService,
      @Inject(REQUEST) private readonly nsConn: NSConn,
    ) {}
    whoami() {
      return `${this.n}:${this.tenant.n}:${this.nsConn.id}`;
    }
  }

  beforeEach(() => {
    tenantTrees.clear();
    ContextIdFactory.apply(new TenantStrategy());
  });
  afterEach(() => {
    ContextIdFactory.apply(undefined as unknown as ContextIdStrategy);
  });

  it('two connections of the same tenant share the durable instance; another tenant gets another; REQUEST is the payload', async () => {
    const h = await createNestApp({ providers: [TenantService, TenantController] });
    const a = await ask(h, 'tenant', 'whoami', { 'X-Tenant': 'acme' });
    const b = await ask(h, 'tenant', 'whoami', { 'X-Tenant': 'acme' });
    const c = await ask(h, 'tenant', 'whoami', { 'X-Tenant': 'globex' });
    expect(a.reply).toBe(b.reply);
    expect(a.reply.endsWith(':acme')).toBe(true);
    expect(c.reply.endsWith(':globex')).toBe(true);
    expect(c.reply.split(':')[0]).not.toBe(a.reply.split(':')[0]);
  });

  it('a per-connection controller gets its own instance but the tenant-wide durable dependency', async () => {
    const h = await createNestApp({ providers: [TenantService, MixedController] });
    const a = await ask(h, 'mixed', 'whoami', { 'X-Tenant': 'acme' });
    const b = await ask(h, 'mixed', 'whoami', { 'X-Tenant': 'acme' });
    const c = await ask(h, 'mixed', 'whoami', { 'X-Tenant': 'globex' });
    const [ctrlA, tenantA, idA] = a.reply.split(':');
    const [ctrlB, tenantB, idB] = b.reply.split(':');
    const [, tenantC] = c.reply.split(':');
    expect(ctrlA).not.toBe(ctrlB);
    expect(tenantA).toBe(tenantB);
    expect(tenantC).not.toBe(tenantA);
    expect(idA).toBe(a.conn.id);
    expect(idB).toBe(b.conn.id);
  });
});
