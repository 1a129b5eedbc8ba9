// Turns what a handler returned into a reply body; one place, so every path replies the same way.
import { isUint8Array } from 'node:util/types';

/** `undefined` and `null` mean "no reply body". */
export function toBody(result: unknown): Buffer | string | undefined {
  if (result === undefined || result === null) return undefined;
  if (typeof result === 'string') return result;
  if (Buffer.isBuffer(result)) return result;
  if (isUint8Array(result)) return Buffer.from(result.buffer, result.byteOffset, result.byteLength);
  return JSON.stringify(result);
}

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
