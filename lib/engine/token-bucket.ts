// A token bucket for one connection's inbound message rate: `burst` tokens, refilled at `perSecond`.
// Refilled lazily from the clock when a token is wanted, so an idle connection costs no timer.

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perMs: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  static perSecond(perSecond: number, burst: number, now: number): TokenBucket {
    return new TokenBucket(perSecond / 1000, burst, now);
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    if (this.tokens < 1) this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }

  /** Milliseconds until a token will be available (0 if one is). */
  msUntilToken(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.perMs);
  }

  private refill(now: number): void {
    const elapsed = now - this.last;
    this.last = now;
    if (elapsed > 0) this.tokens = Math.min(this.burst, this.tokens + elapsed * this.perMs);
  }
}
