// A token bucket for one connection's inbound message rate: `burst` tokens, refilled at `perMs`.
// Refilled lazily, only when it runs empty, so a frame that finds a token costs no clock read and an idle
// connection no timer. (The refill then credits the whole time since the last one, capped at `burst`:
// after an idle stretch a client may send up to two bursts back to back, then the rate holds.)

/** One clock for every bucket (a bound function each would cost memory per connection). */
const monotonic = (): number => performance.now();

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perMs: number,
    private readonly burst: number,
    /** Tokens already spent at creation (frames counted before the bucket was made). */
    spent = 0,
    private readonly now: () => number = monotonic,
  ) {
    this.tokens = Math.max(0, burst - spent);
    this.last = now();
  }

  /** Takes one token if there is one. */
  take(): boolean {
    if (this.tokens < 1) this.refill();
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }

  /** Milliseconds until a token will be available (0 if one is). */
  msUntilToken(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.perMs);
  }

  private refill(): void {
    const now = this.now();
    const elapsed = now - this.last;
    this.last = now;
    if (elapsed > 0) this.tokens = Math.min(this.burst, this.tokens + elapsed * this.perMs);
  }
}
