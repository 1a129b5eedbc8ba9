import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Message } from '../protocol/index.js';
import { AskRegistry } from './ask-registry.js';
import { AskTimeoutError, ConnectionClosedError, RemoteError } from './engine.errors.js';
import { ASK_TIMED_OUT } from './engine.messages.js';

const reply = (token: string, body = '', isError = false): Message => new Message({ token, body: Buffer.from(body), isError });

/** An ask's wait as `Conn.ask` makes it: a promise over the registry's callback. */
const wait = (asks: AskRegistry, token: string, event: string, timeoutMs: number): Promise<Message> =>
  new Promise((resolve, reject) => asks.waitFor(token, event, timeoutMs, (err, msg) => (err === undefined ? resolve(msg!) : reject(err))));

describe('AskRegistry', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('settles a waiter by its token alone and forgets it', async () => {
    const asks = new AskRegistry();
    const a = wait(asks, '1', 'a', 1_000);
    const b = wait(asks, '2', 'b', 1_000);
    expect(asks.size).toBe(2);
    expect(asks.settle(reply('2', 'two'))).toBe(true);
    expect(asks.settle(reply('1', 'one'))).toBe(true);
    expect((await a).text()).toBe('one');
    expect((await b).text()).toBe('two');
    expect(asks.size).toBe(0);
  });

  it('returns false for a token nobody waits for (and for a second reply to the same one)', async () => {
    const asks = new AskRegistry();
    const a = wait(asks, '1', 'a', 1_000);
    expect(asks.settle(reply('9'))).toBe(false);
    expect(asks.settle(reply('1'))).toBe(true);
    expect(asks.settle(reply('1'))).toBe(false);
    await a;
  });

  it('an error reply rejects with RemoteError carrying the peer text', async () => {
    const asks = new AskRegistry();
    const a = wait(asks, '1', 'a', 1_000);
    asks.settle(reply('1', 'no such thing', true));
    await expect(a).rejects.toEqual(new RemoteError('no such thing'));
  });

  it('times out with AskTimeoutError after exactly the timeout, and then forgets the token', async () => {
    const asks = new AskRegistry();
    const a = wait(asks, '1', 'slow', 500);
    const outcome = a.catch((err: unknown) => err);
    vi.advanceTimersByTime(499);
    expect(asks.size).toBe(1);
    vi.advanceTimersByTime(1);
    const err = await outcome;
    expect(err).toBeInstanceOf(AskTimeoutError);
    expect((err as AskTimeoutError).message).toBe(ASK_TIMED_OUT('slow', 500));
    expect(asks.size).toBe(0);
    expect(asks.settle(reply('1'))).toBe(false);
  });

  it('cancel rejects one waiter and clears its timer; rejectAll rejects every waiter', async () => {
    const asks = new AskRegistry();
    const a = wait(asks, '1', 'a', 1_000);
    const b = wait(asks, '2', 'b', 1_000);
    const c = wait(asks, '3', 'c', 1_000);
    asks.cancel('1', new ConnectionClosedError('x'));
    asks.cancel('1', new Error('twice is a no-op'));
    await expect(a).rejects.toBeInstanceOf(ConnectionClosedError);
    asks.rejectAll(new ConnectionClosedError('x'));
    await expect(b).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(c).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(asks.size).toBe(0);
    // Cancelling does not touch the shared lane timer (deadline-queue.ts): it fires once with nothing due, then stops.
    vi.advanceTimersByTime(1_000);
    expect(vi.getTimerCount()).toBe(0);
  });
});
