// Finds @NeffosController providers and plans them per namespace: which method answers which event,
// which methods run on which lifecycle event, and which classes need one instance per connection.
// It only finds and checks; NeffosNamespacesFactory turns the plans into handlers, the host mounts them.
import { Inject, Injectable, type Type } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import {
  isSystemEvent,
  OnNamespaceConnect,
  OnNamespaceConnected,
  OnNamespaceDisconnect,
  OnNativeMessage,
  OnRoomJoin,
  OnRoomJoined,
  OnRoomLeave,
  OnRoomLeft,
} from '../protocol/index.js';
import type { EventNameMapper, NeffosModuleOptions } from './interfaces/neffos-module-options.interface.js';
import { AckOnLifecycleHookError, DuplicateEventError, UnsupportedParamDecoratorError } from './neffos.errors.js';
import { NeffosMetadataAccessor } from './neffos-metadata.accessor.js';
import { NEFFOS_MODULE_OPTIONS } from './neffos.module-definition.js';
import { ACK_PARAM_TYPE, isSupportedParamType } from './neffos-params.factory.js';

/** What DiscoveryService hands out (Nest's InstanceWrapper), named without a deep import. */
export type ProviderWrapper = ReturnType<DiscoveryService['getProviders']>[number];

export interface ControllerPlan {
  metatype: Type;
  wrapper: ProviderWrapper;
  namespace: string;
  /** One instance per namespace connection (request scope somewhere in its tree). */
  perConnection: boolean;
  durable: boolean;
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
}

/** Nest lifecycle hooks: never events. */
const NEST_LIFECYCLE_METHODS: ReadonlySet<string> = new Set([
  'onModuleInit',
  'onApplicationBootstrap',
  'onModuleDestroy',
  'beforeApplicationShutdown',
  'onApplicationShutdown',
]);

/**
 * Method names that bind to neffos lifecycle events (README, "Controllers"): `onX` and the Go spelling
 * `OnX` both map to `_OnX`, as Go's struct handler does; `onNativeMessage` (lower-case only) to
 * `_OnNativeMessage`. A Map, so a method named like an Object.prototype member finds nothing.
 */
const SYSTEM_HOOK_METHODS: ReadonlyMap<string, string> = new Map([
  ...[OnNamespaceConnect, OnNamespaceConnected, OnNamespaceDisconnect, OnRoomJoin, OnRoomJoined, OnRoomLeave, OnRoomLeft].flatMap(
    (event): Array<[string, string]> => [
      [`o${event.slice(2)}`, event],
      [event.slice(1), event],
    ],
  ),
  ['onNativeMessage', OnNativeMessage],
]);

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
    for (const wrapper of this.discovery.getProviders()) {
      const metatype = wrapper.metatype as Type | undefined;
      if (typeof metatype !== 'function' || seen.has(metatype)) continue;
      const meta = this.accessor.getControllerOptions(metatype);
      if (meta === undefined) continue;
      seen.add(metatype);
      const perConnection = !wrapper.isDependencyTreeStatic();
      const controller: ControllerPlan = {
        metatype,
        wrapper,
        namespace: meta.namespace,
        perConnection,
        durable: perConnection && wrapper.isDependencyTreeDurable(),
      };
      let plan = namespaces.get(meta.namespace);
      if (plan === undefined) {
        plan = { namespace: meta.namespace, controllers: [], events: new Map(), hooks: new Map() };
        namespaces.set(meta.namespace, plan);
      }
      this.addController(plan, controller, meta.eventNameMapper ?? this.options.eventNameMapper);
    }
    return [...namespaces.values()];
  }

  private addController(plan: NamespacePlan, controller: ControllerPlan, mapper: EventNameMapper | undefined): void {
    plan.controllers.push(controller);
    const prototype = controller.metatype.prototype as Record<string, Function>;
    for (const methodName of this.scanner.getAllMethodNames(prototype)) {
      const event = this.eventOf(controller.metatype, methodName, prototype[methodName]!, mapper);
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

  /** The naming rules: an explicit @NeffosEvent name, a lifecycle hook name, then the mapper; undefined skips the method. */
  private eventOf(metatype: Type, methodName: string, method: Function, mapper: EventNameMapper | undefined): string | undefined {
    if (methodName.startsWith('_') || NEST_LIFECYCLE_METHODS.has(methodName)) return undefined;
    if (this.accessor.isIgnored(method)) return undefined;
    const explicit = this.accessor.getEventName(method);
    if (explicit !== undefined) return explicit;
    const system = SYSTEM_HOOK_METHODS.get(methodName);
    if (system !== undefined) return system;
    const mapped = mapper?.(methodName, metatype);
    if (mapped === false) return undefined;
    return mapped ?? methodName;
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
