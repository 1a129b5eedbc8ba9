// One error path: whatever a handler, guard, pipe, interceptor or lifecycle hook throws becomes the
// text of an error reply. Written for the client, as Nest gateways see it: WsException, HttpException
// and neffos's own errors (NeffosError) keep their text; anything else — a bug's TypeError, a driver's
// "connection refused at 10.0.0.5:5432" — is logged with its stack through Nest's Logger and reaches the
// client as `Internal server error`, unless the module option `exposeErrors` is set (development).
// The engine's errorText turns any value into text; the Nest layer only unwraps its exceptions first.
import { HttpException, Logger } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { errorText, INTERNAL_ERROR, NeffosError } from '../engine/index.js';
import { BodyNotJsonError } from '../protocol/index.js';
import { THROWN_NOT_ERROR } from './neffos.messages.js';

export function replyTextOf(err: unknown): string {
  return errorText(unwrapNestException(err));
}

/** Whether a thrown value was written for the client to read. */
export function isForClient(err: unknown): boolean {
  return err instanceof WsException || err instanceof HttpException || err instanceof NeffosError || err instanceof BodyNotJsonError;
}

/** What a Nest exception means to say: its response's (or error's) message, a ValidationPipe list joined. */
function unwrapNestException(err: unknown): unknown {
  let value: unknown;
  if (err instanceof WsException) value = err.getError();
  else if (err instanceof HttpException) value = err.getResponse();
  else return err;
  const message = value !== null && typeof value === 'object' ? (value as { message?: unknown }).message : undefined;
  if (Array.isArray(message)) return message.map((item) => errorText(item)).join('; ');
  return value;
}

/**
 * Thrown to the engine with the text the client may read; a NeffosError, so the engine sends it as it is.
 * `original` keeps the thrown value.
 */
export class EventReplyError extends NeffosError {
  override name = 'EventReplyError';
  constructor(
    readonly original: unknown,
    text: string,
  ) {
    super(text);
  }
}

/**
 * Turns thrown values into EventReplyErrors under the module's `exposeErrors`, logging unexpected ones.
 * `where` (e.g. `ChatController.save`) names the thrower in the log line of a value that is no Error,
 * which has no stack: a bare `null` or `a string` in the log said nothing about where it came from.
 */
export class ReplyErrors {
  constructor(
    private readonly exposeErrors: boolean,
    private readonly where = 'a handler',
    private readonly logger = new Logger('NeffosModule'),
  ) {}

  /** The same, for one thrower. */
  at(where: string): ReplyErrors {
    return new ReplyErrors(this.exposeErrors, where, this.logger);
  }

  of(err: unknown): EventReplyError {
    if (err instanceof EventReplyError) return err;
    if (isForClient(err)) return new EventReplyError(err, replyTextOf(err));
    this.logger.error(err instanceof Error ? (err.stack ?? err.message) : THROWN_NOT_ERROR(this.where, thrownText(err)));
    return new EventReplyError(err, this.exposeErrors ? replyTextOf(err) : INTERNAL_ERROR);
  }

  /** For promise chains: `.catch(replies.rethrow)`. */
  readonly rethrow = (err: unknown): never => {
    throw this.of(err);
  };
}

/** A thrown non-Error as the log shows it: a string quoted, so `throw 'null'` and `throw null` differ. */
function thrownText(err: unknown): string {
  return typeof err === 'string' ? `the string ${JSON.stringify(err)}` : errorText(err);
}
