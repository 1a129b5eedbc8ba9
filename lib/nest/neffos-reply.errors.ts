// One error path: whatever a handler, guard, pipe or interceptor throws becomes the text of an error
// reply. The engine's errorText turns any thrown value into text; the Nest layer only adds one step in
// front of it: Nest's HTTP and WS exceptions carry their text in their response, not always in `message`.
import { HttpException } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { errorText } from '../engine/index.js';

export function replyTextOf(err: unknown): string {
  return errorText(unwrapNestException(err));
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

/** Thrown to the engine so its error reply carries the Nest-aware text. */
export class EventReplyError extends Error {
  override name = 'EventReplyError';
  constructor(readonly original: unknown) {
    super(replyTextOf(original));
  }
}
