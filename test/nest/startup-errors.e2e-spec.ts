// Start-up mistakes a Nest developer makes in the first hour, each failing with an error that says what
// to change instead of a Nest internal one: a @NeffosController under controllers: [], NeffosModule
// without forRoot, an unknown option key, a size or duration that is a string; and forRootAsync({ useClass }).
// The README promises which of them fail while Nest creates the module (compile(), NestFactory.create)
// and which in app.init(): `phaseOf` tells them apart.
import 'reflect-metadata';
import { Controller, Get, Injectable, Module, Scope } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import {
  InvalidOptionError,
  type Message,
  NeffosController,
  NeffosControllerInControllersError,
  NeffosModule,
  type NeffosModuleOptions,
  NeffosModuleWithoutForRootError,
  NeffosOptionsDependencyError,
  NeffosOptionsFactoryError,
  type NeffosOptionsFactory,
  NeffosServer,
  UnknownOptionError,
  UnsupportedControllerProviderError,
} from '../../lib/index.js';
import { withDefaults } from '../../lib/engine/engine-options.js';
import { OPTION_BAD_PATH, OPTION_BAD_SUBPROTOCOLS, OPTION_NOT_BOOLEAN, OPTION_NOT_FUNCTION, OPTION_NOT_POSITIVE, OPTION_PATH_WITH_QUERY } from '../../lib/engine/engine.messages.js';
import { BAD_EVENTS_MODE, MODULE_WITHOUT_FOR_ROOT, NEFFOS_CONTROLLER_IN_CONTROLLERS, OPTIONS_DEPENDENCY_MISSING, OPTIONS_FACTORY_METHOD, OPTIONS_NOT_RETURNED, UNKNOWN_OPTION, UNSUPPORTED_CONTROLLER_PROVIDER } from '../../lib/nest/neffos.messages.js';
import { bodyText } from '../utils/neffos-client.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';

useNestApps();

@NeffosController('default')
class EchoController {
  echo(msg: Message) {
    return msg.body;
  }
}

/** Which step of the start-up threw: creating the module (`compile()`, as `NestFactory.create`) or `app.init()`. */
type Phase = 'compile' | 'init';
const phases = new WeakMap<object, Phase>();

/** What Test.createTestingModule(...).compile() and app.init() reject with, or undefined; `phaseOf(err)` tells which. */
async function startError(metadata: Parameters<typeof Test.createTestingModule>[0]): Promise<unknown> {
  let phase: Phase = 'compile';
  try {
    const moduleRef = await Test.createTestingModule(metadata).compile();
    phase = 'init';
    const app = moduleRef.createNestApplication({ logger: false });
    try {
      await app.init();
    } finally {
      await app.close();
    }
    return undefined;
  } catch (err) {
    if (typeof err === 'object' && err !== null) phases.set(err, phase);
    return err;
  }
}

function phaseOf(err: unknown): Phase | undefined {
  return typeof err === 'object' && err !== null ? phases.get(err) : undefined;
}

describe('a @NeffosController under controllers: []', () => {
  it('fails with NeffosControllerInControllersError, saying to list it under providers', async () => {
    const err = await startError({ imports: [NeffosModule.forRoot({ path: '/echo' })], controllers: [EchoController] });
    expect(err).toBeInstanceOf(NeffosControllerInControllersError);
    expect(phaseOf(err)).toBe('compile');
    expect((err as Error).message).toBe(NEFFOS_CONTROLLER_IN_CONTROLLERS('EchoController', 'RootTestModule'));
    expect((err as Error).message).toContain('list it under providers');
  });

  it('names the feature module that lists it', async () => {
    @Module({ controllers: [EchoController] })
    class ChatModule {}
    const err = await startError({ imports: [NeffosModule.forRoot({ path: '/echo' }), ChatModule] });
    expect((err as Error).message).toBe(NEFFOS_CONTROLLER_IN_CONTROLLERS('EchoController', 'ChatModule'));
  });

  it('a class that is also a Nest @Controller() stays an HTTP controller there', async () => {
    @Controller('status')
    @NeffosController('status')
    class Both {
      @Get()
      get() {
        return 'up';
      }
    }
    const h = await createNestApp({ providers: [EchoController], controllers: [Both] });
    expect((await h.http('GET', '/status')).text).toBe('up');
  });
});

describe('NeffosModule imported without forRoot', () => {
  it('fails with NeffosModuleWithoutForRootError naming the importing module', async () => {
    const err = await startError({ imports: [NeffosModule], providers: [EchoController] });
    expect(err).toBeInstanceOf(NeffosModuleWithoutForRootError);
    expect(phaseOf(err)).toBe('compile');
    expect((err as Error).message).toBe(MODULE_WITHOUT_FOR_ROOT(['RootTestModule']));
    expect((err as Error).message).toContain('without forRoot()');
  });

  it('also in a feature module of an app whose root has forRoot (it is global: no import needed)', async () => {
    @Injectable()
    class Notifier {
      constructor(readonly server: NeffosServer) {}
    }
    @Module({ imports: [NeffosModule], providers: [Notifier] })
    class FeatureModule {}
    const err = await startError({ imports: [NeffosModule.forRoot({ path: '/echo' }), FeatureModule], providers: [EchoController] });
    expect(err).toBeInstanceOf(NeffosModuleWithoutForRootError);
    expect((err as Error).message).toBe(MODULE_WITHOUT_FOR_ROOT(['FeatureModule']));
  });
});

describe('option keys and values', () => {
  it('an unknown key fails with UnknownOptionError naming the nearest valid key', async () => {
    const options = { path: '/echo', maxPayLoad: 65536 } as NeffosModuleOptions;
    const err = await startError({ imports: [NeffosModule.forRoot(options)], providers: [EchoController] });
    expect(err).toBeInstanceOf(UnknownOptionError);
    expect(err).toBeInstanceOf(InvalidOptionError);
    expect(phaseOf(err)).toBe('compile');
    expect((err as Error).message).toContain('did you mean maxPayload?');
    expect((err as Error).message).toBe(UNKNOWN_OPTION('maxPayLoad', 'maxPayload', []));
  });

  it('also from forRootAsync, and a key near nothing lists the options', async () => {
    const err = await startError({
      imports: [NeffosModule.forRootAsync({ useFactory: () => ({ path: '/echo', colour: 'blue' }) as NeffosModuleOptions })],
      providers: [EchoController],
    });
    expect(err).toBeInstanceOf(UnknownOptionError);
    expect(phaseOf(err)).toBe('compile');
    expect((err as Error).message).toMatch(/^NeffosModule has no option "colour"; the options are path, idGenerator, .*, eventNameMapper, events$/);
  });

  it('isGlobal returned by a forRootAsync factory says where it belongs', async () => {
    const err = await startError({
      imports: [NeffosModule.forRootAsync({ useFactory: () => ({ path: '/echo', isGlobal: false }) as NeffosModuleOptions })],
      providers: [EchoController],
    });
    expect((err as Error).message).toContain('isGlobal goes beside useFactory/useClass in forRootAsync');
  });

  // Nest's `global` takes any truthy value: isGlobal: 'false' (from an environment variable) used to make it global.
  it.each(['yes', 'false', 1])('isGlobal: %j (not a boolean) fails while the module is created, in forRoot and forRootAsync', async (isGlobal) => {
    const registrations = [
      NeffosModule.forRoot({ path: '/echo', isGlobal: isGlobal as never }),
      NeffosModule.forRootAsync({ isGlobal: isGlobal as never, useFactory: () => ({ path: '/echo' }) }),
    ];
    for (const neffos of registrations) {
      const err = await startError({ imports: [neffos], providers: [EchoController] });
      expect(err).toBeInstanceOf(InvalidOptionError);
      expect(phaseOf(err)).toBe('compile');
      expect((err as Error).message).toBe(OPTION_NOT_BOOLEAN('isGlobal', isGlobal));
    }
    expect(OPTION_NOT_BOOLEAN('isGlobal', 'yes')).toContain('option isGlobal must be true or false, got the string "yes"');
  });

  it('isGlobal: true or false starts', async () => {
    for (const isGlobal of [true, false]) {
      expect(await startError({ imports: [NeffosModule.forRoot({ path: '/echo', isGlobal })], providers: [EchoController] })).toBeUndefined();
    }
  });

  it('a wrong events mode fails with InvalidOptionError', async () => {
    const options = { path: '/echo', events: 'all' } as unknown as NeffosModuleOptions;
    const err = await startError({ imports: [NeffosModule.forRoot(options)], providers: [EchoController] });
    expect(err).toBeInstanceOf(InvalidOptionError);
    expect(phaseOf(err)).toBe('compile');
    expect((err as Error).message).toBe(BAD_EVENTS_MODE('all'));
  });

  it.each([
    ['maxPayload', '64kb', OPTION_NOT_POSITIVE('maxPayload', '64kb', false)],
    ['pingInterval', -1, OPTION_NOT_POSITIVE('pingInterval', -1, true)],
    ['maxPayload', 1.5, OPTION_NOT_POSITIVE('maxPayload', 1.5, false)],
    ['maxConnections', 2.5, OPTION_NOT_POSITIVE('maxConnections', 2.5, true)],
    ['handshakeTimeout', 3e9, OPTION_NOT_POSITIVE('handshakeTimeout', 3e9, false)],
    ['path', 'echo', OPTION_BAD_PATH('echo')],
    ['origins', 'https://app.example.com/', undefined],
  ] as const)('a bad value (%s: %j) fails while the module is created, with InvalidOptionError', async (name, value, message) => {
    const options = { path: '/echo', [name]: value } as unknown as NeffosModuleOptions;
    for (const neffos of [NeffosModule.forRoot(options), NeffosModule.forRootAsync({ useFactory: async () => options })]) {
      const err = await startError({ imports: [neffos], providers: [EchoController] });
      expect(err).toBeInstanceOf(InvalidOptionError);
      expect(phaseOf(err)).toBe('compile');
      if (message !== undefined) expect((err as Error).message).toBe(message);
    }
  });

  // These used to start: a callback that is not a function failed every handshake with a TypeError
  // (the client read "Internal server error"), a flag given as the string "true" was read as false, a
  // path with a query never matched, and a string of subprotocols was read letter by letter.
  it.each([
    ['idGenerator', 'uuid', OPTION_NOT_FUNCTION('idGenerator', 'uuid')],
    ['authorize', true, OPTION_NOT_FUNCTION('authorize', true)],
    ['onConnect', {}, OPTION_NOT_FUNCTION('onConnect', {})],
    ['onDisconnect', 'log', OPTION_NOT_FUNCTION('onDisconnect', 'log')],
    ['onError', null, OPTION_NOT_FUNCTION('onError', null)],
    ['eventNameMapper', 'On', OPTION_NOT_FUNCTION('eventNameMapper', 'On')],
    ['serveClient', 'true', OPTION_NOT_BOOLEAN('serveClient', 'true')],
    ['exposeErrors', 1, OPTION_NOT_BOOLEAN('exposeErrors', 1)],
    ['subprotocols', 'chat', OPTION_BAD_SUBPROTOCOLS('chat')],
    ['path', '/echo?v=1', OPTION_PATH_WITH_QUERY('/echo?v=1')],
  ] as const)('a value of the wrong kind (%s: %j) fails while the module is created, saying what is expected', async (name, value, message) => {
    const options = { path: '/echo', [name]: value } as unknown as NeffosModuleOptions;
    for (const neffos of [NeffosModule.forRoot(options), NeffosModule.forRootAsync({ useFactory: async () => options })]) {
      const err = await startError({ imports: [neffos], providers: [EchoController] });
      expect(err).toBeInstanceOf(InvalidOptionError);
      expect(phaseOf(err)).toBe('compile');
      expect((err as Error).message).toBe(message);
    }
  });

  it('the messages quote the value and show the expected form', () => {
    expect(OPTION_NOT_FUNCTION('authorize', true)).toBe('option authorize must be a function such as (req) => boolean | string, got boolean true');
    expect(OPTION_NOT_BOOLEAN('serveClient', 'false')).toContain("got the string \"false\" (a string, even \"false\", is not a boolean; from an environment variable write serveClient: process.env.X === 'true')");
    expect(OPTION_BAD_SUBPROTOCOLS('chat')).toBe("option subprotocols must be an array of subprotocol names (e.g. ['chat']), got the string \"chat\"");
    expect(OPTION_PATH_WITH_QUERY('/echo?v=1')).toContain('use "/echo"');
  });

  it('NestFactory.create rejects a bad value, before app.init()', async () => {
    @Module({ imports: [NeffosModule.forRoot({ path: '/echo', maxPayload: '64kb' as never })], providers: [EchoController] })
    class AppModule {}
    const outcome = await NestFactory.create(AppModule, { logger: false, abortOnError: false }).then(
      async (app) => {
        await app.close(); // created: the check came too late (it used to be app.init())
        return 'created';
      },
      (err: unknown) => err,
    );
    expect(outcome).toBeInstanceOf(InvalidOptionError);
    expect((outcome as Error).message).toBe(OPTION_NOT_POSITIVE('maxPayload', '64kb', false));
  });

  it('sizes and durations given as strings of digits (from the environment) are taken as numbers', async () => {
    const resolved = withDefaults({ path: '/x', namespaces: { a: {} }, maxPayload: '65536' as never, askTimeout: ' 1500 ' as never });
    expect(resolved.maxPayload).toBe(65536);
    expect(resolved.askTimeout).toBe(1500);
    const env = { MAX_PAYLOAD: '16' } as Record<string, string>;
    const h = await createNestApp({ providers: [EchoController], neffos: { maxPayload: env.MAX_PAYLOAD as never } });
    const raw = await h.raw();
    await raw.handshake();
    raw.send('x'.repeat(64));
    expect((await raw.whenClosed()).code).toBe(1009);
  });

  it.each([
    ['maxPayload', '64kb', false, 'bytes', '65536'],
    ['pingInterval', '30s', true, 'milliseconds', '30000'],
    ['maxConnections', '-5', true, 'connections', '100'],
  ] as const)('%s: %j is refused with the value quoted and the expected form', (name, value, allowZero, unit, example) => {
    const message = OPTION_NOT_POSITIVE(name, value, allowZero);
    expect(() => withDefaults({ path: '/x', namespaces: { a: {} }, [name]: value })).toThrow(InvalidOptionError);
    expect(() => withDefaults({ path: '/x', namespaces: { a: {} }, [name]: value })).toThrow(message);
    expect(message).toContain(`got the string "${value}"`);
    expect(message).toContain(`number of ${unit}`);
    expect(message).toContain(`'${example}'`);
  });
});

describe('forRootAsync({ useClass })', () => {
  @Injectable()
  class NeffosConfig implements NeffosOptionsFactory {
    createNeffosOptions(): NeffosModuleOptions {
      return { path: '/from-class' };
    }
  }

  it('calls createNeffosOptions() of the class', async () => {
    const h = await createNestApp({ providers: [EchoController], neffosModule: NeffosModule.forRootAsync({ useClass: NeffosConfig }) });
    const ns = await (await h.dial({ default: {} }, {}, '/from-class')).connect('default');
    expect(bodyText(await ns.ask('echo', 'class'))).toBe('class');
  });

  it('a class without createNeffosOptions() fails with NeffosOptionsFactoryError naming the class and the method', async () => {
    @Injectable()
    class MisnamedConfig {
      createOptions(): NeffosModuleOptions {
        return { path: '/echo' };
      }
    }
    const err = await startError({ imports: [NeffosModule.forRootAsync({ useClass: MisnamedConfig as never })], providers: [EchoController] });
    expect(err).toBeInstanceOf(NeffosOptionsFactoryError);
    expect(phaseOf(err)).toBe('compile');
    expect((err as Error).message).toBe(OPTIONS_FACTORY_METHOD('MisnamedConfig'));
  });

  it('useExisting reuses a provider and calls its createNeffosOptions()', async () => {
    @Module({ providers: [NeffosConfig], exports: [NeffosConfig] })
    class ConfigHolder {}
    const h = await createNestApp({
      providers: [EchoController],
      neffosModule: NeffosModule.forRootAsync({ imports: [ConfigHolder], useExisting: NeffosConfig }),
    });
    const ns = await (await h.dial({ default: {} }, {}, '/from-class')).connect('default');
    expect(bodyText(await ns.ask('echo', 'existing'))).toBe('existing');
  });
});

describe('a forRootAsync factory that returns no options object', () => {
  @Injectable()
  class ForgetfulConfig {
    createNeffosOptions(): NeffosModuleOptions {
      return undefined as unknown as NeffosModuleOptions;
    }
  }

  it.each([
    ['a block-bodied arrow without return', NeffosModule.forRootAsync({ useFactory: (() => void { path: '/echo' }) as never }), 'useFactory', 'undefined'],
    ['an async factory resolving to null', NeffosModule.forRootAsync({ useFactory: async () => null as never }), 'useFactory', 'null'],
    ['a string', NeffosModule.forRootAsync({ useFactory: () => '/echo' as never }), 'useFactory', 'the string "/echo"'],
    ['useClass whose createNeffosOptions() returns nothing', NeffosModule.forRootAsync({ useClass: ForgetfulConfig }), 'ForgetfulConfig.createNeffosOptions()', 'undefined'],
  ])('%s fails with InvalidOptionError saying what it returned, not "imported without forRoot()"', async (_name, neffos, source, returned) => {
    const err = await startError({ imports: [neffos], providers: [EchoController] });
    expect(err).toBeInstanceOf(InvalidOptionError);
    expect(err).not.toBeInstanceOf(NeffosModuleWithoutForRootError);
    expect(phaseOf(err)).toBe('compile');
    expect((err as Error).message).toBe(OPTIONS_NOT_RETURNED(source, returned === 'undefined' ? undefined : returned === 'null' ? null : '/echo'));
    expect((err as Error).message).toContain(`${source} of NeffosModule.forRootAsync returned ${returned} instead of the options`);
  });
});

// A transient controller used to start and run its handlers on an instance Nest never constructed (no
// constructor, no injected dependencies, no field initialisers); one given as useValue or useFactory
// started as "no @NeffosController provider", though the user had listed it.
describe('a @NeffosController provider neffos cannot serve', () => {
  @NeffosController({ namespace: 'default', scope: Scope.TRANSIENT })
  class TransientController {
    readonly greeting = 'hello';
    hi() {
      return this.greeting;
    }
  }

  it.each([
    ['Scope.TRANSIENT', [TransientController], 'TransientController', 'transient'],
    ['useValue', [{ provide: 'chat', useValue: new EchoController() }], 'EchoController', 'instance'],
    ['useFactory', [{ provide: EchoController, useFactory: () => new EchoController() }], 'EchoController', 'instance'],
  ] as const)('%s fails app.init() with UnsupportedControllerProviderError saying what to write', async (_name, providers, controller, kind) => {
    const err = await startError({ imports: [NeffosModule.forRoot({ path: '/echo' })], providers: [...providers] });
    expect(err).toBeInstanceOf(UnsupportedControllerProviderError);
    expect(phaseOf(err)).toBe('init');
    expect((err as Error).message).toBe(UNSUPPORTED_CONTROLLER_PROVIDER(controller, kind));
  });

  it('an instance registered beside its class is no error: the class is served', async () => {
    const h = await createNestApp({ providers: [EchoController, { provide: 'legacy', useValue: new EchoController() }] });
    const ns = await (await h.client()).connect('default');
    expect((await ns.ask('echo', 'served')).text()).toBe('served');
  });
});

describe('forRootAsync({ useFactory, inject })', () => {
  it("a useFactory whose inject token is not available to NeffosModule fails with NeffosOptionsDependencyError saying what to import", async () => {
    @Injectable()
    class ConfigService {
      get(): string {
        return '/from-config';
      }
    }
    @Module({ providers: [ConfigService], exports: [ConfigService] })
    class ConfigModule {}
    const useFactory = (config: ConfigService): NeffosModuleOptions => ({ path: config.get() });

    // Imported by the root module but not by forRootAsync: Nest resolves inject inside NeffosModule.
    const err = await startError({ imports: [ConfigModule, NeffosModule.forRootAsync({ inject: [ConfigService], useFactory })], providers: [EchoController] });
    expect(err).toBeInstanceOf(NeffosOptionsDependencyError);
    expect(phaseOf(err)).toBe('compile');
    expect((err as Error).message).toBe(OPTIONS_DEPENDENCY_MISSING('ConfigService', 0));
    expect((err as Error).message).toContain('imports: [ConfigModule]');

    const h = await createNestApp({ providers: [EchoController], neffosModule: NeffosModule.forRootAsync({ imports: [ConfigModule], inject: [ConfigService], useFactory }) });
    const ns = await (await h.dial({ default: {} }, {}, '/from-config')).connect('default');
    expect(bodyText(await ns.ask('echo', 'imported'))).toBe('imported');
  });

  it('an inject entry marked optional stays undefined for the factory, as Nest gives it', async () => {
    const seen: unknown[] = [];
    const h = await createNestApp({
      providers: [EchoController],
      neffosModule: NeffosModule.forRootAsync({
        inject: [{ token: 'NOT_PROVIDED', optional: true }],
        useFactory: (missing: unknown) => {
          seen.push(missing);
          return { path: '/optional' };
        },
      }),
    });
    expect(seen).toEqual([undefined]);
    const ns = await (await h.dial({ default: {} }, {}, '/optional')).connect('default');
    expect(bodyText(await ns.ask('echo', 'optional'))).toBe('optional');
  });
});
