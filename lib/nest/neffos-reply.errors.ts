// One error path: whatever a handler, guard, pipe or interceptor throws becomes the text of an error
// reply. Nest's HTTP and WS exceptions carry their text in their response, not always in `message`.
import { HttpException } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';

export function replyTextOf(err: unknown): string {
  if (err instanceof WsException) return textOf(err.getError());
  if (err instanceof HttpException) return textOf(err.getResponse());
  if (err instanceof Error) return err.message;
  return textOf(err);
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') {
    const message = (value as { message?: unknown }).message;
    if (typeof message === 'string') return message;
    if (Array.isArray(message)) return message.map(String).join('; ');
  }
  return JSON.stringify(value) ?? String(value);
}

/** Thrown to the engine so its error reply carries the Nest-aware text. */
export class EventReplyError extends Error {
  override name = 'EventReplyError';
  constructor(readonly original: unknown) {
    super(replyTextOf(original));
  }
}
