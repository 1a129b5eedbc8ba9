// Ports neffos conn.go's reply writes (docs/protocol.md §2.2, §2.4, §3.2): runs an event handler and writes back
// what it returned — the reply body, an error reply, or the empty success reply of a system request.
import { isUint8Array } from 'node:util/types';
import { encodeEmptyReply, encodeFields, encodeReply, type Message } from '../protocol/index.js';
import type { Conn } from './conn.js';
import { BodyNotSerializableError, clientErrorText } from './engine.errors.js';
import { REJECTED } from './engine.messages.js';
import type { EventHandler } from './engine.types.js';
import { withinHandlerTimeout } from './handler-timeout.js';
import type { NSConn } from './namespace-conn.js';

/**
 * What a handler returned, as a body; `undefined` and `null` mean "no reply body". One place, so every
 * path replies the same way. What JSON cannot write (a function, a symbol, a cycle) throws a
 * BodyNotSerializableError; `replyTo` names the event in its message when the body is a reply.
 */
export function toBody(result: unknown, replyTo?: Message): Buffer | string | undefined {
  if (result === undefined || result === null) return undefined;
  if (typeof result === 'string') return result;
  if (Buffer.isBuffer(result)) return result;
  if (isUint8Array(result)) return Buffer.from(result.buffer, result.byteOffset, result.byteLength);
  let json: string | undefined;
  try {
    json = JSON.stringify(result);
  } catch (err) {
    throw new BodyNotSerializableError(bodyContext(replyTo), result, err);
  }
  // JSON.stringify gives undefined, not an error, for a function or a symbol: that used to be an empty reply.
  if (json === undefined) throw new BodyNotSerializableError(bodyContext(replyTo), result);
  return json;
}

function bodyContext(replyTo: Message | undefined): string {
  return replyTo === undefined ? 'a body' : `the reply to event "${replyTo.event}" of namespace "${replyTo.namespace}"`;
}

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Runs an event's handler and replies with its result, or with an error reply if it throws or
 * rejects. Returns a promise while an async handler is pending, so the connection holds later frames.
 */
export function answer(conn: Conn, msg: Message, handler: EventHandler, nsConn: NSConn): Promise<void> | undefined {
  let result: unknown;
  try {
    result = handler(msg, nsConn);
  } catch (err) {
    writeErrorReply(conn, msg, err);
    return undefined;
  }
  if (isPromiseLike(result)) {
    return withinHandlerTimeout(result, msg.event, conn.host.options.handlerTimeout).then(
      (value) => writeResult(conn, msg, value),
      (err: unknown) => writeErrorReply(conn, msg, err),
    );
  }
  writeResult(conn, msg, result);
  return undefined;
}

/**
 * @internal A handler's result meaning "no reply now; my layer writes it later with writeResult": frees the
 * connection's queue without answering (the Nest layer's `@Ack()` whose ack comes after the handler returned).
 */
export const REPLY_LATER: unique symbol = Symbol('neffos.replyLater');

/** A handler's result as the reply to `msg` (or as nothing, for a result-less event without a token). */
export function writeResult(conn: Conn, msg: Message, result: unknown): void {
  if (result === REPLY_LATER) return;
  let body: Buffer | string | undefined;
  try {
    body = toBody(result, msg);
  } catch (err) {
    // A value JSON cannot encode (a cycle, a BigInt, a function) is a handler failure: answer it, so an ask cannot hang.
    return writeErrorReply(conn, msg, err);
  }
  if (body === undefined && msg.token === '') return;
  conn.write(encodeReply(msg, body ?? ''), msg.isBinary);
}

/** A system request the client waits for (a token, and not a no-op). */
export function isRequest(msg: Message): boolean {
  return msg.token !== '' && !msg.isNoOp;
}

export function writeEmptyReply(conn: Conn, token: string): void {
  conn.write(encodeEmptyReply(token), false);
}

/**
 * Error replies are text frames even for binary requests, so neffos.js can read the text (docs/protocol.md §11).
 * The text is never empty: Go reads `is-error=1` with an empty body as success, neffos.js rejects with
 * `undefined` (docs/protocol.md §2.4), so `throw new Error('')` would otherwise pass for success with Go clients.
 * A thrown value not written for the client is reported and read as `Internal server error` (clientErrorText).
 */
export function writeErrorReply(conn: Conn, msg: Message, err: unknown): void {
  const text = clientErrorText(err, conn.host.options.exposeErrors, (e) => conn.host.reportError(e, conn));
  conn.write(encodeFields(msg.token, msg.namespace, msg.room, msg.event, true, msg.isNoOp, text || REJECTED), false);
}
