/**
 * Round-trip latencies in 1 µs buckets up to 1 s (one preallocated 4 MB array; anything slower lands in
 * the last bucket, the exact maximum is kept apart). Recording is an index increment: no allocation on
 * the hot path, exact percentiles at 1 µs resolution.
 */
export class LatencyHistogram {
  private static readonly MAX_US = 1_000_000;
  private readonly buckets = new Uint32Array(LatencyHistogram.MAX_US + 1);
  private maxNs = 0;
  count = 0;

  record(ns: number): void {
    const us = Math.floor(ns / 1000);
    const bucket = us < LatencyHistogram.MAX_US ? us : LatencyHistogram.MAX_US;
    this.buckets[bucket] = this.buckets[bucket]! + 1;
    if (ns > this.maxNs) this.maxNs = ns;
    this.count++;
  }

  /** The latency (ms) below or at which `p` percent of the recorded round trips fall; 0 when empty. */
  percentileMs(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let us = 0; us < this.buckets.length; us++) {
      seen += this.buckets[us]!;
      if (seen >= rank) return us === LatencyHistogram.MAX_US ? this.maxMs() : (us + 1) / 1000;
    }
    return this.maxMs();
  }

  maxMs(): number {
    return this.maxNs / 1e6;
  }
}
