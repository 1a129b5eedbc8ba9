// After a connection is closed for a broken budget, its peer gets CLOSE_GRACE_MS to make progress
// reading (what is buffered for it, then the close frame); one that does not is destroyed. ws would wait
// its 30 s close timeout, holding every buffered byte for a client that never reads.
import type { WebSocket } from 'ws';
import { dropSocket } from './drop-socket.js';

export const CLOSE_GRACE_MS = 1_000;

/** Arms the grace: called right after `socket.close(...)`. */
export function destroyUnlessReading(socket: WebSocket): void {
  setTimeout(onCloseGrace, CLOSE_GRACE_MS, socket, socket.bufferedAmount).unref();
}

function onCloseGrace(socket: WebSocket, buffered: number): void {
  if (socket.readyState === socket.CLOSED) return;
  const now = socket.bufferedAmount;
  if (now > 0 && now < buffered) setTimeout(onCloseGrace, CLOSE_GRACE_MS, socket, now).unref();
  else dropSocket(socket);
}
