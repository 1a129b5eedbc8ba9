// Pending server-initiated asks of one connection, matched by token alone (docs/protocol.md §4.2). Unlike Go,
// every entry is removed on reply, timeout or close, and every waiter is settled (docs/protocol.md §4.4, §4.6).
import type { Message } from '../protocol/index.js';
import { AskTimeoutError, RemoteError } from './engine.errors.js';

interface PendingAsk {
  resolve(msg: Message): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class AskRegistry {
  private readonly pending = new Map<string, PendingAsk>();

  get size(): number {
    return this.pending.size;
  }

  /** Registers `token` and returns the promise of its reply; the caller writes the request after this. */
  wait(token: string, event: string, timeoutMs: number): Promise<Message> {
    return new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(new AskTimeoutError(event, timeoutMs));
      }, timeoutMs);
      this.pending.set(token, { resolve, reject, timer });
    });
  }

  /** Hands a reply to its waiter. Returns false when no ask is pending under that token. */
  settle(reply: Message): boolean {
    const entry = this.pending.get(reply.token);
    if (entry === undefined) return false;
    this.pending.delete(reply.token);
    clearTimeout(entry.timer);
    if (reply.isError) entry.reject(new RemoteError(reply.text()));
    else entry.resolve(reply);
    return true;
  }

  /** Rejects one pending ask, e.g. when its request could not be written. */
  cancel(token: string, err: Error): void {
    const entry = this.pending.get(token);
    if (entry === undefined) return;
    this.pending.delete(token);
    clearTimeout(entry.timer);
    entry.reject(err);
  }

  rejectAll(err: Error): void {
    for (const entry of this.pending.values()) {
      clearTimeout(entry.timer);
      entry.reject(err);
    }
    this.pending.clear();
  }
}
