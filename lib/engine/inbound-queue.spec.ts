import { describe, expect, it } from 'vitest';
import { InboundQueue, QUEUED_FRAME_OVERHEAD } from './inbound-queue.js';

describe('InboundQueue', () => {
  it('is first in, first out across growth and wrap-around, with the binary flag of each frame', () => {
    const q = new InboundQueue();
    const out: string[] = [];
    let next = 0;
    // Interleave pushes and shifts so the ring wraps before and after it grows.
    for (let round = 0; round < 50; round++) {
      for (let k = 0; k < round % 7 + 3; k++) q.push(Buffer.from(String(next)), next++ % 2 === 1);
      for (let k = 0; k < 2 && q.length > 0; k++) {
        const binary = q.nextIsBinary;
        const frame = q.shift()!.toString();
        expect(binary).toBe(Number(frame) % 2 === 1);
        out.push(frame);
      }
    }
    while (q.length > 0) out.push(q.shift()!.toString());
    expect(out).toEqual(Array.from({ length: next }, (_, i) => String(i)));
    expect(q.shift()).toBeUndefined();
  });

  it('keeps its budget as running totals: payload plus a per-frame overhead', () => {
    const q = new InboundQueue();
    q.push(Buffer.alloc(10), false);
    q.push(Buffer.alloc(1), true);
    expect(q.length).toBe(2);
    expect(q.bytes).toBe(11 + 2 * QUEUED_FRAME_OVERHEAD);
    q.shift();
    expect(q.bytes).toBe(1 + QUEUED_FRAME_OVERHEAD);
    q.clear();
    expect([q.length, q.bytes]).toEqual([0, 0]);
  });

  it('takes constant time per frame: a million frames in and out in a bounded time', () => {
    const q = new InboundQueue();
    const frame = Buffer.from('x');
    const start = performance.now();
    for (let i = 0; i < 1_000_000; i++) q.push(frame, false);
    while (q.length > 0) q.shift();
    // Shifting a 1M-element array one frame at a time is quadratic (minutes); the ring is linear (tens
    // of ms on a quiet machine). The bound leaves room for a CI machine shared with other jobs.
    expect(performance.now() - start).toBeLessThan(5_000);
  });
});
