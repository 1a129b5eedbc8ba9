import { describe, expect, it } from 'vitest';
import { InboundQueue } from './inbound-queue.js';

const bytes = (n: number): Buffer => Buffer.alloc(n, 0x61);

describe('InboundQueue', () => {
  it('hands frames back in arrival order with their binary flag', () => {
    const queue = new InboundQueue(100);
    queue.push(Buffer.from('a'), false);
    queue.push(Buffer.from('b'), true);
    expect(queue.length).toBe(2);
    expect(queue.shift()).toEqual({ data: Buffer.from('a'), binary: false });
    expect(queue.shift()).toEqual({ data: Buffer.from('b'), binary: true });
    expect(queue.shift()).toBeUndefined();
  });

  it('refuses a frame that would take it past its byte budget, and counts bytes back on shift', () => {
    const queue = new InboundQueue(10);
    expect(queue.push(bytes(6), false)).toBe(true);
    expect(queue.push(bytes(4), false)).toBe(true);
    expect(queue.push(bytes(1), false)).toBe(false);
    expect(queue.length).toBe(2);
    queue.shift();
    expect(queue.push(bytes(6), false)).toBe(true);
    expect(queue.push(bytes(1), false)).toBe(false);
  });
});
