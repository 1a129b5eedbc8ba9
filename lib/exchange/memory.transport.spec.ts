import { describe, expect, it } from 'vitest';
import { MemoryBus, MemoryTransport } from './memory.transport.js';

function collector() {
  const got: string[] = [];
  let wake: (() => void) | undefined;
  return {
    got,
    handler: (p: Buffer) => {
      got.push(p.toString());
      wake?.();
    },
    until: (n: number) => new Promise<void>((resolve) => (wake = () => got.length >= n && resolve())),
  };
}

describe('MemoryTransport', () => {
  it('delivers in publish order, asynchronously, to every subscriber of the exact channel', async () => {
    const bus = new MemoryBus();
    const a = new MemoryTransport(bus);
    const b = new MemoryTransport(bus);
    const c = collector();
    const other = collector();
    await b.subscribe('p.all', c.handler);
    await b.subscribe('p.al', other.handler);
    const done = c.until(3);
    for (const s of ['1', '2', '3']) await a.publish('p.all', Buffer.from(s));
    expect(c.got).toEqual([]); // not synchronous
    await done;
    expect(c.got).toEqual(['1', '2', '3']);
    expect(other.got).toEqual([]);
    expect(bus.subscriberCount('p.all')).toBe(1);
  });

  it('hands subscribers a copy, not the publisher buffer', async () => {
    const bus = new MemoryBus();
    const a = new MemoryTransport(bus);
    const c = collector();
    await a.subscribe('x', c.handler);
    const buf = Buffer.from('abc');
    const done = c.until(1);
    await a.publish('x', buf);
    buf.write('zzz');
    await done;
    expect(c.got).toEqual(['abc']);
  });

  it('reports down and up once each, refuses publishes while down and drops what was in flight', async () => {
    const bus = new MemoryBus();
    const a = new MemoryTransport(bus);
    const statuses: string[] = [];
    a.onStatus((s, cause) => statuses.push(cause ? `${s}:${cause.message}` : s));
    const c = collector();
    await a.subscribe('x', c.handler);
    await a.publish('x', Buffer.from('lost'));
    bus.down(new Error('boom'));
    bus.down();
    expect(a.isUp).toBe(false);
    await expect(a.publish('x', Buffer.from('refused'))).rejects.toThrow(/down/);
    bus.up();
    bus.up();
    const done = c.until(1);
    await a.publish('x', Buffer.from('after'));
    await done;
    expect(c.got).toEqual(['after']);
    expect(statuses).toEqual(['down:boom', 'up']);
  });

  it('stops delivery on unsubscribe and close', async () => {
    const bus = new MemoryBus();
    const a = new MemoryTransport(bus);
    const b = new MemoryTransport(bus);
    const c = collector();
    await b.subscribe('x', c.handler);
    await b.subscribe('y', c.handler);
    await b.unsubscribe('x');
    await a.publish('x', Buffer.from('no'));
    await b.close();
    await a.publish('y', Buffer.from('no'));
    await new Promise((r) => setImmediate(r));
    expect(c.got).toEqual([]);
    expect(bus.channelNames()).toEqual([]);
    await expect(b.publish('y', Buffer.from('closed'))).rejects.toThrow(/closed/);
  });
});
