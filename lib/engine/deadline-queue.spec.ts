import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineQueue, MAX_LANES } from './deadline-queue.js';

describe('DeadlineQueue', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fires each wait after exactly its timeout, in order, and leaves no timer behind', () => {
    const q = new DeadlineQueue();
    const fired: string[] = [];
    q.add(100, () => fired.push('a'));
    vi.advanceTimersByTime(30);
    q.add(100, () => fired.push('b'));
    q.add(50, () => fired.push('c'));
    vi.advanceTimersByTime(49);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['c']);
    vi.advanceTimersByTime(19);
    expect(fired).toEqual(['c']);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['c', 'a']);
    vi.advanceTimersByTime(29);
    expect(fired).toEqual(['c', 'a']);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['c', 'a', 'b']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a cancelled wait never fires, and a wait behind it still fires on time', () => {
    const q = new DeadlineQueue();
    const fired: string[] = [];
    const a = q.add(100, () => fired.push('a'));
    vi.advanceTimersByTime(10);
    q.add(100, () => fired.push('b'));
    q.cancel(a);
    q.cancel(a);
    vi.advanceTimersByTime(99);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['b']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('arms one timer for a stream of answered waits, not one per wait', () => {
    const q = new DeadlineQueue();
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    let fired = 0;
    for (let i = 0; i < 1_000; i++) {
      q.cancel(q.add(1_000, () => fired++));
      vi.advanceTimersByTime(1);
    }
    expect(setTimeoutSpy).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1_000);
    expect(fired).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    setTimeoutSpy.mockRestore();
  });

  it('compacts answered waits stuck behind a long one and still fires every live one once', () => {
    const q = new DeadlineQueue();
    const fired: number[] = [];
    q.add(1_000, () => fired.push(-1));
    const live: number[] = [];
    for (let i = 0; i < 500; i++) {
      const d = q.add(1_000, () => fired.push(i));
      if (i % 10 === 0) live.push(i);
      else q.cancel(d);
    }
    vi.advanceTimersByTime(1_000);
    expect(fired).toEqual([-1, ...live]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a wait added from a firing callback, or cancelling another, is timed from then', () => {
    const q = new DeadlineQueue();
    const fired: string[] = [];
    let later: ReturnType<DeadlineQueue['add']> | undefined;
    q.add(100, () => {
      fired.push('a');
      q.add(100, () => fired.push('again'));
      if (later !== undefined) q.cancel(later);
    });
    vi.advanceTimersByTime(50);
    later = q.add(100, () => fired.push('cancelled'));
    q.add(100, () => fired.push('c'));
    vi.advanceTimersByTime(50);
    expect(fired).toEqual(['a']);
    vi.advanceTimersByTime(49);
    expect(fired).toEqual(['a']);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['a', 'c']);
    vi.advanceTimersByTime(50);
    expect(fired).toEqual(['a', 'c', 'again']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a wait longer than a Node timer can take (2^31-1 ms, ~24.8 days) arms for the most it can, then for the rest', () => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const q = new DeadlineQueue();
    let fired = 0;
    q.add(3e9, () => fired++);
    // Past the limit Node fires at once (TimeoutOverflowWarning), and the lane then re-armed every ms.
    expect(setTimeoutSpy.mock.calls.map(([, ms]) => ms)).toEqual([2 ** 31 - 1]);
    vi.advanceTimersByTime(2 ** 31 - 1);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(3e9 - (2 ** 31 - 1) - 1);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(1);
    expect(setTimeoutSpy).toHaveBeenCalledTimes(2);
    expect(vi.getTimerCount()).toBe(0);
    setTimeoutSpy.mockRestore();
  });

  it(`past ${MAX_LANES} distinct timeouts, a wait gets a timer of its own, fires on time, and its cancel clears it`, () => {
    const q = new DeadlineQueue();
    const fired: number[] = [];
    for (let i = 0; i < MAX_LANES; i++) q.add(1_000 + i, () => fired.push(i));
    expect(vi.getTimerCount()).toBe(MAX_LANES);
    const alone = Array.from({ length: 100 }, (_, i) => q.add(5_000 + i, () => fired.push(5_000 + i)));
    expect(vi.getTimerCount()).toBe(MAX_LANES + 100);
    for (const d of alone.slice(0, 99)) q.cancel(d);
    expect(vi.getTimerCount()).toBe(MAX_LANES + 1);
    vi.advanceTimersByTime(1_000 + MAX_LANES);
    expect(fired).toEqual(Array.from({ length: MAX_LANES }, (_, i) => i));
    vi.advanceTimersByTime(5_099 - 1_000 - MAX_LANES - 1);
    expect(fired).toHaveLength(MAX_LANES);
    vi.advanceTimersByTime(1);
    expect(fired.at(-1)).toBe(5_099);
    expect(vi.getTimerCount()).toBe(0);
    // The lanes went with their waits: a new value has a lane again.
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    for (let i = 0; i < 10; i++) q.cancel(q.add(777, () => {}));
    expect(setTimeoutSpy).toHaveBeenCalledTimes(1);
    setTimeoutSpy.mockRestore();
  });

  it('forgets fired waits of a lane that never empties (a stream of unanswered asks), and fires each once', () => {
    const q = new DeadlineQueue();
    let fired = 0;
    for (let i = 0; i < 5_000; i++) {
      q.add(10, () => fired++);
      vi.advanceTimersByTime(1);
    }
    // Kept entries (the lane's array, read directly: there is no public size) are the live ones and at
    // most as many passed ones, not all 5,000 added since the lane was made.
    const lane = (q as unknown as { lanes: Map<number, { entries: unknown[] }> }).lanes.get(10)!;
    expect(lane.entries.length).toBeLessThan(200);
    vi.advanceTimersByTime(10);
    expect(fired).toBe(5_000);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not keep the process alive (its timer is unref\'d)', () => {
    vi.useRealTimers();
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const q = new DeadlineQueue();
    const d = q.add(60_000, () => {});
    // An unref'd timer is not an active resource; a plain setTimeout is.
    expect(timers()).toBe(before);
    const plain = setTimeout(() => {}, 60_000);
    expect(timers()).toBe(before + 1);
    clearTimeout(plain);
    q.cancel(d);
  });
});
