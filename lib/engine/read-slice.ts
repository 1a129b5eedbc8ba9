// How long the frames of one socket read may run in one loop turn. ws parses a whole read (up to 64 KiB,
// ~9,000 tiny frames) and emits its frames synchronously, one after the other, so without a bound one
// connection's read blocks every other connection for as long as its frames take. Past READ_SLICE_MS
// the rest of the read is handed to ws's deferred mode (its `allowSynchronousEvents: false`, switched
// for that socket alone): the next frame comes at the next loop turn, where a new slice starts if the
// connection has caught up (nothing queued, no handler pending); until then its frames keep coming one
// per turn, so a connection's work per turn is its queue's drain slice plus one frame, not two slices.
// Honest traffic never reaches the bound and keeps ws's synchronous delivery, the fast path.
import type { WebSocket } from 'ws';

/** Longest the frames of one read run back to back before the rest waits for the next loop turn. */
export const READ_SLICE_MS = 4;
/** Frames of a read run before the clock is first looked at (then every as many). */
const FRAMES_BEFORE_CLOCK = 16;

/** ws's private parts read here: the receiver that parses a socket's reads and emits their frames. */
interface WsReceiver {
  _receiver: { _allowSynchronousEvents?: boolean } | null | undefined;
}

/** Loop turns, counted so that frames of one read can be told from those of the next turn. */
let loopTurn = 0;
let turnEnding = false;

function nextTurn(): void {
  loopTurn++;
  turnEnding = false;
}

/** The socket whose frames are running back to back, since when, and how many so far. */
let runSocket: WebSocket | undefined;
let runTurn = -1;
let runFrames = 0;
let runStart = 0;

/**
 * Counts one frame of `socket`; true when its run (frames of one read in this loop turn) has used up
 * its slice, in which case the rest of the read is already deferred to the next turn. `caughtUp`: the
 * connection has nothing queued, so a deferred socket may run synchronously again.
 */
export function readSliceSpent(socket: WebSocket, caughtUp: boolean): boolean {
  if (socket !== runSocket || runTurn !== loopTurn) {
    runSocket = socket;
    runTurn = loopTurn;
    runFrames = 0;
    if (!turnEnding) {
      turnEnding = true;
      setImmediate(nextTurn);
    }
    // A frame delivered after a deferral, with nothing left behind it: the socket's frames may run
    // synchronously again.
    const receiver = (socket as unknown as WsReceiver)._receiver;
    if (caughtUp && receiver?._allowSynchronousEvents === false) receiver._allowSynchronousEvents = true;
  }
  const n = ++runFrames;
  if (n < FRAMES_BEFORE_CLOCK || n % FRAMES_BEFORE_CLOCK !== 0) return false;
  if (n === FRAMES_BEFORE_CLOCK) {
    runStart = performance.now();
    return false;
  }
  if (performance.now() - runStart <= READ_SLICE_MS) return false;
  deferRestOfRead(socket);
  return true;
}

/**
 * The frames ws still holds of this socket's reads come one per loop turn (a closed connection's stay so:
 * nothing turns them back on). False if this ws has no such switch: then the caller's queue is the bound.
 */
export function deferRestOfRead(socket: WebSocket): boolean {
  const receiver = (socket as unknown as WsReceiver)._receiver;
  if (receiver === null || receiver === undefined || !('_allowSynchronousEvents' in receiver)) return false;
  receiver._allowSynchronousEvents = false;
  return true;
}
