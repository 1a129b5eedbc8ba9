// Ports neffos message.go:serializeOutput and genEmptyReplyToWait (docs/protocol.md §2.1, §2.2).
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

/**
 * Encodes a frame into one buffer, so a broadcast encodes once and sends the same bytes to every
 * recipient. Flags are always written `0`/`1`, as both reference serializers do. Positional, for the
 * reply path; `encodeFrame` is the readable form.
 */
export function encodeFields(token: string, namespace: string, room: string, event: string, isError: boolean, isNoOp: boolean, body: Buffer | string): Buffer {
  const head = `${token};${escapeField(namespace)};${escapeField(room)};${escapeField(event)};${isError ? '1' : '0'};${isNoOp ? '1' : '0'};`;
  if (typeof body === 'string') return Buffer.from(head + body, 'utf8');
  const headLength = Buffer.byteLength(head);
  const out = Buffer.allocUnsafe(headLength + body.length);
  out.write(head, 0, 'utf8');
  body.copy(out, headLength);
  return out;
}

export function encodeFrame(f: FrameFields): Buffer {
  return encodeFields(f.token, f.namespace, f.room, f.event, f.isError, f.isNoOp, f.body);
}

/**
 * The success reply to a received `msg`, carrying `body`. When the received header can be reused (an
 * ASCII header with flags `0;0;`, see the decoder) and no field of `msg` has changed since, its bytes
 * are copied instead of encoding the fields again: the header of a reply equals the request's.
 */
export function encodeReply(msg: Message, body: Buffer | string): Buffer {
  const frame = msg.reusableFrame();
  if (frame === undefined) return encodeFields(msg.token, msg.namespace, msg.room, msg.event, false, msg.isNoOp, body);
  const head = msg.receivedHeadLength;
  if (typeof body === 'string') {
    const out = Buffer.allocUnsafe(head + Buffer.byteLength(body));
    frame.copy(out, 0, 0, head);
    out.write(body, head, 'utf8');
    return out;
  }
  const out = Buffer.allocUnsafe(head + body.length);
  frame.copy(out, 0, 0, head);
  body.copy(out, head);
  return out;
}

/** The success answer to a system request: the token and six empty fields, flags empty too (docs/protocol.md §2.2). */
export function encodeEmptyReply(token: string): string {
  return `${token};;;;;;`;
}
