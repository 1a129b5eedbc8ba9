// Turns the explorer's plans into the engine's namespace → event → handler map. Scope is decided once
// per controller: static ones are called directly on their singleton; per-connection ones are resolved
// when the namespace connects (ContextIdFactory + ModuleRef.resolve) and cached on that connection.
// The enhancer pipeline (ExternalContextCreator) is built once per handler, and only where something
// uses it.
import { Injectable, type Type } from '@nestjs/common';
import { ApplicationConfig, ContextIdFactory, ExternalContextCreator, ModuleRef } from '@nestjs/core';
import type { ContextId } from '@nestjs/core/injector/instance-wrapper.js';
import { firstValueFrom, isObservable } from 'rxjs';
import type { EventHandler, Namespaces, NSConn } from '../engine/index.js';
import { type Message, OnNamespaceConnect, OnNamespaceDisconnect, OnRoomJoin, OnRoomLeave, isSystemEvent } from '../protocol/index.js';
import type { ControllerPlan } from './neffos.explorer.js';
import { DuplicateEventError } from './neffos.errors.js';
import { NeffosMetadataAccessor } from './neffos-metadata.accessor.js';
import { messageData, neffosParamsFactory } from './neffos-params.factory.js';
import { EventReplyError } from './neffos-reply.errors.js';
import { ROUTE_ARGS_METADATA } from './neffos.constants.js';

type Invoker = (msg: Message, nsConn: NSConn) => unknown;

/** Lifecycle hooks whose throw refuses the action (DESIGN.md). */
const VETO_HOOKS: ReadonlySet<string> = new Set([OnNamespaceConnect, OnNamespaceDisconnect, OnRoomJoin, OnRoomLeave]);

/** A pseudo-method that runs only the class's guards on namespace connect. */
const GUARDS_ONLY = '\0guards';

interface ScopedController {
  instance: Record<string, Function>;
  invokers: Map<string, Invoker>;
}

interface ConnectionScope {
  contextId: ContextId;
  controllers: Map<ControllerPlan, ScopedController>;
}

@Injectable()
export class NeffosHandlerFactory {
  private readonly scopes = new WeakMap<NSConn, ConnectionScope>();
  private globalEnhancers = false;
  private globalGuards = false;

  constructor(
    private readonly contextCreator: ExternalContextCreator,
    private readonly moduleRef: ModuleRef,
    private readonly accessor: NeffosMetadataAccessor,
    private readonly appConfig: ApplicationConfig,
  ) {}

  createNamespaces(plans: ControllerPlan[]): Namespaces {
    const c = this.appConfig;
    this.globalGuards = c.getGlobalGuards().length + c.getGlobalRequestGuards().length > 0;
    this.globalEnhancers =
      this.globalGuards ||
      c.getGlobalPipes().length + c.getGlobalRequestPipes().length > 0 ||
      c.getGlobalInterceptors().length + c.getGlobalRequestInterceptors().length > 0 ||
      c.getGlobalFilters().length + c.getGlobalRequestFilters().length > 0;

    const byNamespace = new Map<string, ControllerPlan[]>();
    for (const plan of plans) {
      const list = byNamespace.get(plan.namespace) ?? [];
      list.push(plan);
      byNamespace.set(plan.namespace, list);
    }
    // No prototype: an event or namespace named "__proto__" must be stored as a key, not set a prototype.
    const namespaces: Record<string, Record<string, EventHandler>> = Object.create(null);
    for (const [namespace, nsPlans] of byNamespace) namespaces[namespace] = this.createEvents(namespace, nsPlans);
    return namespaces;
  }

  private createEvents(namespace: string, plans: ControllerPlan[]): Record<string, EventHandler> {
    const events: Record<string, EventHandler> = Object.create(null);
    const owners = new Map<string, Type>();
    const hooks = new Map<string, Invoker[]>();
    const addHook = (event: string, invoker: Invoker): void => {
      hooks.set(event, [...(hooks.get(event) ?? []), invoker]);
    };

    for (const plan of plans) {
      for (const { event, methodName } of plan.events) {
        const invoker = this.invokerFor(plan, methodName, VETO_HOOKS.has(event));
        if (isSystemEvent(event)) {
          addHook(event, invoker);
          continue;
        }
        const owner = owners.get(event);
        if (owner !== undefined) throw new DuplicateEventError(namespace, event, owner.name, plan.metatype.name);
        owners.set(event, plan.metatype);
        events[event] = invoker as EventHandler;
      }
      const guardsOnConnect = this.globalGuards || this.accessor.hasGuards(plan.metatype);
      if (guardsOnConnect && !plan.events.some((e) => e.event === OnNamespaceConnect)) {
        addHook(OnNamespaceConnect, this.invokerFor(plan, GUARDS_ONLY, true));
      }
    }

    for (const [event, list] of hooks) events[event] = sequence(list) as EventHandler;

    const perConnection = plans.filter((p) => p.perConnection);
    if (perConnection.length > 0) {
      const connectHooks = events[OnNamespaceConnect];
      events[OnNamespaceConnect] = async (msg, nsConn) => {
        await this.openScope(nsConn, perConnection);
        try {
          return await connectHooks?.(msg, nsConn);
        } catch (err) {
          this.scopes.delete(nsConn);
          throw err;
        }
      };
    }
    return events;
  }

  private invokerFor(plan: ControllerPlan, methodName: string, veto: boolean): Invoker {
    if (!plan.perConnection) {
      return this.createInvoker(plan, plan.wrapper.instance as Record<string, Function>, methodName, undefined, veto);
    }
    return (msg, nsConn) => {
      const scoped = this.scopes.get(nsConn)?.controllers.get(plan);
      if (scoped === undefined) throw new Error(`no ${plan.metatype.name} instance for this connection; it was not created on namespace connect`);
      let invoker = scoped.invokers.get(methodName);
      if (invoker === undefined) {
        invoker = this.createInvoker(plan, scoped.instance, methodName, this.scopes.get(nsConn)!.contextId, veto);
        scoped.invokers.set(methodName, invoker);
      }
      return invoker(msg, nsConn);
    };
  }

  private createInvoker(plan: ControllerPlan, instance: Record<string, Function>, methodName: string, contextId: ContextId | undefined, veto: boolean): Invoker {
    const guardsOnly = methodName === GUARDS_ONLY;
    const method: Function = guardsOnly ? function onNamespaceConnect(): void {} : instance[methodName]!;
    const hasParams = !guardsOnly && this.accessor.hasParamDecorators(plan.metatype, methodName);
    const enhanced = guardsOnly || hasParams || this.globalEnhancers || this.accessor.hasEnhancers(plan.metatype, method);
    if (!enhanced) {
      // The fast path: no enhancer, no parameter decorator, nothing to pay for.
      return (msg, nsConn) => {
        try {
          const result = firstValue(method.call(instance, msg, nsConn));
          return result instanceof Promise ? result.catch(rethrowAsReply) : result;
        } catch (err) {
          throw new EventReplyError(err);
        }
      };
    }
    const target = hasParams
      ? (...args: unknown[]): unknown => firstValue(method.apply(instance, args))
      : (nsConn: unknown, _data: unknown, msg: unknown): unknown => firstValue(method.call(instance, msg, nsConn));
    // ExternalContextCreator reads method-level enhancers from the function it is given.
    for (const key of Reflect.getMetadataKeys(method)) Reflect.defineMetadata(key, Reflect.getMetadata(key, method), target);
    const call = this.contextCreator.create(
      instance,
      target,
      guardsOnly ? 'onNamespaceConnect' : methodName,
      ROUTE_ARGS_METADATA,
      neffosParamsFactory,
      contextId,
      contextId === undefined ? undefined : plan.wrapper.id,
      // No filters on the hooks that veto by throwing: a filter returning a value (a catch-all
      // "AllExceptionsFilter") would turn a refused connect, join or leave into an accepted one.
      { guards: true, interceptors: !guardsOnly, filters: !veto },
      'ws',
    );
    // A filter's return value is not unwrapped by Nest; an Observable one (RpcExceptionFilter style) is here.
    return (msg, nsConn) => call(nsConn, messageData(msg), msg, msg.event).then(firstValue).catch(rethrowAsReply);
  }

  private async openScope(nsConn: NSConn, plans: ControllerPlan[]): Promise<void> {
    const contextId = ContextIdFactory.getByRequest(nsConn);
    // For durable trees REQUEST is the strategy's payload, as Nest does for HTTP (nest#10504).
    const request = plans.every((p) => p.durable) && contextId.payload !== undefined ? contextId.payload : nsConn;
    this.moduleRef.registerRequestByContextId(request, contextId);
    const controllers = new Map<ControllerPlan, ScopedController>();
    for (const plan of plans) {
      const instance = await this.moduleRef.resolve(plan.metatype, contextId, { strict: false });
      controllers.set(plan, { instance: instance as Record<string, Function>, invokers: new Map() });
    }
    this.scopes.set(nsConn, { contextId, controllers });
  }
}

function rethrowAsReply(err: unknown): never {
  throw new EventReplyError(err);
}

function firstValue(result: unknown): unknown {
  return isObservable(result) ? firstValueFrom(result, { defaultValue: undefined }) : result;
}

/** Several controllers' hooks of one lifecycle event run in order; the first throw vetoes. */
function sequence(invokers: Invoker[]): Invoker {
  if (invokers.length === 1) return invokers[0]!;
  return async (msg, nsConn) => {
    for (const invoke of invokers) await invoke(msg, nsConn);
  };
}
