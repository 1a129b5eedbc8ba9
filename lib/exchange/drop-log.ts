// Log lines for bus messages a node drops (foreign, malformed, failing): a publisher gone wrong can
// send thousands a second, and one line each would flood the log and cost more than the messages.
// The first drop of a kind is logged as it is; further drops of that kind are only counted, and at
// the end of each interval one line says how many there were (and the last one's text). A kind that
// stayed quiet for a whole interval is logged in full again at its next drop. So a flood costs one
// line per kind per interval.
import type { NeffosLogger } from '../engine/stack-exchange.js';

/** One line per kind per this many ms, by default. */
export const DROP_LOG_INTERVAL_MS = 10_000;

type Level = 'warn' | 'error';

interface KindState {
  level: Level;
  suppressed: number;
  /** The last suppressed line, quoted in the count line. */
  last: string;
}

export class DropLog {
  private readonly kinds = new Map<string, KindState>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: () => NeffosLogger | undefined,
    private readonly intervalMs = DROP_LOG_INTERVAL_MS,
  ) {}

  /** Logs `line` unless a line of this `kind` was logged in the current interval; then counts it. */
  drop(kind: string, line: string, level: Level = 'warn'): void {
    const state = this.kinds.get(kind);
    if (state !== undefined) {
      state.suppressed++;
      state.last = line;
      return;
    }
    this.kinds.set(kind, { level, suppressed: 0, last: line });
    this.logger()?.[level](line);
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs).unref();
  }

  /** Stops the timer; counts not yet reported are dropped with it (the node is closing). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.kinds.clear();
  }

  private flush(): void {
    this.timer = undefined;
    const logger = this.logger();
    for (const [kind, state] of this.kinds) {
      if (state.suppressed === 0) {
        this.kinds.delete(kind);
        continue;
      }
      // Kinds of the direct node link (node-link.connection.ts) count sockets, not bus messages.
      const what = kind.startsWith('link-') ? 'direct-link socket(s)' : 'bus message(s)';
      logger?.[state.level](`exchange: ${state.suppressed} more ${what} of kind "${kind}" in the last ${this.intervalMs / 1000} s were not logged one by one; last: ${state.last}`);
      state.suppressed = 0;
    }
    // Kinds still flooding stay muted for another interval.
    if (this.kinds.size > 0) this.timer = setTimeout(() => this.flush(), this.intervalMs).unref();
  }
}
