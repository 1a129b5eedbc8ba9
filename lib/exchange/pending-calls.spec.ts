import { describe, expect, it } from 'vitest';
import { AskTimeoutError, ConnectionNotFoundError } from '../engine/engine.errors.js';
import { PendingCalls } from './pending-calls.js';

const timeout = () => new AskTimeoutError('q', 50);

describe('PendingCalls', () => {
  it('settles a request with the holder outcome and ignores later answers', async () => {
    const calls = new PendingCalls();
    const { rid, promise } = calls.request('c1', ['a', 'b'], 1000, timeout);
    calls.absent(rid, 'a');
    calls.resolved(rid, { reply: { namespace: 'n', room: '', event: 'q', body: Buffer.from('yes'), binary: false } });
    calls.resolved(rid, {});
    expect((await promise).reply?.body.toString()).toBe('yes');
    expect(calls.size).toBe(0);
  });

  it('fails fast with ConnectionNotFoundError once every node said absent, or at once with no node', async () => {
    const calls = new PendingCalls();
    const { rid, promise } = calls.request('c1', ['a', 'b'], 1000, timeout);
    calls.absent(rid, 'a');
    calls.absent(rid, 'b');
    await expect(promise).rejects.toBeInstanceOf(ConnectionNotFoundError);
    await expect(calls.request('c2', [], 1000, timeout).promise).rejects.toBeInstanceOf(ConnectionNotFoundError);
  });

  it('waits for its timer, not "not found", when a node died before answering', async () => {
    const calls = new PendingCalls();
    const { rid, promise } = calls.request('c1', ['a', 'b'], 50, timeout);
    calls.absent(rid, 'a');
    calls.nodeGone('b');
    await expect(promise).rejects.toBeInstanceOf(AskTimeoutError);
  });

  it('collects one answer per node, stops waiting for nodes that are gone, and settles on its timer', async () => {
    const calls = new PendingCalls();
    const q1 = calls.query(['a', 'b'], 1000);
    calls.answer(q1.rid, 'a', ['x']);
    calls.answer(q1.rid, 'a', ['dup']);
    calls.answer(q1.rid, 'new', ['y']);
    calls.nodeGone('b');
    expect(await q1.promise).toEqual([['x'], ['y']]);
    const q2 = calls.query(['silent'], 30);
    expect(await q2.promise).toEqual([]);
    expect(await calls.query([], 1000).promise).toEqual([]);
  });

  it('a request sent to one node asks the others through its fallback when that node says absent', async () => {
    const calls = new PendingCalls();
    const asked: string[] = [];
    const { rid, promise } = calls.request('c1', ['b'], 1000, timeout, () => {
      asked.push('fallback');
      return ['c', 'd'];
    });
    expect(calls.connectionOf(rid)).toBe('c1');
    calls.absent(rid, 'b');
    expect(asked).toEqual(['fallback']);
    calls.absent(rid, 'c');
    calls.resolved(rid, { reply: { namespace: 'n', room: '', event: 'q', body: Buffer.from('from d'), binary: false } });
    expect((await promise).reply?.body.toString()).toBe('from d');
    expect(calls.connectionOf(rid)).toBeUndefined();
  });

  it('a routed request fails fast when the fallback finds nobody, and waits for its timer when its node died', async () => {
    const calls = new PendingCalls();
    const absent = calls.request('c1', ['b'], 1000, timeout, () => ['c']);
    calls.absent(absent.rid, 'b');
    calls.absent(absent.rid, 'c');
    await expect(absent.promise).rejects.toBeInstanceOf(ConnectionNotFoundError);
    const none = calls.request('c2', ['b'], 1000, timeout, () => []);
    calls.absent(none.rid, 'b');
    await expect(none.promise).rejects.toBeInstanceOf(ConnectionNotFoundError);
    // The node it was sent to died: it may have held the connection, so only the timer can tell.
    let fellBack = 0;
    const died = calls.request('c3', ['b'], 50, timeout, () => (fellBack++, ['c']));
    calls.nodeGone('b');
    calls.absent(died.rid, 'c');
    await expect(died.promise).rejects.toBeInstanceOf(AskTimeoutError);
    expect(fellBack).toBe(1);
  });

  it('rejects everything on failAll', async () => {
    const calls = new PendingCalls();
    const r = calls.request('c', ['a'], 1000, timeout);
    const q = calls.query(['a'], 1000);
    calls.failAll(new Error('broker down'));
    await expect(r.promise).rejects.toThrow('broker down');
    await expect(q.promise).rejects.toThrow('broker down');
    expect(calls.size).toBe(0);
  });

  it('a lost link fails at once every request still waiting for that node, and leaves queries and other calls alone', async () => {
    const calls = new PendingCalls();
    const routed = calls.request('c1', ['b'], 10_000, timeout);
    const fanOut = calls.request('c2', ['a', 'b'], 10_000, timeout);
    const answeredByB = calls.request('c3', ['a', 'b'], 10_000, timeout);
    calls.absent(answeredByB.rid, 'b');
    const elsewhere = calls.request('c4', ['a'], 10_000, timeout);
    const query = calls.query(['a', 'b'], 10_000);
    calls.linkLost('b', () => new Error('link to b closed'));
    await expect(routed.promise).rejects.toThrow('link to b closed');
    await expect(fanOut.promise).rejects.toThrow('link to b closed');
    expect(calls.size).toBe(3);
    calls.resolved(answeredByB.rid, {});
    calls.resolved(elsewhere.rid, {});
    calls.answer(query.rid, 'a', 1);
    calls.answer(query.rid, 'b', 2);
    await expect(answeredByB.promise).resolves.toEqual({});
    await expect(elsewhere.promise).resolves.toEqual({});
    await expect(query.promise).resolves.toEqual([1, 2]);
  });
});
