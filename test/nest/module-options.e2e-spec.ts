// NeffosModule registration: forRoot, forRootAsync({ imports, useFactory, inject }), global export of
// NeffosServer, attaching at listen, and app.close() closing every client with 1001.
import 'reflect-metadata';
import { Inject, Injectable, Module } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { Message, NeffosController, NeffosModule, NeffosServer, type NSConn } from '../../lib/index.js';
import { createNestApp, listen, useNestApps } from '../utils/nest-app.js';
import { RawClient } from '../utils/raw-client.js';
import { EventLog } from '../utils/wait.js';

useNestApps();

@NeffosController('default')
class EchoController {
  echo(msg: Message) {
    return msg.body;
  }
}

// A ConfigService-like provider in its own module, as @nestjs/config would give.
const CONFIG_VALUES = new Map<string, string>([
  ['NEFFOS_PATH', '/from-config'],
  ['ID_PREFIX', 'cfg-'],
]);

@Injectable()
class ConfigService {
  get(key: string): string {
    const value = CONFIG_VALUES.get(key);
    if (value === undefined) throw new Error(`no config ${key}`);
    return value;
  }
}

@Module({ providers: [ConfigService], exports: [ConfigService] })
class ConfigModule {}

describe('NeffosModule.forRoot', () => {
  it('serves the neffos protocol on the path once the app listens', async () => {
    const h = await createNestApp({ providers: [EchoController] });
    const conn = await h.client();
    expect(conn.id).toMatch(/[0-9a-f-]{36}/);
    const ns = await conn.connect('default');
    expect((await ns.ask('echo', 'hi')).text()).toBe('hi');
  });

  it('attaches on bootstrap: after init and listen, not before', async () => {
    const h = await createNestApp({ providers: [EchoController], listen: false });
    const server = h.app.get(NeffosServer);
    expect(() => server.connectionCount).toThrow(/app\.init\(\) or app\.listen\(\)/);
    await listen(h);
    expect(server.connectionCount).toBe(0);
    const conn = await h.client();
    await conn.connect('default');
    expect(server.connectionCount).toBe(1);
  });

  it('is global by default: NeffosServer is injectable in a module that does not import NeffosModule', async () => {
    @Injectable()
    class Notifier {
      constructor(readonly server: NeffosServer) {}
    }
    @Module({ providers: [Notifier], exports: [Notifier] })
    class FeatureModule {}

    const h = await createNestApp({ providers: [EchoController], imports: [FeatureModule] });
    expect(h.app.get(Notifier).server).toBe(h.app.get(NeffosServer));
  });
});

describe('NeffosModule.forRootAsync', () => {
  it('builds its options with useFactory from an injected ConfigService of an imported module', async () => {
    let calls = 0;
    const h = await createNestApp({
      providers: [EchoController],
      neffosModule: NeffosModule.forRootAsync({
        imports: [ConfigModule],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => {
          calls++;
          let n = 0;
          return { path: config.get('NEFFOS_PATH'), idGenerator: () => `${config.get('ID_PREFIX')}${++n}` };
        },
      }),
    });
    expect(calls).toBe(1);
    const conn = await h.client({}, '/from-config');
    expect(conn.id).toBe('cfg-1');
    const ns = await conn.connect('default');
    expect((await ns.ask('echo', 'async')).text()).toBe('async');
    // The default path is not served.
    await expect(h.client({}, '/echo')).rejects.toThrow('with HTTP 404');
  });

  it('accepts an async factory', async () => {
    const h = await createNestApp({
      providers: [EchoController],
      neffosModule: NeffosModule.forRootAsync({
        useFactory: async () => {
          await Promise.resolve();
          return { path: '/async' };
        },
      }),
    });
    const conn = await h.client({}, '/async');
    const ns = await conn.connect('default');
    expect((await ns.ask('echo', 'x')).text()).toBe('x');
  });
});

describe('shutdown', () => {
  const disconnects = new EventLog<string>();

  @NeffosController('default')
  class TrackingController {
    echo(msg: Message) {
      return msg.body;
    }
    onNamespaceDisconnect(_msg: Message, conn: NSConn) {
      disconnects.push(conn.id);
    }
  }

  it('app.close() closes every client connection with 1001 and resolves', async () => {
    const h = await createNestApp({ providers: [TrackingController] });
    const a = await h.client();
    const b = await h.client();
    await a.connect('default');
    await b.connect('default');
    // A raw socket that never sent the ack "M" is closed too.
    const raw = await h.raw();
    const closedA = a.whenClosed();
    const closedB = b.whenClosed();
    const closedRaw = raw.whenClosed();

    await h.closeApp();

    expect((await closedA).code).toBe(1001);
    expect((await closedB).code).toBe(1001);
    expect((await closedRaw).code).toBe(1001);
    // The teardown hooks ran before app.close() resolved.
    expect([...disconnects.entries].sort()).toEqual([a.id, b.id].sort());
  });

  it('app.close() resolves with no client at all, and the port is released', async () => {
    const h = await createNestApp({ providers: [TrackingController] });
    expect(h.app.get(NeffosServer).connectionCount).toBe(0);
    await h.close();
    await expect(RawClient.open(h.url)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('NeffosServer is not usable after app.close()', async () => {
    const h = await createNestApp({ providers: [TrackingController] });
    const server = h.app.get(NeffosServer);
    await h.close();
    expect(() => server.broadcast({ namespace: 'default', event: 'x', body: 'y' })).toThrow(/app\.init\(\)/);
  });
});

describe('isGlobal: false', () => {
  it('keeps NeffosServer local to the importing module', async () => {
    @Injectable()
    class Needy {
      constructor(@Inject(NeffosServer) readonly server: NeffosServer) {}
    }
    @Module({ providers: [Needy] })
    class Isolated {}
    await expect(
      createNestApp({ providers: [EchoController], imports: [Isolated], neffosModule: NeffosModule.forRoot({ path: '/echo', isGlobal: false }) }),
    ).rejects.toThrow(/NeffosServer/);
  });
});
