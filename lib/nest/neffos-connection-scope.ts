// The per-connection half of "decide scope once": for controllers whose dependency tree is not static,
// one instance per namespace connection, resolved when the namespace connects (ContextIdFactory +
// ModuleRef.resolve) and kept here, keyed by the NSConn, so the engine carries nothing for Nest. The
// WeakMap lets an instance go with its connection; a refused connect drops it at once.
import { Inject, Injectable } from '@nestjs/common';
import { type ContextId, ContextIdFactory, ModuleRef } from '@nestjs/core';
import type { NSConn } from '../engine/index.js';
import type { ControllerPlan } from './neffos.explorer.js';
import { NoScopedInstanceError } from './neffos.errors.js';
import type { Invoker } from './neffos-handler.factory.js';
import type { NeffosModuleOptions } from './interfaces/neffos-module-options.interface.js';
import { NEFFOS_MODULE_OPTIONS } from './neffos.module-definition.js';
import { ReplyErrors } from './neffos-reply.errors.js';

/** Builds one handler on a connection's instance. */
export type ScopedBuilder = (instance: object, contextId: ContextId) => Invoker;

/** One controller's instance for one connection, and the handlers built on it so far. */
interface ScopedController {
  instance: object;
  contextId: ContextId;
  /** Built on first use, per handler: most connections call a few of a controller's events. */
  invokers: Map<ScopedBuilder, Invoker>;
}

@Injectable()
export class NeffosConnectionScope {
  private readonly scopes = new WeakMap<NSConn, Map<ControllerPlan, ScopedController>>();

  /** A constructor or request-scoped factory that throws fails the connect as a handler's throw does. */
  private readonly replies: ReplyErrors;

  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(NEFFOS_MODULE_OPTIONS) options: NeffosModuleOptions,
  ) {
    this.replies = new ReplyErrors(options.exposeErrors === true);
  }

  /** Resolves an instance of each controller for this namespace connection. */
  async open(nsConn: NSConn, controllers: readonly ControllerPlan[]): Promise<void> {
    const contextId = ContextIdFactory.getByRequest(nsConn);
    // For durable trees REQUEST is the strategy's payload, as Nest does for HTTP (nest#10504).
    const request = controllers.every((c) => c.durable) && contextId.payload !== undefined ? contextId.payload : nsConn;
    this.moduleRef.registerRequestByContextId(request, contextId);
    const scoped = new Map<ControllerPlan, ScopedController>();
    for (const controller of controllers) {
      let instance: object;
      try {
        instance = (await this.moduleRef.resolve(controller.metatype, contextId, { strict: false })) as object;
      } catch (err) {
        // An UnauthorizedException from a request-scoped "current user" factory is the client's answer.
        throw this.replies.at(`creating ${controller.metatype.name} for a connection`).of(err);
      }
      scoped.set(controller, { instance, contextId, invokers: new Map() });
    }
    this.scopes.set(nsConn, scoped);
  }

  /** Drops the instances of a connection whose namespace connect was refused. */
  discard(nsConn: NSConn): void {
    this.scopes.delete(nsConn);
  }

  /**
   * A handler that runs on the calling connection's instance of `controller`: `build` makes it on first
   * use by that connection, and the result is kept with the instance.
   */
  invoker(controller: ControllerPlan, build: ScopedBuilder): Invoker {
    return (msg, nsConn) => {
      const scoped = this.scopes.get(nsConn)?.get(controller);
      if (scoped === undefined) throw new NoScopedInstanceError(controller.metatype.name);
      let invoker = scoped.invokers.get(build);
      if (invoker === undefined) {
        invoker = build(scoped.instance, scoped.contextId);
        scoped.invokers.set(build, invoker);
      }
      return invoker(msg, nsConn);
    };
  }
}
