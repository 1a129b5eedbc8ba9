// Pending server-initiated asks of one connection, matched by token alone (docs/protocol.md §4.2). Unlike Go,
// every entry is removed on reply, timeout or close, and every waiter is settled (docs/protocol.md §4.4, §4.6).
import type { Message } from '../protocol/index.js';
import { type Deadline, DeadlineQueue } from './deadline-queue.js';
import { AskTimeoutError, RemoteError } from './engine.errors.js';

/** Called once with the client's reply, or with why there is none (its error text, a timeout, a close). */
export type AskCallback = (err: Error | undefined, reply?: Message) => void;

interface PendingAsk {
  done: AskCallback;
  deadline: Deadline;
}

export class AskRegistry {
  private readonly pending = new Map<string, PendingAsk>();

  /** `deadlines`: the engine's, shared by its connections (one timer per timeout value, see deadline-queue.ts). */
  constructor(private readonly deadlines: DeadlineQueue = new DeadlineQueue()) {}

  get size(): number {
    return this.pending.size;
  }

  /**
   * Registers `token`; `done` runs once, from the reply's own read (no promise: `Conn.ask` wraps one
   * around it, the holding node of a cross-node ask does not). The caller writes the request after this.
   */
  waitFor(token: string, event: string, timeoutMs: number, done: AskCallback): void {
    const deadline = this.deadlines.add(timeoutMs, () => {
      this.pending.delete(token);
      done(new AskTimeoutError(event, timeoutMs));
    });
    this.pending.set(token, { done, deadline });
  }

  /** Hands a reply to its waiter. Returns false when no ask is pending under that token. */
  settle(reply: Message): boolean {
    const entry = this.pending.get(reply.token);
    if (entry === undefined) return false;
    this.pending.delete(reply.token);
    this.deadlines.cancel(entry.deadline);
    if (reply.isError) entry.done(new RemoteError(reply.text()));
    else entry.done(undefined, reply);
    return true;
  }

  /** Rejects one pending ask, e.g. when its request could not be written. */
  cancel(token: string, err: Error): void {
    const entry = this.pending.get(token);
    if (entry === undefined) return;
    this.pending.delete(token);
    this.deadlines.cancel(entry.deadline);
    entry.done(err);
  }

  rejectAll(err: Error): void {
    // Emptied first: a callback runs at once and may ask again (a promise's waiter would run later).
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) {
      this.deadlines.cancel(entry.deadline);
      entry.done(err);
    }
  }
}
