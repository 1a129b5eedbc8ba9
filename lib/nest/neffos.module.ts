import { type DynamicModule, type FactoryProvider, type InjectionToken, Module } from '@nestjs/common';
import { DiscoveryModule, ModulesContainer } from '@nestjs/core';
import type { NeffosModuleOptions, NeffosOptionsFactory } from './interfaces/neffos-module-options.interface.js';
import { InvalidOptionError } from '../engine/index.js';
import { NeffosOptionsDependencyError, NeffosOptionsFactoryError } from './neffos.errors.js';
import { OPTIONS_NOT_RETURNED } from './neffos.messages.js';
import { NeffosExplorer } from './neffos.explorer.js';
import { NeffosConnectionScope } from './neffos-connection-scope.js';
import { NeffosHandlerFactory } from './neffos-handler.factory.js';
import { NeffosMetadataAccessor } from './neffos-metadata.accessor.js';
import { assertForRoot, assertNoNeffosControllerInControllers, assertValidExtras, assertValidOptions, type RegistrationExtras } from './neffos-module.checks.js';
import { NeffosNamespacesFactory } from './neffos-namespaces.factory.js';
import { NeffosServer } from './neffos-server.js';
import { NeffosServerHost } from './neffos-server.host.js';
import {
  NEFFOS_ASYNC_OPTIONS_TYPE,
  NEFFOS_MODULE_OPTIONS,
  NEFFOS_OPTIONS_TYPE,
  NeffosConfigurableModule,
} from './neffos.module-definition.js';

/** Token of the checks' provider; its value is unused, creating it runs them. */
const NEFFOS_MODULE_CHECKS = 'NEFFOS_MODULE_CHECKS';

/** Token of the registration's extras (`isGlobal`), which Nest keeps out of the options, for the checks. */
const NEFFOS_REGISTRATION_EXTRAS = 'NEFFOS_REGISTRATION_EXTRAS';

/**
 * Runs when Nest creates the module's providers, before it maps HTTP routes and before any provider
 * reads the options. In the static metadata, so a bare `imports: [NeffosModule]` runs it too.
 */
const moduleChecks: FactoryProvider = {
  provide: NEFFOS_MODULE_CHECKS,
  useFactory: (options: NeffosModuleOptions | undefined, container: ModulesContainer, accessor: NeffosMetadataAccessor, extras: RegistrationExtras | undefined) => {
    assertForRoot(options, container, NeffosModule);
    assertValidOptions(options);
    assertValidExtras(extras);
    assertNoNeffosControllerInControllers(container, accessor);
    return true;
  },
  inject: [{ token: NEFFOS_MODULE_OPTIONS, optional: true }, ModulesContainer, NeffosMetadataAccessor, { token: NEFFOS_REGISTRATION_EXTRAS, optional: true }],
};

/**
 * The options provider of forRootAsync, checked. With useClass / useExisting Nest calls
 * `createNeffosOptions()` of that class; without the method its builder fails with
 * "optionsFactory[...] is not a function": name the class and the method. Whatever the source, a
 * result that is not an object (a block-bodied arrow factory without its `return`) would otherwise read
 * as "imported without forRoot()", which the user did call: say what the factory returned instead. A
 * useFactory's inject token that NeffosModule cannot resolve is named with what to import.
 */
function withCheckedOptionsFactory(definition: DynamicModule, factoryClass: unknown): DynamicModule {
  const name = typeof factoryClass === 'function' ? factoryClass.name : String(factoryClass);
  const source = factoryClass === undefined ? 'useFactory' : `${name}.createNeffosOptions()`;
  const providers = (definition.providers ?? []).map((provider) => {
    if (typeof provider !== 'object' || !('useFactory' in provider) || provider.provide !== NEFFOS_MODULE_OPTIONS) return provider;
    const create: (...deps: unknown[]) => unknown =
      factoryClass === undefined
        ? provider.useFactory
        : (factory: Partial<NeffosOptionsFactory> | undefined) => {
            if (typeof factory?.createNeffosOptions !== 'function') throw new NeffosOptionsFactoryError(name);
            return factory.createNeffosOptions();
          };
    if (factoryClass !== undefined) return { ...provider, useFactory: async (...deps: unknown[]) => optionsOf(source, await create(...deps)) };
    // A token Nest cannot resolve in NeffosModule (its module is not in `imports`) would fail with an
    // unresolvable CONFIGURABLE_MODULE_OPTIONS[<hash>]: inject it as optional and say what to import.
    const inject = (provider.inject ?? []).map((entry) => ({ entry, required: !isOptionalInject(entry) }));
    return {
      ...provider,
      inject: inject.map(({ entry, required }) => (required ? { token: tokenOf(entry), optional: true } : entry)),
      useFactory: async (...deps: unknown[]) => {
        inject.forEach(({ entry, required }, index) => {
          if (required && deps[index] === undefined) throw new NeffosOptionsDependencyError(nameOf(tokenOf(entry)), index);
        });
        return optionsOf(source, await create(...deps));
      },
    };
  });
  return { ...definition, providers };
}

type InjectEntry = NonNullable<FactoryProvider['inject']>[number];

function isOptionalInject(entry: InjectEntry): boolean {
  return typeof entry === 'object' && entry !== null && 'token' in entry && entry.optional === true;
}

function tokenOf(entry: InjectEntry): InjectionToken {
  return typeof entry === 'object' && entry !== null && 'token' in entry ? entry.token : entry;
}

function nameOf(token: InjectionToken): string {
  if (typeof token === 'function') return token.name;
  return typeof token === 'symbol' ? token.toString() : String(token);
}

function optionsOf(source: string, value: unknown): NeffosModuleOptions {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidOptionError(OPTIONS_NOT_RETURNED(source, value));
  return value as NeffosModuleOptions;
}

/** What only a registration with options (forRoot / forRootAsync) has: they all need the options. */
function withEngine(definition: DynamicModule, extras: RegistrationExtras): DynamicModule {
  return {
    ...definition,
    imports: [...(definition.imports ?? []), DiscoveryModule],
    providers: [
      ...(definition.providers ?? []),
      { provide: NEFFOS_REGISTRATION_EXTRAS, useValue: extras },
      NeffosExplorer,
      NeffosConnectionScope,
      NeffosHandlerFactory,
      NeffosNamespacesFactory,
      NeffosServerHost,
    ],
  };
}

/**
 * Serves the neffos protocol on the app's HTTP server. Global by default (`isGlobal: false` to opt out).
 * Register it once, in the root module, with `forRoot(options)` or `forRootAsync({ useFactory, inject })`
 * / `forRootAsync({ useClass })`, whose class implements `NeffosOptionsFactory` (`createNeffosOptions()`).
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [NeffosModule.forRoot({ path: '/echo' })],
 *   providers: [ChatController],
 * })
 * export class AppModule {}
 * ```
 */
@Module({
  providers: [NeffosMetadataAccessor, moduleChecks, NeffosServer],
  exports: [NeffosServer],
})
export class NeffosModule extends NeffosConfigurableModule {
  static override forRoot(options: typeof NEFFOS_OPTIONS_TYPE): DynamicModule {
    return withEngine(super.forRoot(options), { isGlobal: options.isGlobal });
  }

  static override forRootAsync(options: typeof NEFFOS_ASYNC_OPTIONS_TYPE): DynamicModule {
    const definition = super.forRootAsync(options);
    const factoryClass = options.useClass ?? options.useExisting;
    return withEngine(withCheckedOptionsFactory(definition, factoryClass), { isGlobal: options.isGlobal });
  }
}
