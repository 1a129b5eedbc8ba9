// Builds the function the engine calls for one handler, on one instance. Three plain builders: direct
// (no enhancer, no parameter decorator: nothing to pay for), enhanced (Nest's guards, pipes,
// interceptors and filters through ExternalContextCreator, built once per handler and instance), and
// guards-only (a class's guards on namespace connect when it has no connect hook of its own).
import { Injectable } from '@nestjs/common';
import { type ContextId, ExternalContextCreator } from '@nestjs/core';
import { firstValueFrom, isObservable } from 'rxjs';
import type { NSConn } from '../engine/index.js';
import { type Message, OnNamespaceConnect, OnNamespaceDisconnect, OnRoomJoin, OnRoomLeave } from '../protocol/index.js';
import type { ControllerPlan, HandlerPlan } from './neffos.explorer.js';
import { ROUTE_ARGS_METADATA } from './neffos.constants.js';
import { NeffosMetadataAccessor } from './neffos-metadata.accessor.js';
import { messageData, neffosParamsFactory } from './neffos-params.factory.js';
import { EventReplyError } from './neffos-reply.errors.js';

export type Invoker = (msg: Message, nsConn: NSConn) => unknown;

/** Lifecycle hooks whose throw refuses the action (README, "Controllers"). */
const VETO_HOOKS: ReadonlySet<string> = new Set([OnNamespaceConnect, OnNamespaceDisconnect, OnRoomJoin, OnRoomLeave]);

type Method = (...args: unknown[]) => unknown;

/** `ExternalContextCreator.create`'s positional arguments, by name; the rest is fixed for neffos. */
interface PipelineSpec {
  instance: object;
  callback: Method;
  methodName: string;
  /** For a per-connection instance: its context, and the provider that asked for it. */
  scope: { contextId: ContextId; inquirerId: string } | undefined;
  guards: boolean;
  interceptors: boolean;
  filters: boolean;
}

@Injectable()
export class NeffosHandlerFactory {
  constructor(
    private readonly contextCreator: ExternalContextCreator,
    private readonly accessor: NeffosMetadataAccessor,
  ) {}

  /**
   * The handler of `plan` on `instance`: direct unless a parameter decorator or an enhancer (its own,
   * its class's, or a global one) needs the pipeline. `contextId` is given for a per-connection instance.
   */
  create(plan: HandlerPlan, instance: object, contextId: ContextId | undefined, globalEnhancers: boolean): Invoker {
    const method = (instance as Record<string, Method>)[plan.methodName]!;
    if (plan.decoratedParams || globalEnhancers || this.accessor.hasEnhancers(plan.controller.metatype, method)) {
      return this.enhanced(plan, instance, method, contextId);
    }
    return this.direct(instance, method);
  }

  /** The fast path: the method itself, with `(msg, nsConn)`. */
  direct(instance: object, method: Method): Invoker {
    return (msg, nsConn) => {
      try {
        const result = firstValue(method.call(instance, msg, nsConn));
        return result instanceof Promise ? result.catch(rethrowAsReply) : result;
      } catch (err) {
        throw new EventReplyError(err);
      }
    };
  }

  /** The method behind Nest's pipeline; with parameter decorators its arguments come from the params factory. */
  enhanced(plan: HandlerPlan, instance: object, method: Method, contextId: ContextId | undefined): Invoker {
    const target: Method = plan.decoratedParams
      ? (...args) => firstValue(method.apply(instance, args))
      : (nsConn, _data, msg) => firstValue(method.call(instance, msg, nsConn));
    this.accessor.copyMethodMetadata(method, target);
    const call = this.pipeline({
      instance,
      callback: target,
      methodName: plan.methodName,
      scope: scopeOf(plan.controller, contextId),
      guards: true,
      interceptors: true,
      // No filters on the hooks that veto by throwing: a filter returning a value (a catch-all
      // "AllExceptionsFilter") would turn a refused connect, join or leave into an accepted one.
      filters: !VETO_HOOKS.has(plan.event),
    });
    if (plan.ack) return (msg, nsConn) => acknowledged((ack) => call(nsConn, messageData(msg), msg, ack, msg.event));
    // A filter's return value is not unwrapped by Nest; an Observable one (RpcExceptionFilter style) is here.
    return (msg, nsConn) => call(nsConn, messageData(msg), msg, msg.event).then(firstValue).catch(rethrowAsReply);
  }

  /** Runs only the class's (and the global) guards on namespace connect; a refusal is the connect's error reply. */
  guardsOnly(controller: ControllerPlan, instance: object, contextId: ContextId | undefined): Invoker {
    const call = this.pipeline({
      instance,
      callback: function onNamespaceConnect(): void {},
      methodName: 'onNamespaceConnect',
      scope: scopeOf(controller, contextId),
      guards: true,
      interceptors: false,
      filters: false,
    });
    return (msg, nsConn) => call(nsConn, messageData(msg), msg, msg.event).catch(rethrowAsReply);
  }

  /** The one call of ExternalContextCreator.create: context type 'ws', Nest's route-args key, our params factory. */
  private pipeline(spec: PipelineSpec): (...args: unknown[]) => Promise<unknown> {
    const { instance, callback, methodName, scope, guards, interceptors, filters } = spec;
    return this.contextCreator.create(
      instance,
      callback,
      methodName,
      ROUTE_ARGS_METADATA,
      neffosParamsFactory,
      scope?.contextId,
      scope?.inquirerId,
      { guards, interceptors, filters },
      'ws',
    );
  }
}

function scopeOf(controller: ControllerPlan, contextId: ContextId | undefined): PipelineSpec['scope'] {
  return contextId === undefined ? undefined : { contextId, inquirerId: controller.wrapper.id };
}

/**
 * `@Ack()`: the reply is the first value the handler acknowledges with, whenever that comes (frames of
 * a connection wait behind it, as behind any pending handler); its return value is not the reply, as
 * with Nest gateways. A throw before the ack (handler, guard, pipe, interceptor) is the error reply.
 */
function acknowledged(run: (ack: (value?: unknown) => void) => Promise<unknown>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    run((value) => resolve(value)).catch((err: unknown) => reject(new EventReplyError(err)));
  });
}

function rethrowAsReply(err: unknown): never {
  throw new EventReplyError(err);
}

function firstValue(result: unknown): unknown {
  return isObservable(result) ? firstValueFrom(result, { defaultValue: undefined }) : result;
}
