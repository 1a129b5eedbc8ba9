// Nest's BaseWsExceptionFilter (and catch-all filters built on it) answers a failure with
// `client.emit('exception', payload)`, and the engine then answered the same failure again with its own
// error reply: one failure, two different signals. So while a filtered handler's pipeline runs, an
// `exception` emit that answers a failure is caught and becomes the one error reply. An `exception`
// emit of the handler itself is not a failure's answer: it is sent as the ordinary event it is, and the
// handler's result stays the reply (as on the fast path, which has no filters).
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { finalize, type Observable } from 'rxjs';
import type { NSConn } from '../engine/index.js';
import type { Payload } from '../protocol/event-map.js';
import type { Message } from '../protocol/index.js';
import { EventReplyError, replyTextOf } from './neffos-reply.errors.js';

/** One filtered call: whether an `exception` emit now is a failure's answer, and the first one caught. */
interface FilteredCall {
  armed: boolean;
  caught: { payload: unknown } | undefined;
}

/** By the call's message: the one argument of the pipeline that is the call's own (see HandlerWatch). */
const calls = new WeakMap<Message, FilteredCall>();

/** Where `Message` sits in the pipeline's arguments `(nsConn, data, msg, [ack,] event)`. */
const MSG_ARG = 2;

/**
 * The innermost interceptor of a filtered handler: the call is disarmed from when its pipes and the
 * handler start until they finish, so the handler's own `exception` emits pass. Guards run before and
 * filters after it, outer interceptors around it: their emits, and any emit once the handler failed,
 * answer a failure. Nest hands interceptors the call's arguments, and the handler only its parameters
 * (with parameter decorators), so this is where the call can be told apart from concurrent ones.
 */
export const HANDLER_WATCH: NestInterceptor = {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const call = calls.get(context.getArgByIndex<Message>(MSG_ARG));
    if (call === undefined) return next.handle();
    call.armed = false;
    return next.handle().pipe(
      finalize(() => {
        call.armed = true;
      }),
    );
  },
};

/** Runs a filtered handler's pipeline for `msg`; a failure's `exception` emit makes it fail with the payload's message. */
export async function withFilterEmitsAsReply(msg: Message, nsConn: NSConn, run: () => unknown): Promise<unknown> {
  // Another filtered handler of this namespace connection is running (a hook fired meanwhile): it catches.
  if (nsConn.exceptionSink !== undefined) return run();
  const call: FilteredCall = { armed: true, caught: undefined };
  calls.set(msg, call);
  nsConn.exceptionSink = (payload) => {
    if (!call.armed) return nsConn.emitTo('', 'exception', payload as Payload, false);
    // Caught: it leaves as the error reply, when the call ends (as sure of reaching the client as any write).
    call.caught ??= { payload };
    return !nsConn.conn.isClosed;
  };
  try {
    let result: unknown;
    try {
      result = await run();
    } catch (err) {
      // A filter that answers by emitting and returns nothing (Nest's own WS filters do) leaves Nest's
      // external handler to rethrow the original error: the filter's answer is the one error reply.
      if (call.caught === undefined) throw err;
    }
    if (call.caught !== undefined) throw new EventReplyError(call.caught.payload, filterText(call.caught.payload));
    return result;
  } finally {
    nsConn.exceptionSink = undefined;
    calls.delete(msg);
  }
}

/** The text of a filter's `exception` payload: `{ status, message, cause }` or a WsException's own object. */
function filterText(payload: unknown): string {
  const message = payload !== null && typeof payload === 'object' ? (payload as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : replyTextOf(payload);
}
