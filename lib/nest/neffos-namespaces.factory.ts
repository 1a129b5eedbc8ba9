// Turns the explorer's namespace plans into the engine's namespace → event → handler map: one handler
// per event, the lifecycle hooks of every controller of a namespace in order, and, when a controller
// needs one instance per connection, the namespace connect opening that scope first. Which handler
// path each method takes is decided here, once, at mount (NeffosHandlerFactory builds it).
import { Injectable } from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import type { EventHandler, Events, Namespaces } from '../engine/index.js';
import { OnNamespaceConnect } from '../protocol/index.js';
import type { ControllerPlan, HandlerPlan, NamespacePlan } from './neffos.explorer.js';
import { NeffosConnectionScope } from './neffos-connection-scope.js';
import { type Invoker, NeffosHandlerFactory } from './neffos-handler.factory.js';
import { NeffosMetadataAccessor } from './neffos-metadata.accessor.js';

/** The app's global enhancers, read once when the namespaces are built (they are set before init). */
interface GlobalEnhancers {
  /** Any global guard, pipe, interceptor or filter: every handler then takes the pipeline. */
  any: boolean;
  /** Any global guard: it also guards every namespace connect. */
  guards: boolean;
}

@Injectable()
export class NeffosNamespacesFactory {
  constructor(
    private readonly handlers: NeffosHandlerFactory,
    private readonly scope: NeffosConnectionScope,
    private readonly accessor: NeffosMetadataAccessor,
    private readonly appConfig: ApplicationConfig,
  ) {}

  create(plans: readonly NamespacePlan[]): Namespaces {
    const globals = globalEnhancersOf(this.appConfig);
    // No prototype: an event or namespace named "__proto__" must be stored as a key, not set a prototype.
    const namespaces: Record<string, Events> = Object.create(null);
    for (const plan of plans) namespaces[plan.namespace] = this.createEvents(plan, globals);
    return namespaces;
  }

  private createEvents(plan: NamespacePlan, globals: GlobalEnhancers): Events {
    const events: Record<string, EventHandler> = Object.create(null);
    for (const [event, handler] of plan.events) events[event] = this.invoker(handler, globals) as EventHandler;
    for (const [event, list] of plan.hooks) {
      if (event !== OnNamespaceConnect) events[event] = sequence(list.map((h) => this.invoker(h, globals))) as EventHandler;
    }
    const connect = this.connectHooks(plan, globals);
    const connectHooks = connect.length > 0 ? sequence(connect) : undefined;
    const perConnection = plan.controllers.filter((c) => c.perConnection);
    if (perConnection.length > 0) {
      events[OnNamespaceConnect] = async (msg, nsConn) => {
        await this.scope.open(nsConn, perConnection);
        try {
          return await connectHooks?.(msg, nsConn);
        } catch (err) {
          this.scope.discard(nsConn);
          throw err;
        }
      };
    } else if (connectHooks !== undefined) {
      events[OnNamespaceConnect] = connectHooks as EventHandler;
    }
    return events;
  }

  /** Each controller's own connect hooks, or its guards alone when it has guards (or there are global ones) and no hook. */
  private connectHooks(plan: NamespacePlan, globals: GlobalEnhancers): Invoker[] {
    const own = plan.hooks.get(OnNamespaceConnect) ?? [];
    return plan.controllers.flatMap((controller) => {
      const hooks = own.filter((h) => h.controller === controller);
      if (hooks.length > 0) return hooks.map((h) => this.invoker(h, globals));
      if (globals.guards || this.accessor.hasGuards(controller.metatype)) return [this.guardsOnly(controller)];
      return [];
    });
  }

  private invoker(handler: HandlerPlan, globals: GlobalEnhancers): Invoker {
    const { controller } = handler;
    if (!controller.perConnection) return this.handlers.create(handler, staticInstance(controller), undefined, globals.any);
    return this.scope.invoker(controller, (instance, contextId) => this.handlers.create(handler, instance, contextId, globals.any));
  }

  private guardsOnly(controller: ControllerPlan): Invoker {
    if (!controller.perConnection) return this.handlers.guardsOnly(controller, staticInstance(controller), undefined);
    return this.scope.invoker(controller, (instance, contextId) => this.handlers.guardsOnly(controller, instance, contextId));
  }
}

function staticInstance(controller: ControllerPlan): object {
  return controller.wrapper.instance as object;
}

function globalEnhancersOf(config: ApplicationConfig): GlobalEnhancers {
  const guards = config.getGlobalGuards().length + config.getGlobalRequestGuards().length > 0;
  const any =
    guards ||
    config.getGlobalPipes().length + config.getGlobalRequestPipes().length > 0 ||
    config.getGlobalInterceptors().length + config.getGlobalRequestInterceptors().length > 0 ||
    config.getGlobalFilters().length + config.getGlobalRequestFilters().length > 0;
  return { any, guards };
}

/** Several controllers' hooks of one lifecycle event run in order; the first throw vetoes. */
function sequence(invokers: Invoker[]): Invoker {
  if (invokers.length === 1) return invokers[0]!;
  return async (msg, nsConn) => {
    for (const invoke of invokers) await invoke(msg, nsConn);
  };
}
