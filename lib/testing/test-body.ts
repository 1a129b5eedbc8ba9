// What a test may send as a body, and how it goes on the wire: the same rules as the server's
// (DESIGN.md): text as is, bytes as is, anything else as JSON.

/** A body a test sends: text, bytes, or a value sent as JSON. */
export type TestBody = string | Uint8Array | number | boolean | null | object | undefined;

export function toWireBody(body: TestBody): string | Buffer {
  if (body === undefined) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return JSON.stringify(body);
}
