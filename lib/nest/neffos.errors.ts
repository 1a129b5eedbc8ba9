// Start-up and usage errors of the Nest layer; the texts (neffos.messages.ts) say what to change.
import { InvalidOptionError, NeffosError } from '../engine/index.js';
import {
  ACK_ON_LIFECYCLE_HOOK,
  DUPLICATE_EVENT,
  GATEWAY_ON_NEFFOS_PATH,
  MODULE_WITHOUT_FOR_ROOT,
  NEFFOS_CONTROLLER_IN_CONTROLLERS,
  NEFFOS_MODULE_TWICE,
  NO_CONTROLLERS,
  NO_SCOPED_INSTANCE,
  NOT_READY,
  OPTIONS_DEPENDENCY_MISSING,
  OPTIONS_FACTORY_METHOD,
  UNKNOWN_OPTION,
  UNSUPPORTED_CONTROLLER_PROVIDER,
  UNSUPPORTED_PARAM_DECORATOR,
} from './neffos.messages.js';

export class DuplicateEventError extends NeffosError {
  override name = 'DuplicateEventError';
  constructor(namespace: string, event: string, first: string, second: string) {
    super(DUPLICATE_EVENT(namespace, event, first, second));
  }
}

export class NoControllersError extends NeffosError {
  override name = 'NoControllersError';
  constructor() {
    super(NO_CONTROLLERS);
  }
}

export class NeffosNotReadyError extends NeffosError {
  override name = 'NeffosNotReadyError';
  constructor() {
    super(NOT_READY);
  }
}

/** A handler parameter carries a decorator whose value neffos cannot supply (an HTTP `@Query()`, a future Nest param type). */
export class UnsupportedParamDecoratorError extends NeffosError {
  override name = 'UnsupportedParamDecoratorError';
  constructor(controller: string, methodName: string, index: number, paramType: string) {
    super(UNSUPPORTED_PARAM_DECORATOR(controller, methodName, index, paramType));
  }
}

/** `@Ack()` on a lifecycle hook, which has no reply to acknowledge with. */
export class AckOnLifecycleHookError extends NeffosError {
  override name = 'AckOnLifecycleHookError';
  constructor(controller: string, methodName: string, event: string) {
    super(ACK_ON_LIFECYCLE_HOOK(controller, methodName, event));
  }
}

/** An invariant broke: an event of a per-connection controller ran before its namespace connect built the instance. */
export class NoScopedInstanceError extends NeffosError {
  override name = 'NoScopedInstanceError';
  constructor(controller: string) {
    super(NO_SCOPED_INSTANCE(controller));
  }
}

/** NeffosModule.forRoot registered more than once in one app (same path or not). */
export class NeffosModuleTwiceError extends NeffosError {
  override name = 'NeffosModuleTwiceError';
  constructor(readonly registrations: ReadonlyArray<{ path: string; importedBy: readonly string[] }>) {
    super(NEFFOS_MODULE_TWICE(registrations));
  }
}

/** A platform-ws gateway listens on the path NeffosModule serves. */
export class GatewayOnNeffosPathError extends NeffosError {
  override name = 'GatewayOnNeffosPathError';
  constructor(readonly path: string) {
    super(GATEWAY_ON_NEFFOS_PATH(path));
  }
}

/** A `@NeffosController` listed under `controllers: []`, where Nest expects an HTTP `@Controller()`. */
export class NeffosControllerInControllersError extends NeffosError {
  override name = 'NeffosControllerInControllersError';
  constructor(readonly controller: string, readonly module: string) {
    super(NEFFOS_CONTROLLER_IN_CONTROLLERS(controller, module));
  }
}

/** `imports: [NeffosModule]`: the module has no options (no path) without forRoot/forRootAsync. */
export class NeffosModuleWithoutForRootError extends NeffosError {
  override name = 'NeffosModuleWithoutForRootError';
  constructor(readonly importers: readonly string[]) {
    super(MODULE_WITHOUT_FOR_ROOT(importers));
  }
}

/** An option key NeffosModule does not know (a typo would otherwise be ignored silently). */
export class UnknownOptionError extends InvalidOptionError {
  override name = 'UnknownOptionError';
  constructor(readonly key: string, readonly nearest: string | undefined, valid: readonly string[]) {
    super(UNKNOWN_OPTION(key, nearest, valid));
  }
}

/** forRootAsync({ useClass }) with a class that has no `createNeffosOptions()`. */
export class NeffosOptionsFactoryError extends NeffosError {
  override name = 'NeffosOptionsFactoryError';
  constructor(readonly factoryClass: string) {
    super(OPTIONS_FACTORY_METHOD(factoryClass));
  }
}

/** forRootAsync({ useFactory, inject }) with an inject token NeffosModule cannot resolve (its module not in `imports`). */
export class NeffosOptionsDependencyError extends NeffosError {
  override name = 'NeffosOptionsDependencyError';
  constructor(
    readonly token: string,
    readonly index: number,
  ) {
    super(OPTIONS_DEPENDENCY_MISSING(token, index));
  }
}

/**
 * A `@NeffosController` provider neffos cannot serve: a transient one (its discovered instance was never
 * constructed) or one registered with useValue / useFactory (found by class only).
 */
export class UnsupportedControllerProviderError extends NeffosError {
  override name = 'UnsupportedControllerProviderError';
  constructor(
    readonly controller: string,
    readonly kind: 'transient' | 'instance',
  ) {
    super(UNSUPPORTED_CONTROLLER_PROVIDER(controller, kind));
  }
}
