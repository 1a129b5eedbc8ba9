// Builds the function the engine calls for one handler, on one instance. Three plain builders: direct
// (no enhancer, no parameter decorator: nothing to pay for), enhanced (Nest's guards, pipes,
// interceptors and filters through ExternalContextCreator, built once per handler and instance), and
// guards-only (a class's guards on namespace connect when it has no connect hook of its own).
import { Inject, Injectable, Logger } from '@nestjs/common';
import { type ContextId, ExternalContextCreator } from '@nestjs/core';
import { firstValueFrom, isObservable } from 'rxjs';
import type { NSConn } from '../engine/index.js';
import { isPromiseLike, REPLY_LATER, writeErrorReply, writeResult } from '../engine/reply.writer.js';
import { type Message, OnNamespaceConnect, OnNamespaceDisconnect, OnRoomJoin, OnRoomLeave } from '../protocol/index.js';
import type { ControllerPlan, HandlerPlan } from './neffos.explorer.js';
import { ROUTE_ARGS_METADATA } from './neffos.constants.js';
import { NeffosMetadataAccessor } from './neffos-metadata.accessor.js';
import { messageData, neffosParamsFactory } from './neffos-params.factory.js';
import type { NeffosModuleOptions } from './interfaces/neffos-module-options.interface.js';
import { EventReplyError, ReplyErrors } from './neffos-reply.errors.js';
import { HANDLER_WATCH, withFilterEmitsAsReply } from './neffos-filter-emits.js';
import { NEFFOS_MODULE_OPTIONS } from './neffos.module-definition.js';
import { ACK_MISSING, ACK_MISSING_WARNING } from './neffos.messages.js';

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
  private readonly replies: ReplyErrors;
  private readonly logger = new Logger('NeffosModule');

  constructor(
    private readonly contextCreator: ExternalContextCreator,
    private readonly accessor: NeffosMetadataAccessor,
    @Inject(NEFFOS_MODULE_OPTIONS) options: NeffosModuleOptions,
  ) {
    this.replies = new ReplyErrors(options.exposeErrors === true);
  }

  /**
   * The handler of `plan` on `instance`: direct unless a parameter decorator or an enhancer (its own,
   * its class's, or a global one) needs the pipeline. `contextId` is given for a per-connection instance.
   */
  create(plan: HandlerPlan, instance: object, contextId: ContextId | undefined, globalEnhancers: boolean): Invoker {
    const method = (instance as Record<string, Method>)[plan.methodName]!;
    const replies = this.replies.at(`${plan.controller.metatype.name}.${plan.methodName}`);
    if (plan.decoratedParams || globalEnhancers || this.accessor.hasEnhancers(plan.controller.metatype, method)) {
      return this.enhanced(plan, instance, method, contextId, replies);
    }
    return this.direct(instance, method, replies);
  }

  /**
   * The fast path: the method itself, with `(msg, nsConn)`. Its result is unwrapped as the pipeline
   * does: any thenable (an async method's Promise of an Observable, a query builder), then an
   * Observable's first value, failures through the one error path. A plain result allocates nothing:
   * a string costs one `typeof`, an object two type checks.
   */
  direct(instance: object, method: Method, replies: ReplyErrors = this.replies): Invoker {
    return (msg, nsConn) => {
      let result: unknown;
      try {
        result = method.call(instance, msg, nsConn);
      } catch (err) {
        throw replies.of(err);
      }
      // Strings, undefined and numbers (most sync results) need neither check below.
      if (typeof result !== 'object' || result === null) return result;
      if (isPromiseLike(result)) return Promise.resolve(result).then(firstValue).catch(replies.rethrow);
      if (isObservable(result)) return firstValueFrom(result, { defaultValue: undefined }).catch(replies.rethrow);
      return result;
    };
  }

  /** The method behind Nest's pipeline; with parameter decorators its arguments come from the params factory. */
  enhanced(plan: HandlerPlan, instance: object, method: Method, contextId: ContextId | undefined, replies: ReplyErrors = this.replies): Invoker {
    const handled = new WeakSet<object>(); // the ack functions of calls whose handler ran to its end
    const target: Method = plan.ack
      ? async (...args) => {
          const result = await firstValue(method.apply(instance, args));
          // The arguments are the decorated parameters here; the ack is the function among them.
          for (const arg of args) if (typeof arg === 'function') handled.add(arg);
          return result;
        }
      : plan.decoratedParams
        ? (...args) => firstValue(method.apply(instance, args))
        : (nsConn, _data, msg) => firstValue(method.call(instance, msg, nsConn));
    this.accessor.copyMethodMetadata(method, target);
    // What enhancers see as context.getHandler(): its name keys logs and per-handler state (the
    // throttler's `${class}-${handler}` key), so it must be the method's, not an arrow's ''.
    Object.defineProperty(target, 'name', { value: plan.methodName });
    const veto = VETO_HOOKS.has(plan.event);
    if (!veto) this.accessor.addInnermostInterceptor(target, HANDLER_WATCH);
    const call = this.pipeline({
      instance,
      callback: target,
      methodName: plan.methodName,
      scope: scopeOf(plan.controller, contextId),
      guards: true,
      interceptors: true,
      // No filters on the hooks that veto by throwing: a filter returning a value (a catch-all
      // "AllExceptionsFilter") would turn a refused connect, join or leave into an accepted one.
      filters: !veto,
    });
    const { logger } = this;
    const unacknowledged = (ms: number): void => logger.warn(ACK_MISSING_WARNING(plan.controller.metatype.name, plan.methodName, ms));
    const run: (msg: Message, nsConn: NSConn) => Promise<unknown> = plan.ack
      ? (msg, nsConn) => acknowledged(replies, handled, msg, nsConn, unacknowledged, (ack) => call(nsConn, messageData(msg), msg, ack, msg.event))
      : // A filter's return value is not unwrapped by Nest; an Observable one (RpcExceptionFilter style) is here.
        (msg, nsConn) => call(nsConn, messageData(msg), msg, msg.event).then(firstValue);
    if (veto) return (msg, nsConn) => run(msg, nsConn).catch(replies.rethrow);
    // Failures become reply errors (and bugs are logged) only after the filter-emit check: a failure a
    // filter answered is no bug to log again, and its answer is the reply.
    return (msg, nsConn) => withFilterEmitsAsReply(msg, nsConn, () => run(msg, nsConn)).catch(replies.rethrow);
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
    return (msg, nsConn) => call(nsConn, messageData(msg), msg, msg.event).catch(this.replies.rethrow);
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
 * `@Ack()`: the reply is the first value the handler acknowledges with, whenever that comes; its return
 * value is not the reply, as with Nest gateways. A throw before the ack (handler, guard, pipe,
 * interceptor) is the error reply, unless a filter answers it with a value, which is then the reply; so
 * is an interceptor's value when it does not call the handler. Only a handler that ran to its end
 * leaves the reply to its ack.
 *
 * The connection's next frames wait while the handler runs, as behind any pending handler, but not
 * behind a missing ack: a handler that returned without acking (forgot to, or acks from a callback)
 * would otherwise hold its connection for good, every later frame queued until the 1008 close. So the
 * queue moves on at once (REPLY_LATER) and the ack has the connection's askTimeout: within it, its value
 * is written as the reply then; past it, the client gets the ACK_MISSING error reply, a warning is
 * logged, and a later ack is ignored. A handler that ran past `handlerTimeout` was answered by the
 * engine already: no late reply then.
 */
function acknowledged(
  replies: ReplyErrors,
  handled: WeakSet<object>,
  msg: Message,
  nsConn: NSConn,
  unacknowledged: (ms: number) => void,
  run: (ack: (value?: unknown) => void) => Promise<unknown>,
): Promise<unknown> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let acked = false;
    let answerLate: ((value: unknown) => void) | undefined;
    const ack = (value?: unknown): void => {
      if (acked) return;
      acked = true;
      if (answerLate === undefined) resolve(value);
      else answerLate(value);
    };
    // Raw: the caller turns failures into reply errors (and logs bugs) after the filter-emit check.
    const fail = (err: unknown): void => reject(err);
    run(ack).then((value) => {
      if (!handled.has(ack)) Promise.resolve(firstValue(value)).then(resolve, fail);
      else if (!acked && pastHandlerTimeout(nsConn, started)) {
        // The engine has answered (or is about to) with its HandlerTimeoutError: a late reply would be a
        // second one. A failure here is ignored if it did, and is the one answer if it is about to.
        acked = true;
        fail(new EventReplyError(undefined, ACK_MISSING(msg.event, nsConn.conn.host.options.handlerTimeout)));
      } else if (!acked) resolve(awaitLateAck(replies, msg, nsConn, unacknowledged, (answer) => (answerLate = answer), () => (acked = true)));
    }, fail);
  });
}

function pastHandlerTimeout(nsConn: NSConn, started: number): boolean {
  const { handlerTimeout } = nsConn.conn.host.options;
  return handlerTimeout > 0 && performance.now() - started >= handlerTimeout;
}

/**
 * Arms the bound of an ack that did not come while its handler ran, and returns REPLY_LATER so the
 * engine frees the queue without writing. `onAck` receives the writer of the late reply; `expire` marks
 * the ack as spent, so a call past the bound writes nothing.
 */
function awaitLateAck(
  replies: ReplyErrors,
  msg: Message,
  nsConn: NSConn,
  unacknowledged: (ms: number) => void,
  onAck: (answer: (value: unknown) => void) => void,
  expire: () => void,
): typeof REPLY_LATER {
  const { conn } = nsConn;
  const ms = conn.host.options.askTimeout;
  const timer = setTimeout(() => {
    expire();
    // A closed connection has nobody to answer and nothing to warn about: its client saw the close.
    if (conn.isClosed) return;
    unacknowledged(ms);
    writeErrorReply(conn, msg, new EventReplyError(undefined, ACK_MISSING(msg.event, ms)));
  }, ms);
  // Not a reason to keep the process alive: app.close() closes the connection, which makes it moot.
  timer.unref();
  onAck((value) => {
    clearTimeout(timer);
    Promise.resolve(value).then(
      (result) => writeResult(conn, msg, result),
      (err: unknown) => writeErrorReply(conn, msg, replies.of(err)),
    );
  });
  return REPLY_LATER;
}

function firstValue(result: unknown): unknown {
  return isObservable(result) ? firstValueFrom(result, { defaultValue: undefined }) : result;
}
