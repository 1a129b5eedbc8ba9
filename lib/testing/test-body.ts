// What a test may send as a body, and how it goes on the wire: the same rules as the server's
// (DESIGN.md): text as is, bytes as is, anything else as JSON.

import type { Payload } from '../protocol/event-map.js';

/** A body a test sends: text, bytes, or a value sent as JSON (a `Payload`: no functions, `Map`s …). */
export type TestBody = Payload;

/** A body on the wire; callers pass what their public signatures checked (a `TestBody` at least). */
export function toWireBody(body: unknown): string | Buffer {
  if (body === undefined) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return JSON.stringify(body);
}
