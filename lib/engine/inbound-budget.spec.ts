import { describe, expect, it } from 'vitest';
import { type ResolvedEngineOptions, withDefaults } from './engine-options.js';
import { queueDrained, queueVerdict } from './inbound-budget.js';
import { InboundQueue, QUEUED_FRAME_OVERHEAD } from './inbound-queue.js';

// Budgets small enough to reach by hand: 160 frames, 160 × (1 KiB + overhead) bytes.
const FRAME = Buffer.alloc(1024);
const COST = FRAME.length + QUEUED_FRAME_OVERHEAD;
const options = (over: Partial<ResolvedEngineOptions> = {}): ResolvedEngineOptions =>
  ({ ...withDefaults({ path: '/ws', namespaces: { default: {} } }), maxQueuedFrames: 160, maxQueuedBytes: 160 * COST, ...over }) as ResolvedEngineOptions;

function queueOf(frames: number, frame = FRAME): InboundQueue {
  const q = new InboundQueue();
  for (let i = 0; i < frames; i++) q.push(frame, false);
  return q;
}

describe('inbound budget', () => {
  it('holds the socket past an eighth of either budget and closes past all of it', () => {
    const o = options();
    expect(queueVerdict(queueOf(20), o, false)).toBe('ok');
    expect(queueVerdict(queueOf(21), o, false)).toBe('hold');
    expect(queueVerdict(queueOf(161), o, false)).toEqual({ close: expect.stringContaining('maxQueuedFrames') });
    // Bytes alone: few frames, but big ones.
    expect(queueVerdict(queueOf(3, Buffer.alloc(8 * COST)), o, false)).toBe('hold');
  });

  it('reads a held socket again only once BOTH the frames and the bytes are down to a sixteenth', () => {
    const o = options();
    // 10 small frames: a sixteenth of the frame budget, and far under the bytes.
    expect(queueDrained(queueOf(10), o)).toBe(true);
    expect(queueDrained(queueOf(11), o)).toBe(false);
    // 2 frames (under a sixteenth of the count) that still hold more than a sixteenth of the bytes:
    // resuming on the count alone would read again while the bytes are over.
    const big = Buffer.alloc(6 * COST);
    expect(queueOf(2, big).bytes).toBeGreaterThan(o.maxQueuedBytes / 16);
    expect(queueDrained(queueOf(2, big), o)).toBe(false);
    // Many tiny frames (under a sixteenth of the bytes) that are over a sixteenth of the count.
    const tiny = options({ maxQueuedBytes: 1_000_000 * COST });
    expect(queueDrained(queueOf(11, Buffer.alloc(1)), tiny)).toBe(false);
  });
});
