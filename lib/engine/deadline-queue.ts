// Timeouts for many short waits (server asks, cross-node calls) without a timer each. A Node timer per
// ask costs a timer-list insert and removal, and when asks run one at a time the list empties with
// each reply, so every ask also created the list and (re)started the libuv timer: the largest cost
// of an ask after its two socket writes. Here waits with the same timeout share a lane: deadlines in
// a lane come in the order they were added, so the lane needs one timer, armed for its oldest live
// deadline. Cancelling only marks the entry; the timer is not touched, and when it fires with nothing
// due it re-arms for the next live entry, or stops. So a steady stream of answered asks arms the
// lane's timer about once per timeout period instead of once per ask.
//
// Lanes are for the few timeouts an app uses (its askTimeout, a handful of per-call ones). Past
// MAX_LANES distinct values (timeouts computed per call), a new value's wait gets a timer of its own,
// as before: a lane lives until its timer fires, so thousands of one-off lanes would hold memory and
// timers for a whole timeout after their waits were answered.
//
// Lane timers are unref'd: what a wait waits on (a client's socket, a broker or node-link
// connection) keeps the process alive, and a closed engine or exchange cancels its waits.

export interface Deadline {
  readonly at: number;
  /** Cleared once fired or cancelled. */
  fire: (() => void) | undefined;
  /** Undefined for a wait with a timer of its own (past MAX_LANES). */
  readonly lane: Lane | undefined;
  /** That timer. */
  timer?: NodeJS.Timeout;
}

interface Lane {
  readonly ms: number;
  entries: Deadline[];
  /** Index of the oldest entry not yet passed by the timer. */
  head: number;
  live: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The longest delay a Node timer takes (a longer one fires after 1 ms, with a TimeoutOverflowWarning);
 * a longer wait here is re-armed for the rest when it fires.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Distinct timeout values with a lane of their own; waits with other values get a timer each. */
export const MAX_LANES = 32;

/** Dead entries a lane keeps before it compacts (when they also outnumber its live ones). */
const COMPACT_AFTER = 64;

export class DeadlineQueue {
  private readonly lanes = new Map<number, Lane>();

  /** Calls `fire` once after `ms` milliseconds unless `cancel` comes first. */
  add(ms: number, fire: () => void): Deadline {
    let lane = this.lanes.get(ms);
    if (lane === undefined) {
      if (this.lanes.size >= MAX_LANES) return this.alone(ms, fire);
      lane = { ms, entries: [], head: 0, live: 0, timer: undefined };
      this.lanes.set(ms, lane);
    }
    const deadline: Deadline = { at: performance.now() + ms, fire, lane };
    lane.entries.push(deadline);
    lane.live++;
    if (lane.timer === undefined) this.arm(lane, ms);
    return deadline;
  }

  /** Stops `deadline` from firing (a no-op once it has fired or been cancelled). */
  cancel(deadline: Deadline): void {
    if (deadline.fire === undefined) return;
    deadline.fire = undefined;
    const lane = deadline.lane;
    if (lane === undefined) {
      clearTimeout(deadline.timer);
      return;
    }
    lane.live--;
    const waiting = lane.entries.length - lane.head;
    if (lane.live === 0) {
      lane.entries.length = 0;
      lane.head = 0;
    } else if (waiting > COMPACT_AFTER && lane.live * 2 < waiting) {
      // A long wait at the head keeps the answered ones behind it: drop them.
      lane.entries = lane.entries.filter((d, i) => i >= lane.head && d.fire !== undefined);
      lane.head = 0;
    }
  }

  /** A wait with a timer of its own (see MAX_LANES). */
  private alone(ms: number, fire: () => void): Deadline {
    const deadline: Deadline = { at: performance.now() + ms, fire, lane: undefined };
    const expire = (): void => {
      const rest = deadline.at - performance.now();
      // Only past MAX_TIMER_MS (or a timer a little early) is there a rest to wait for.
      if (rest >= 1) return arm(rest);
      const f = deadline.fire;
      deadline.fire = undefined;
      f?.();
    };
    const arm = (delay: number): void => {
      deadline.timer = timer(expire, delay);
    };
    arm(ms);
    return deadline;
  }

  private arm(lane: Lane, ms: number): void {
    lane.timer = timer(() => this.run(lane), ms);
  }

  private run(lane: Lane): void {
    lane.timer = undefined;
    const now = performance.now();
    // Re-read each turn: a callback may add to the lane, or cancel and so compact it.
    while (lane.head < lane.entries.length) {
      const d = lane.entries[lane.head]!;
      if (d.fire !== undefined && d.at > now) break;
      lane.head++;
      const fire = d.fire;
      if (fire === undefined) continue;
      d.fire = undefined;
      lane.live--;
      fire();
    }
    // A callback above may have added to this lane, arming the timer for that entry, not for the head.
    if (lane.timer !== undefined) {
      clearTimeout(lane.timer);
      lane.timer = undefined;
    }
    if (lane.live === 0) {
      lane.entries.length = 0;
      lane.head = 0;
      if (this.lanes.get(lane.ms) === lane) this.lanes.delete(lane.ms);
      return;
    }
    // Fired entries are passed, not removed: a lane that never empties (unanswered asks, one after the
    // other) kept every one of them for good. Dropped once they are most of the array.
    if (lane.head > COMPACT_AFTER && lane.head * 2 > lane.entries.length) {
      lane.entries.splice(0, lane.head);
      lane.head = 0;
    }
    this.arm(lane, lane.entries[lane.head]!.at - now);
  }
}

/**
 * An unref'd timer for `delay` ms, at least 1 and at most what Node takes: past 2^31-1 ms Node fires at
 * once (TimeoutOverflowWarning), and a wait would re-arm every ms; its callback re-arms for the rest.
 */
function timer(callback: () => void, delay: number): NodeJS.Timeout {
  const t = setTimeout(callback, Math.min(Math.max(1, delay), MAX_TIMER_MS));
  t.unref();
  return t;
}
