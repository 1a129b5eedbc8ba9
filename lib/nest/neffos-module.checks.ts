// Checks that run while Nest creates NeffosModule's providers — before it maps HTTP routes, where a
// @NeffosController under `controllers: []` would fail with "does not have the @Controller() decorator",
// and before anything reads the options: NeffosModule imported without forRoot (which would otherwise
// fail as an unresolvable CONFIGURABLE_MODULE_OPTIONS dependency), unknown option keys (a typo would be
// ignored silently), the `events` mode and every other option's value (the engine's own check, run
// here rather than when the engine is built at bootstrap, so `NestFactory.create` fails and not
// `app.init()`), and the registration's `isGlobal`. Each failure says what to change.
import type { ModulesContainer } from '@nestjs/core';
import { withDefaults } from '../engine/engine-options.js';
import { InvalidOptionError } from '../engine/index.js';
import { OPTION_NOT_BOOLEAN, OPTION_NOT_FUNCTION } from '../engine/engine.messages.js';
import type { NeffosModuleOptions } from './interfaces/neffos-module-options.interface.js';
import { nearestName } from './nearest-name.js';
import { NeffosControllerInControllersError, NeffosModuleWithoutForRootError, UnknownOptionError } from './neffos.errors.js';
import { BAD_EVENTS_MODE } from './neffos.messages.js';
import type { NeffosMetadataAccessor } from './neffos-metadata.accessor.js';
import { isEventsMode } from './neffos-method-names.js';

/**
 * Every option NeffosModule takes. A Record over the options type, so the compiler fails here until an
 * option added to EngineOptions or NeffosModuleOptions is listed (and removed ones are dropped).
 */
const OPTION_KEYS: Record<keyof NeffosModuleOptions, true> = {
  path: true,
  idGenerator: true,
  authorize: true,
  onConnect: true,
  onDisconnect: true,
  maxPayload: true,
  askTimeout: true,
  handshakeTimeout: true,
  maxQueuedBytes: true,
  maxQueuedFrames: true,
  maxHandshakeQueuedFrames: true,
  maxHandshakeQueuedBytes: true,
  messageRate: true,
  messageBurst: true,
  onRateLimit: true,
  maxPendingAsks: true,
  maxRoomsPerConnection: true,
  maxRoomNameLength: true,
  maxConnections: true,
  maxPendingHandshakes: true,
  handlerTimeout: true,
  shutdownTimeout: true,
  pingInterval: true,
  writeBufferHighWaterMark: true,
  onBackpressure: true,
  origins: true,
  subprotocols: true,
  serveClient: true,
  protectedHeaders: true,
  exposeErrors: true,
  onError: true,
  exchange: true,
  logger: true,
  eventNameMapper: true,
  events: true,
};

const VALID_KEYS: readonly string[] = Object.keys(OPTION_KEYS);

/** `MODULE_METADATA.IMPORTS` of `@nestjs/common`. */
const MODULE_IMPORTS = 'imports';

/** The parts of Nest's Module (core/injector/module) read here; structural, to avoid a deep import. */
interface ModuleLike {
  metatype: { name: string };
  controllers: Map<unknown, { metatype: unknown }>;
}

function modulesOf(container: ModulesContainer): ModuleLike[] {
  return [...container.values()] as unknown as ModuleLike[];
}

/** Without forRoot the module has no options: say so, naming the modules whose imports list the bare class. */
export function assertForRoot(options: NeffosModuleOptions | undefined, container: ModulesContainer, moduleClass: Function): asserts options is NeffosModuleOptions {
  if (options !== undefined) return;
  const importers = modulesOf(container)
    .filter((m) => ((Reflect.getMetadata(MODULE_IMPORTS, m.metatype) as unknown[] | undefined) ?? []).includes(moduleClass))
    .map((m) => m.metatype.name);
  throw new NeffosModuleWithoutForRootError(importers);
}

/** A `@NeffosController` under `controllers: []` (and not also a Nest HTTP controller) belongs under providers. */
export function assertNoNeffosControllerInControllers(container: ModulesContainer, accessor: NeffosMetadataAccessor): void {
  for (const module of modulesOf(container)) {
    for (const { metatype } of module.controllers.values()) {
      if (typeof metatype !== 'function') continue;
      if (accessor.getControllerOptions(metatype) !== undefined && !accessor.isHttpController(metatype)) {
        throw new NeffosControllerInControllersError(metatype.name, module.metatype.name);
      }
    }
  }
}

/**
 * Stands in for the namespaces, which the explorer finds only at bootstrap: the engine's check needs
 * some, and what it checks of them (one at least) is the explorer's NoControllersError there.
 */
const NAMESPACES_FOUND_AT_BOOTSTRAP = { '': {} };

/**
 * Unknown keys name the nearest valid one; `events` must be one of its two modes; the engine's options
 * go through the engine's own check (withDefaults, pure: its result is dropped, the engine makes its own).
 */
export function assertValidOptions(options: NeffosModuleOptions): void {
  for (const key of Object.keys(options)) {
    if (Object.hasOwn(OPTION_KEYS, key)) continue;
    throw new UnknownOptionError(key, nearestName(key, VALID_KEYS, Math.max(2, Math.floor(key.length / 3))), VALID_KEYS);
  }
  if (options.events !== undefined && !isEventsMode(options.events)) throw new InvalidOptionError(BAD_EVENTS_MODE(options.events));
  if (options.eventNameMapper !== undefined && typeof options.eventNameMapper !== 'function') {
    throw new InvalidOptionError(OPTION_NOT_FUNCTION('eventNameMapper', options.eventNameMapper));
  }
  const { eventNameMapper: _mapper, events: _events, ...engineOptions } = options;
  withDefaults({ ...engineOptions, namespaces: NAMESPACES_FOUND_AT_BOOTSTRAP });
}

/** What a registration takes beside its options (Nest's ConfigurableModuleBuilder extras). */
export interface RegistrationExtras {
  isGlobal?: unknown;
}

/**
 * `isGlobal` goes to Nest's `global`, which takes any truthy value: `isGlobal: process.env.X` would make
 * the module global even with X=false. Only a boolean is taken.
 */
export function assertValidExtras(extras: RegistrationExtras | undefined): void {
  const isGlobal = extras?.isGlobal;
  if (isGlobal !== undefined && typeof isGlobal !== 'boolean') throw new InvalidOptionError(OPTION_NOT_BOOLEAN('isGlobal', isGlobal));
}
