// Ports neffos conn.go's reply writes (spec §2.2, §2.4, §3.2): what the server writes back to a client's
// request — the empty success reply, an error reply, or the reply carrying what a handler returned.
import { encodeEmptyReply, encodeFields, type Message } from '../protocol/index.js';
import type { Conn } from './conn.js';
import { errorText } from './engine.errors.js';
import { REJECTED } from './engine.messages.js';
import { toBody } from './handler-result.js';

/** A system request the client waits for (a token, and not a no-op). */
export function isRequest(msg: Message): boolean {
  return msg.token !== '' && !msg.isNoOp;
}

export function writeEmptyReply(conn: Conn, token: string): void {
  conn.write(encodeEmptyReply(token), false);
}

/**
 * Error replies are text frames even for binary requests, so neffos.js can read the text (spec §11).
 * The text is never empty: Go reads `is-error=1` with an empty body as success, neffos.js rejects with
 * `undefined` (spec §2.4), so `throw new Error('')` would otherwise pass for success with Go clients.
 */
export function writeErrorReply(conn: Conn, msg: Message, err: unknown): void {
  conn.write(encodeFields(msg.token, msg.namespace, msg.room, msg.event, true, msg.isNoOp, errorText(err) || REJECTED), false);
}

/** A handler's result as the reply to `msg` (or as nothing, for a result-less event without a token). */
export function writeResult(conn: Conn, msg: Message, result: unknown): void {
  let body: Buffer | string | undefined;
  try {
    body = toBody(result);
  } catch (err) {
    // A value JSON cannot encode (a cycle, a BigInt) is a handler failure: answer it, so an ask cannot hang.
    return writeErrorReply(conn, msg, err);
  }
  if (body === undefined && msg.token === '') return;
  conn.write(encodeFields(msg.token, msg.namespace, msg.room, msg.event, false, msg.isNoOp, body ?? ''), msg.isBinary);
}
