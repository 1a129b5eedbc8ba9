// Finds @NeffosController providers and plans them per namespace: which method answers which event,
// which methods run on which lifecycle event, and which classes need one instance per connection.
// It only finds and checks; NeffosNamespacesFactory turns the plans into handlers, the host mounts them.
import { Inject, Injectable, type Type } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { isSystemEvent } from '../protocol/index.js';
import type { EventNameMapper, NeffosEventsMode, NeffosModuleOptions } from './interfaces/neffos-module-options.interface.js';
import { AckOnLifecycleHookError, DuplicateEventError, UnsupportedControllerProviderError, UnsupportedParamDecoratorError } from './neffos.errors.js';
import { NeffosMetadataAccessor } from './neffos-metadata.accessor.js';
import { NEFFOS_MODULE_OPTIONS } from './neffos.module-definition.js';
import { ACK_PARAM_TYPE, isSupportedParamType } from './neffos-params.factory.js';
import { hookNearMiss, NEST_LIFECYCLE_METHODS, SYSTEM_HOOK_METHODS, type HookNearMiss } from './neffos-method-names.js';

/** What DiscoveryService hands out (Nest's InstanceWrapper), named without a deep import. */
export type ProviderWrapper = ReturnType<DiscoveryService['getProviders']>[number];

export interface ControllerPlan {
  metatype: Type;
  wrapper: ProviderWrapper;
  namespace: string;
  /** One instance per namespace connection (request scope somewhere in its tree). */
  perConnection: boolean;
  durable: boolean;
  /** Which of its methods are events (the controller's option, else the module's). */
  events: NeffosEventsMode;
}

export interface HandlerPlan {
  controller: ControllerPlan;
  /** Wire name of the event (`_On…` for lifecycle hooks). */
  event: string;
  methodName: string;
  /** Parameter decorators fill the arguments, so the call goes through the params factory. */
  decoratedParams: boolean;
  /** `@Ack()`: the reply is what the handler acknowledges with, not what it returns. */
  ack: boolean;
}

export interface NamespacePlan {
  namespace: string;
  /** In discovery order, which is the order their lifecycle hooks run in. */
  controllers: ControllerPlan[];
  /** Custom events; each has exactly one handler in the namespace. */
  events: Map<string, HandlerPlan>;
  /** Lifecycle events, every handler of every controller, in controller then method order. */
  hooks: Map<string, HandlerPlan[]>;
  /** Methods named one edit away from a hook, which the start-up log warns about. */
  nearMisses: NearMissPlan[];
  /** Arrow functions in instance fields (`echo = (msg) => …`), which look like events and are none. */
  arrowFields: Array<{ controller: string; name: string }>;
}

/** A method that looks like a misspelled hook, and what became of it. */
export interface NearMissPlan extends HookNearMiss {
  controller: string;
  methodName: string;
  /** The event it is served as, or undefined when it is neither an event nor a hook. */
  event: string | undefined;
}

@Injectable()
export class NeffosExplorer {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly accessor: NeffosMetadataAccessor,
    @Inject(NEFFOS_MODULE_OPTIONS) private readonly options: NeffosModuleOptions,
  ) {}

  /** One plan per namespace; throws what would make a handler ambiguous or unfillable. */
  explore(): NamespacePlan[] {
    const namespaces = new Map<string, NamespacePlan>();
    const seen = new Set<Type>();
    const byInstanceOnly = new Set<Type>();
    for (const wrapper of this.discovery.getProviders()) {
      const metatype = wrapper.metatype as Type | undefined;
      if (typeof metatype !== 'function' || this.accessor.getControllerOptions(metatype) === undefined) {
        const instanceClass = this.controllerClassOfInstance(wrapper);
        if (instanceClass !== undefined) byInstanceOnly.add(instanceClass);
        continue;
      }
      if (seen.has(metatype)) continue;
      const meta = this.accessor.getControllerOptions(metatype)!;
      if (wrapper.isTransient) throw new UnsupportedControllerProviderError(metatype.name, 'transient');
      seen.add(metatype);
      const perConnection = !wrapper.isDependencyTreeStatic();
      const controller: ControllerPlan = {
        metatype,
        wrapper,
        namespace: meta.namespace,
        perConnection,
        durable: perConnection && wrapper.isDependencyTreeDurable(),
        events: meta.events ?? this.options.events ?? 'public-methods',
      };
      let plan = namespaces.get(meta.namespace);
      if (plan === undefined) {
        plan = { namespace: meta.namespace, controllers: [], events: new Map(), hooks: new Map(), nearMisses: [], arrowFields: [] };
        namespaces.set(meta.namespace, plan);
      }
      this.addController(plan, controller, meta.eventNameMapper ?? this.options.eventNameMapper);
    }
    // A controller given as useValue / useFactory only (not also as its class) would be silently unserved.
    for (const metatype of byInstanceOnly) if (!seen.has(metatype)) throw new UnsupportedControllerProviderError(metatype.name, 'instance');
    return [...namespaces.values()];
  }

  /** The @NeffosController class of a provider's instance when the provider is not that class (useValue, useFactory). */
  private controllerClassOfInstance(wrapper: ProviderWrapper): Type | undefined {
    if (wrapper.isAlias) return undefined;
    const instance: unknown = wrapper.instance;
    const ctor = instance !== null && typeof instance === 'object' ? (instance as object).constructor : undefined;
    return typeof ctor === 'function' && this.accessor.getControllerOptions(ctor) !== undefined ? (ctor as Type) : undefined;
  }

  private addController(plan: NamespacePlan, controller: ControllerPlan, mapper: EventNameMapper | undefined): void {
    plan.controllers.push(controller);
    for (const name of arrowFieldsOf(controller)) plan.arrowFields.push({ controller: controller.metatype.name, name });
    const prototype = controller.metatype.prototype as Record<string, Function>;
    for (const methodName of this.scanner.getAllMethodNames(prototype)) {
      const method = prototype[methodName]!;
      const event = this.eventOf(controller, methodName, method, mapper);
      const nearMiss = this.nearMissOf(methodName, method);
      if (nearMiss !== undefined) plan.nearMisses.push({ ...nearMiss, controller: controller.metatype.name, methodName, event });
      if (event === undefined) continue;
      const handler = this.planHandler(controller, event, methodName);
      if (isSystemEvent(event)) {
        if (handler.ack) throw new AckOnLifecycleHookError(controller.metatype.name, methodName, event);
        const list = plan.hooks.get(event);
        if (list === undefined) plan.hooks.set(event, [handler]);
        else list.push(handler);
        continue;
      }
      const owner = plan.events.get(event);
      if (owner !== undefined) throw new DuplicateEventError(plan.namespace, event, owner.controller.metatype.name, controller.metatype.name);
      plan.events.set(event, handler);
    }
  }

  /**
   * The naming rules: an `@NeffosEvent` name, a lifecycle hook name, then (in `'public-methods'` mode)
   * the mapper; undefined skips the method. `@NeffosEvent()` without a name takes the mapped method name.
   */
  private eventOf(controller: ControllerPlan, methodName: string, method: Function, mapper: EventNameMapper | undefined): string | undefined {
    if (methodName.startsWith('_') || NEST_LIFECYCLE_METHODS.has(methodName)) return undefined;
    if (this.accessor.isIgnored(method)) return undefined;
    const mark = this.accessor.getEventMark(method);
    if (typeof mark === 'string') return mark;
    if (mark === true) return mappedName(methodName, controller.metatype, mapper) || methodName;
    const system = SYSTEM_HOOK_METHODS.get(methodName);
    if (system !== undefined) return system;
    if (controller.events === 'decorated') return undefined;
    const mapped = mappedName(methodName, controller.metatype, mapper);
    return mapped === false ? undefined : mapped;
  }

  /** A hook look-alike the developer has not marked as meant (`@NeffosEvent`/`@NeffosIgnore`). */
  private nearMissOf(methodName: string, method: Function): HookNearMiss | undefined {
    if (this.accessor.getEventMark(method) !== undefined || this.accessor.isIgnored(method)) return undefined;
    return hookNearMiss(methodName);
  }

  private planHandler(controller: ControllerPlan, event: string, methodName: string): HandlerPlan {
    const params = this.accessor.getParamDecorators(controller.metatype, methodName);
    let ack = false;
    for (const param of params) {
      if (param.custom) continue;
      const type = Number(param.type);
      if (!isSupportedParamType(type)) {
        throw new UnsupportedParamDecoratorError(controller.metatype.name, methodName, param.index, param.type);
      }
      if (type === ACK_PARAM_TYPE) ack = true;
    }
    return { controller, event, methodName, decoratedParams: params.length > 0, ack };
  }
}

/** The mapper's name for a method: its string, `false` to skip, or the method name when it keeps it. */
function mappedName(methodName: string, metatype: Type, mapper: EventNameMapper | undefined): string | false {
  const mapped = mapper?.(methodName, metatype);
  return mapped ?? methodName;
}

/**
 * Arrow functions stored in instance fields of a static controller (`echo = (msg) => msg.body`, the
 * habit of binding `this`), under the public-methods rule: they are no prototype methods, so no events,
 * and a client calling them got "unknown event" with nothing at start-up to say why. Only what the
 * class body wrote: a field holding a native or bound function (an injected `console.log`) is skipped,
 * and per-connection controllers have no instance before a client connects.
 */
function arrowFieldsOf(controller: ControllerPlan): string[] {
  if (controller.perConnection || controller.events !== 'public-methods') return [];
  const instance: unknown = controller.wrapper.instance;
  if (instance === null || typeof instance !== 'object') return [];
  return Object.keys(instance).filter((name) => {
    const value = (instance as Record<string, unknown>)[name];
    return !name.startsWith('_') && typeof value === 'function' && !Object.hasOwn(value, 'prototype') && !Function.prototype.toString.call(value).includes('[native code]');
  });
}
