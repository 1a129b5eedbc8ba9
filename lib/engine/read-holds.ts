// TCP backpressure on a client: its socket is not read while any reason holds (its inbound queue is over
// an eighth of its budget, its write budget over a quarter, its rate limit is waiting for tokens) and is
// read again when none is left, as Go's one reader per connection stops reading. A fast honest client is
// slowed down by TCP instead of being cut off; an abusive one only fills its own kernel buffers.
// A connection keeps its reasons as bits in one number; these functions return the new bits.
import type { WebSocket } from 'ws';

export const HOLD_QUEUE = 1;
export const HOLD_WRITES = 2;
export const HOLD_RATE = 4;

/** Adds `reason`; the socket is paused by the first one. */
export function holdReading(socket: WebSocket, holds: number, reason: number): number {
  if (holds === 0) socket.pause();
  return holds | reason;
}

/** Removes `reason`; the socket of an open connection is read again once no reason is left. */
export function releaseReading(socket: WebSocket, holds: number, reason: number, open: boolean): number {
  if ((holds & reason) === 0) return holds;
  const left = holds & ~reason;
  if (left === 0 && open) socket.resume();
  return left;
}
