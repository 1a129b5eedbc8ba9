// The frames of socket reads run within the turn budget shared by every connection (turn-budget.ts).
// ws parses a whole read (up to 64 KiB, ~9,000 tiny frames) and emits its frames synchronously, one
// after the other, so without a bound one connection's read blocks every other connection for as long
// as its frames take. Once the turn's budget is spent, a read's frames go to their connection's queue
// (answered at the next turn, in one write), and past QUEUED_BEFORE_DEFER of them the rest of the read
// is handed to ws's deferred mode (its `allowSynchronousEvents: false`, switched for that socket alone):
// the next frame comes at the next loop turn, and the socket's frames run synchronously again once its
// connection has caught up (nothing queued, no handler pending); until then they come one per turn,
// queued behind the rest. A deferred frame costs a setImmediate and a write of its own, so an honest
// client's burst (a few dozen asks) is queued whole rather than deferred; a flood's read is cut short.
import type { WebSocket } from 'ws';
import { countFrame, currentTurn, turnSpent } from './turn-budget.js';

/** ws's private parts read here: the receiver that parses a socket's reads and emits their frames. */
interface WsReceiver {
  _receiver: { _allowSynchronousEvents?: boolean } | null | undefined;
}

/** Frames of one read queued once the turn's budget is spent, before the rest of the read is deferred. */
const QUEUED_BEFORE_DEFER = 64;

/** The socket whose frames came last, and in which turn: a frame of another socket or turn starts a run. */
let runSocket: WebSocket | undefined;
let runTurn = -1;
/** Frames of the run that came after the turn's budget was spent. */
let runOverBudget = 0;

/**
 * Counts one frame of `socket`; true when the turn's budget is spent: the caller queues the frame for
 * the next turn (and past QUEUED_BEFORE_DEFER such frames the rest of the read is deferred already).
 * `caughtUp`: the connection has nothing queued, so a deferred socket may run synchronously again.
 */
export function readSliceSpent(socket: WebSocket, caughtUp: boolean): boolean {
  if (socket !== runSocket || runTurn !== currentTurn()) {
    runSocket = socket;
    runTurn = currentTurn();
    runOverBudget = 0;
    // A frame delivered after a deferral, with nothing left behind it: the socket's frames may run
    // synchronously again.
    const receiver = (socket as unknown as WsReceiver)._receiver;
    if (caughtUp && !turnSpent() && receiver?._allowSynchronousEvents === false) receiver._allowSynchronousEvents = true;
  }
  if (!countFrame()) return false;
  if (++runOverBudget > QUEUED_BEFORE_DEFER) deferRestOfRead(socket);
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
