// Messages received and not yet consumed by a test, and the waits on them. A wait takes the oldest
// matching message (one that arrived before the wait counts), has a timeout that names what it
// waited for, and fails at once when the inbox is closed (connection or namespace gone).
import type { Message } from '../protocol/index.js';
import { TestConnectionClosedError, TestTimeoutError } from './testing.errors.js';

interface Waiter {
  what: string;
  matches(msg: Message): boolean;
  resolve(msg: Message): void;
  reject(err: Error): void;
}

export interface CloseReason {
  code: number;
  reason: string;
}

export class Inbox {
  /** Every message received, in order, consumed or not. */
  readonly received: Message[] = [];
  private readonly unread: Message[] = [];
  private readonly waiters: Waiter[] = [];
  private closedBy: CloseReason | undefined;

  get isClosed(): boolean {
    return this.closedBy !== undefined;
  }

  /** Why it closed (the connection's close, or the namespace's disconnect); undefined while open. */
  get closeReason(): CloseReason | undefined {
    return this.closedBy;
  }

  push(msg: Message): void {
    this.received.push(msg);
    const i = this.waiters.findIndex((w) => w.matches(msg));
    if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(msg);
    else this.unread.push(msg);
  }

  /** Resolves with the oldest unread message that `matches` and consumes it. */
  take(matches: (msg: Message) => boolean, what: string, timeoutMs: number): Promise<Message> {
    const i = this.unread.findIndex(matches);
    if (i >= 0) return Promise.resolve(this.unread.splice(i, 1)[0]!);
    if (this.closedBy !== undefined) return Promise.reject(new TestConnectionClosedError(what, this.closedBy.code, this.closedBy.reason));
    return new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new TestTimeoutError(what, timeoutMs, this.describeUnread()));
      }, timeoutMs);
      const waiter: Waiter = {
        what,
        matches,
        resolve: (msg) => {
          clearTimeout(timer);
          resolve(msg);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Ends every wait: the connection or the namespace is gone. Unread messages stay readable. */
  close(reason: CloseReason): void {
    if (this.closedBy !== undefined) return;
    this.closedBy = reason;
    for (const w of this.waiters.splice(0)) w.reject(new TestConnectionClosedError(w.what, reason.code, reason.reason));
  }

  /** Messages received but not consumed yet, oldest first. */
  get pending(): readonly Message[] {
    return this.unread;
  }

  private describeUnread(): string {
    if (this.unread.length === 0) return 'nothing else arrived';
    const events = this.unread.slice(0, 10).map((m) => (m.room === '' ? m.event : `${m.event} in room ${m.room}`));
    return `unread meanwhile: ${events.join(', ')}${this.unread.length > 10 ? ', …' : ''}`;
  }
}
