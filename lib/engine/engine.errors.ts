// Typed failures of the engine, one class per thing that went wrong, so callers can match them with
// instanceof; each message (from engine.messages.ts) says what to do about it. Close codes are in
// CloseCode below.
import { BodyNotJsonError } from '../protocol/index.js';
import {
  ASK_TIMED_OUT,
  BAD_NAMESPACE,
  BAD_ROOM,
  CONNECTION_CLOSED,
  CONNECTION_NOT_FOUND,
  INTERNAL_ERROR,
  HANDLER_TIMED_OUT,
  TOO_MANY_PENDING_ASKS,
  ROOM_NAME_TOO_LONG, TOO_MANY_ROOMS,
  UNPRINTABLE_ERROR,
  CLOSE_CODE_NOT_SENDABLE,
  BODY_NOT_SERIALIZABLE,
} from './engine.messages.js';

export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  InternalError: 1011,
  TryAgainLater: 1013,
} as const;

/** Whether `code` may be sent in a close frame (RFC 6455, section 7.4: 1004-1006 and 1015 never are). */
export function isSendableCloseCode(code: unknown): code is number {
  return Number.isInteger(code) && (((code as number) >= 1000 && (code as number) <= 1014 && (code as number) !== 1004 && (code as number) !== 1005 && (code as number) !== 1006) || ((code as number) >= 3000 && (code as number) <= 4999));
}

export class NeffosError extends Error {
  override name = 'NeffosError';
}

/** A server-initiated ask, connect, join, leave or disconnect got no reply in time. */
export class AskTimeoutError extends NeffosError {
  override name = 'AskTimeoutError';
  constructor(
    readonly event: string,
    readonly timeoutMs: number,
  ) {
    super(ASK_TIMED_OUT(event, timeoutMs));
  }
}

/** The connection closed before the action could complete; pending asks reject with this. */
export class ConnectionClosedError extends NeffosError {
  override name = 'ConnectionClosedError';
  constructor(readonly connectionId: string) {
    super(CONNECTION_CLOSED(connectionId));
  }
}

/**
 * A handler's return value, or a body given to emit/broadcast/ask, that cannot go on the wire: a
 * function, a symbol, a bigint, a cycle. A programming error, so a TypeError and no NeffosError: as a
 * reply it is logged and the client reads `Internal server error`, never an empty success.
 */
export class BodyNotSerializableError extends TypeError {
  override name = 'BodyNotSerializableError';
  constructor(context: string, value: unknown, cause?: unknown) {
    super(BODY_NOT_SERIALIZABLE(context, value, cause instanceof Error ? cause.message : undefined), cause === undefined ? undefined : { cause });
  }
}

/** The peer answered with an error reply; `message` is the peer's own text. */
export class RemoteError extends NeffosError {
  override name = 'RemoteError';
}

/** The namespace is not registered on this server, or this connection is not connected to it. */
export class BadNamespaceError extends NeffosError {
  override name = 'BadNamespaceError';
  constructor(readonly namespace: string) {
    super(BAD_NAMESPACE(namespace));
  }
}

/** No connection with that id is on this server (or, with an exchange, on any node). */
export class ConnectionNotFoundError extends NeffosError {
  override name = 'ConnectionNotFoundError';
  constructor(readonly connectionId: string) {
    super(CONNECTION_NOT_FOUND(connectionId));
  }
}

/** The connection has not joined that room. */
export class BadRoomError extends NeffosError {
  override name = 'BadRoomError';
  constructor(
    readonly namespace: string,
    readonly room: string,
  ) {
    super(BAD_ROOM(namespace, room));
  }
}

/** Thrown by `authorize`/`onConnect`-style hooks to reject a handshake with a message the client sees. */
export class HandshakeRejectedError extends NeffosError {
  override name = 'HandshakeRejectedError';
}

/**
 * An error whose message is written for the client: thrown from a handler, a hook or `authorize`, its
 * text is the error reply (or `H<text>`) as it is. Any other thrown error reaches the client as
 * `Internal server error` (unless `exposeErrors`), and its stack goes to `onError`.
 */
export class ClientError extends NeffosError {
  override name = 'ClientError';
}

/** An option value the engine cannot work with; thrown once, at construction. */
export class InvalidOptionError extends NeffosError {
  override name = 'InvalidOptionError';
}

/** A server ask refused before it was sent: the connection has `maxPendingAsks` asks waiting already. */
export class TooManyPendingAsksError extends NeffosError {
  override name = 'TooManyPendingAsksError';
  constructor(
    readonly connectionId: string,
    readonly max: number,
  ) {
    super(TOO_MANY_PENDING_ASKS(connectionId, max));
  }
}

/** A join refused: the connection is in `maxRoomsPerConnection` rooms already. */
export class TooManyRoomsError extends NeffosError {
  override name = 'TooManyRoomsError';
  constructor(readonly max: number) {
    super(TOO_MANY_ROOMS(max));
  }
}

/** A room name longer than `maxRoomNameLength` bytes; a client's join gets this as its error reply. */
export class RoomNameTooLongError extends NeffosError {
  override name = 'RoomNameTooLongError';
  constructor(
    readonly bytes: number,
    readonly max: number,
  ) {
    super(ROOM_NAME_TOO_LONG(bytes, max));
  }
}

/** A handler did not settle within `handlerTimeout`; the client gets this as its error reply. */
export class HandlerTimeoutError extends NeffosError {
  override name = 'HandlerTimeoutError';
  constructor(
    readonly event: string,
    readonly timeoutMs: number,
  ) {
    super(HANDLER_TIMED_OUT(event, timeoutMs));
  }
}

/**
 * The text the client may read for a value thrown by application code (a handler, a hook, `authorize`):
 * a NeffosError's or a thrown string's own text (both are written for the client: the engine's refusals
 * and `ClientError`); anything else only with `exposeErrors` — by default it is reported to `report`
 * (with its stack) and the client reads `Internal server error`.
 */
export function clientErrorText(err: unknown, exposeErrors: boolean, report: (err: unknown) => void): string {
  if (err instanceof NeffosError || typeof err === 'string' || err instanceof BodyNotJsonError) return errorText(err);
  report(err);
  return exposeErrors ? errorText(err) : INTERNAL_ERROR;
}

/**
 * The text an error reply (or a handshake rejection) carries for a thrown value, for both layers (the
 * Nest layer only unwraps its exceptions in front of it). Never throws: a BigInt, a cycle, a symbol,
 * `null` or an object whose `toString` throws all give some text.
 */
export function errorText(err: unknown): string {
  try {
    if (err instanceof Error) return typeof err.message === 'string' ? err.message : String(err.message);
    if (typeof err === 'string') return err;
    // An Error of another realm (vm, worker) is no `instanceof Error`; a plain `{ message }` reads the same.
    const message = err !== null && typeof err === 'object' ? (err as { message?: unknown }).message : undefined;
    if (typeof message === 'string') return message;
    // JSON cannot write these two; String can.
    if (typeof err === 'bigint' || typeof err === 'symbol') return String(err);
    const json = JSON.stringify(err);
    if (json !== undefined) return json;
  } catch {
    // a cycle, a throwing toJSON or message getter: fall back to String below
  }
  try {
    return String(err);
  } catch {
    return UNPRINTABLE_ERROR;
  }
}

/** Throws an InvalidOptionError (before anything is closed) for a code no close frame may carry. */
export function assertSendableCloseCode(code: unknown): asserts code is number {
  if (!isSendableCloseCode(code)) throw new InvalidOptionError(CLOSE_CODE_NOT_SENDABLE(code));
}
