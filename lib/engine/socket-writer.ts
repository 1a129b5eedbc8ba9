// Ports the write side of neffos conn.go:Conn.Write: one frame onto one socket, under the backpressure
// policy (writeBufferHighWaterMark, onBackpressure). Frames are corked so the writes of one burst (the
// replies to a pipelined burst, a broadcast) leave in one writev, at the least cost per frame:
// - while one incoming frame of a socket is handled synchronously (holdWrites … releaseWrites), writes
//   to that socket are held and leave when the handling ends: at once when the received chunk holds no
//   further frame (no tick scheduled: the one-outstanding-ask case), else on the next tick, together
//   with the replies to the frames that follow;
// - any other write (an async reply, a broadcast) corks its socket for the rest of the tick.
// The budget counts what a pending frame costs, not only its bytes: ws writes each frame as a header and
// a payload Buffer, each a stream entry, so a flood of tiny replies held hundreds of MiB behind an
// 8 MiB "high-water mark".
import type { WebSocket } from 'ws';
import type { ResolvedEngineOptions } from './engine-options.js';

/**
 * `sent`: handed to the socket; `congested`: sent, and the socket holds over a quarter of its budget
 * (the caller stops reading until it drains); `dropped`: skipped under `onBackpressure: 'drop'`;
 * `overflow`: over the budget, the caller closes.
 */
export type WriteOutcome = 'sent' | 'congested' | 'dropped' | 'overflow';

/** What one pending write costs beyond its bytes (two per frame; ≈0.5 KiB a tiny frame, measured). */
export const PENDING_WRITE_OVERHEAD = 256;

const TEXT = { binary: false };
const BINARY = { binary: true };

/** The net.Socket under ws's WebSocket: corking it batches ws's frame writes. */
export interface RawSocket {
  readonly writableCorked: number;
  readonly writableNeedDrain: boolean;
  /** Node's own counter, O(1): writes whose callback is pending (ws reads `length` the same way). */
  readonly _writableState: { readonly pendingcb: number };
  cork(): void;
  uncork(): void;
  once(event: 'drain', listener: () => void): unknown;
}

/** ws's private parts read here: the socket it writes to, and the bytes its receiver has not parsed yet. */
interface WsInternals {
  _socket: RawSocket;
  _receiver: { _bufferedBytes: number } | undefined;
}

export function rawOf(socket: WebSocket): RawSocket {
  return (socket as unknown as WsInternals)._socket;
}

function uncork(raw: RawSocket): void {
  raw.uncork();
}

/** The socket whose incoming frame is being handled, and whether a write has corked it meanwhile. */
let holding: RawSocket | undefined;
let corkedWhileHolding = false;

/** Start of the synchronous handling of one incoming frame of `socket`. */
export function holdWrites(socket: WebSocket): void {
  holding = (socket as unknown as WsInternals)._socket;
  corkedWhileHolding = false;
}

/** End of it: what was written leaves now, or with the replies to the rest of the chunk. */
export function releaseWrites(socket: WebSocket): void {
  const raw = holding;
  holding = undefined;
  if (!corkedWhileHolding || raw === undefined) return;
  corkedWhileHolding = false;
  const more = ((socket as unknown as WsInternals)._receiver?._bufferedBytes ?? 0) > 0;
  if (more) process.nextTick(uncork, raw);
  else raw.uncork();
}

/** Bytes buffered for the socket plus the overhead of every write still pending on it. */
export function outboundCost(socket: WebSocket, raw: RawSocket): number {
  return socket.bufferedAmount + raw._writableState.pendingcb * PENDING_WRITE_OVERHEAD;
}

export function writeToSocket(socket: WebSocket, frame: Buffer | string, binary: boolean, options: ResolvedEngineOptions): WriteOutcome {
  const raw = (socket as unknown as WsInternals)._socket;
  const cost = outboundCost(socket, raw);
  if (cost > options.writeBufferHighWaterMark) return options.onBackpressure === 'drop' ? 'dropped' : 'overflow';
  if (raw.writableCorked === 0) {
    raw.cork();
    if (raw === holding) corkedWhileHolding = true;
    else process.nextTick(uncork, raw);
  }
  socket.send(frame, binary ? BINARY : TEXT);
  return cost > options.writeBufferHighWaterMark / 4 ? 'congested' : 'sent';
}
