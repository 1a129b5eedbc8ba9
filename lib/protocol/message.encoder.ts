// Ports neffos message.go:serializeOutput and genEmptyReplyToWait (spec §2.1, §2.2).
import { escapeField } from './escape.js';
import type { Message } from './message.js';

/** The fields of an outgoing frame; the body may be bytes or text (text is written as UTF-8). */
export interface FrameFields {
  token: string;
  namespace: string;
  room: string;
  event: string;
  isError: boolean;
  isNoOp: boolean;
  body: Buffer | string;
}

function header(f: FrameFields): string {
  return `${f.token};${escapeField(f.namespace)};${escapeField(f.room)};${escapeField(f.event)};${f.isError ? '1' : '0'};${f.isNoOp ? '1' : '0'};`;
}

/**
 * Encodes a frame into one buffer, so a broadcast encodes once and sends the same bytes to every
 * recipient. Flags are always written `0`/`1`, as both reference serializers do.
 */
export function encodeFrame(f: FrameFields): Buffer {
  const head = header(f);
  if (typeof f.body === 'string') return Buffer.from(head + f.body, 'utf8');
  const headLength = Buffer.byteLength(head);
  const out = Buffer.allocUnsafe(headLength + f.body.length);
  out.write(head, 0, 'utf8');
  f.body.copy(out, headLength);
  return out;
}

export function encodeMessage(msg: Message): Buffer {
  return msg.isNative ? msg.body : encodeFrame(msg);
}

/** The success answer to a system request: the token and six empty fields, flags empty too (spec §2.2). */
export function encodeEmptyReply(token: string): string {
  return `${token};;;;;;`;
}
