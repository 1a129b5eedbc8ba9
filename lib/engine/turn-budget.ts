// How long the engine runs frames per event-loop turn, all connections together. Each connection used
// to get its own slice per read and per drain, so 48 flooding connections held one turn for 48 slices
// (0.49 s), and a handler's continuation (a resolved promise: resume, drain the next frame) started a
// fresh slice in every microtask, so one connection's refused room joins ran 2,000 at a time (88 ms).
// Every frame a connection takes in (from a socket read or its queue) is counted here; once the turn
// has run TURN_BUDGET_MS of frames, reads are deferred (read-slice.ts) and drains wait for the next
// turn in the run queue below. The next turn starts when that queue runs (one setImmediate), so the
// budget bounds the frames' work between two turns, whichever phase of the loop it ran in.
// Fair: a connection that waited gets at least one frame per turn, and those that got no share of the
// budget go first in the next turn, so one connection cannot take every turn's budget.

/** Longest the frames of all connections run between two turns of the run queue. */
export const TURN_BUDGET_MS = 4;
/** Frames counted before the clock is first read in a turn (then every as many): the clock is read rarely. */
const FRAMES_PER_CLOCK = 16;

/** A connection whose queued frames wait for the next turn. */
export interface TurnWaiter {
  /** Runs at the start of a turn: at least one frame, then as many as the budget allows. */
  runTurn(): void;
}

/** Turns so far; a frame of a different turn than the last one starts a new run of its socket (read-slice.ts). */
let turn = 0;
let frames = 0;
let start = 0;
let spent = false;
let turnScheduled = false;
/** Waiters that got no share of the last turn's budget (they go first), and the others. */
let starved: TurnWaiter[] = [];
let fed: TurnWaiter[] = [];
/** While the run queue runs: whether the budget was spent before the current waiter started. */
let runningStarved = false;
let running = false;

/**
 * Counts one frame's work; true once this turn's budget is spent (and until the next turn). A counter
 * per frame and a clock read every FRAMES_PER_CLOCK frames: this is on every frame's path.
 */
export function countFrame(): boolean {
  if (spent) return true;
  if (!turnScheduled) scheduleTurn();
  const n = ++frames;
  if (n < FRAMES_PER_CLOCK || n % FRAMES_PER_CLOCK !== 0) return false;
  const now = performance.now();
  if (n === FRAMES_PER_CLOCK) {
    start = now;
    return false;
  }
  if (now - start <= TURN_BUDGET_MS) return false;
  spent = true;
  return true;
}

/** Whether this turn's budget is spent (no frame counted). */
export function turnSpent(): boolean {
  return spent;
}

/** The current turn's number. */
export function currentTurn(): number {
  return turn;
}

/** Runs `waiter.runTurn()` at the next turn. The caller makes sure it waits once at a time. */
export function waitForNextTurn(waiter: TurnWaiter): void {
  // Cut short while another waited before it in this turn: it goes first next time.
  if (running && runningStarved) starved.push(waiter);
  else fed.push(waiter);
  if (!turnScheduled) scheduleTurn();
}

function scheduleTurn(): void {
  turnScheduled = true;
  setImmediate(nextTurn);
}

function nextTurn(): void {
  turn++;
  frames = 0;
  spent = false;
  turnScheduled = false;
  if (starved.length === 0 && fed.length === 0) return;
  const batch = starved.length === 0 ? fed : starved.concat(fed);
  starved = [];
  fed = [];
  running = true;
  for (const waiter of batch) {
    runningStarved = spent;
    try {
      waiter.runTurn();
    } catch (err) {
      // As uncaught as it was in a setImmediate of its own, without taking the other waiters' turn.
      queueMicrotask(() => {
        throw err;
      });
    }
  }
  running = false;
}
