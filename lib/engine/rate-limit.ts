// One connection's inbound message rate (messageRate, messageBurst): its token bucket, and under
// `onRateLimit: 'delay'` the timer that ends the wait for the next token. Made only once the connection
// has sent FREE_FRAMES frames (counted by Conn until then): an idle connection never needs one.
import type { ResolvedEngineOptions } from './engine-options.js';
import { TokenBucket } from './token-bucket.js';

/** Frames a connection sends before it gets a rate limit of its own (they come out of its burst). */
export const FREE_FRAMES = 16;

export class RateLimit {
  private readonly bucket: TokenBucket;
  private timer: NodeJS.Timeout | undefined;

  /**
   * `spent`: frames already sent. The bucket is made with that many tokens fewer, so it is never laxer
   * than one made at the upgrade (which could only have refilled since).
   */
  constructor(o: ResolvedEngineOptions, spent: number) {
    this.bucket = new TokenBucket(o.messageRate, o.messageBurst, spent);
  }

  /** Whether the first free frames are still running uncounted: `count` of them sent so far. */
  static isFree(count: number, o: ResolvedEngineOptions): boolean {
    return count < Math.min(FREE_FRAMES, o.messageBurst);
  }

  take(): boolean {
    return this.bucket.take();
  }

  /** Calls `then(owner)` once the bucket holds a token again; false if a wait is already running. */
  waitForToken<T>(then: (owner: T) => void, owner: T): boolean {
    if (this.timer !== undefined) return false;
    this.timer = setTimeout(RateLimit.onToken<T>, Math.max(1, this.bucket.msUntilToken()), this, then, owner);
    return true;
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private static onToken<T>(limit: RateLimit, then: (owner: T) => void, owner: T): void {
    limit.timer = undefined;
    then(owner);
  }
}
