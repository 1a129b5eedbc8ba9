// Ports the write side of neffos conn.go:Conn.Write: one frame onto one socket, under the backpressure
// policy (writeBufferHighWaterMark, onBackpressure), corked for the rest of the tick so the frames of
// one tick (the replies to a pipelined burst, a broadcast) leave in one writev.
import type { WebSocket } from 'ws';
import type { ResolvedEngineOptions } from './engine-options.js';

/** `sent`: handed to the socket; `dropped`: skipped under `onBackpressure: 'drop'`; `overflow`: the caller closes. */
export type WriteOutcome = 'sent' | 'dropped' | 'overflow';

const TEXT = { binary: false };
const BINARY = { binary: true };

/** The net.Socket under ws's WebSocket: corking it batches ws's frame writes. */
interface RawSocket {
  readonly writableCorked: number;
  cork(): void;
  uncork(): void;
}

function rawOf(socket: WebSocket): RawSocket {
  return (socket as unknown as { _socket: RawSocket })._socket;
}

function uncork(raw: RawSocket): void {
  raw.uncork();
}

export function writeToSocket(socket: WebSocket, frame: Buffer | string, binary: boolean, options: ResolvedEngineOptions): WriteOutcome {
  if (socket.bufferedAmount > options.writeBufferHighWaterMark) return options.onBackpressure === 'drop' ? 'dropped' : 'overflow';
  const raw = rawOf(socket);
  if (raw.writableCorked === 0) {
    raw.cork();
    process.nextTick(uncork, raw);
  }
  socket.send(frame, binary ? BINARY : TEXT);
  return 'sent';
}
