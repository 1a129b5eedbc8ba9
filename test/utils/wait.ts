// Event-driven waiting for tests: the one `withTimeout`, a deferred value, and an append-only log that
// tests can wait on. Every other helper in test/utils waits through these; nothing here sleeps.

/** How long a helper waits for one event (a frame, a close, a reply) unless told otherwise. */
export const DEFAULT_WAIT_MS = 2_000;

/** Rejects with a clear message when `promise` does not settle within `ms`; `onTimeout` cleans up. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string | (() => string), onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new Error(`timed out after ${ms} ms waiting for ${typeof what === 'function' ? what() : what}`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
  readonly settled: boolean;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  let settled = false;
  const promise = new Promise<T>((res, rej) => {
    resolve = (v) => {
      settled = true;
      res(v);
    };
    reject = (e) => {
      settled = true;
      rej(e);
    };
  });
  // A deferred nobody awaited must not become an unhandled rejection.
  promise.catch(() => {});
  return {
    promise,
    resolve,
    reject,
    get settled() {
      return settled;
    },
  };
}

/** Waits for a deferred with a timeout. */
export function waitFor<T>(d: Deferred<T> | Promise<T>, what: string, ms = DEFAULT_WAIT_MS): Promise<T> {
  return withTimeout('promise' in d ? d.promise : d, ms, what);
}

/** An append-only log of things that happened (hook calls, received messages) that a test can wait on. */
export class EventLog<T = string> {
  readonly entries: T[] = [];
  private readonly watchers: Array<{ test(entries: readonly T[]): boolean; done(): void }> = [];

  push(entry: T): void {
    this.entries.push(entry);
    for (const w of [...this.watchers]) {
      if (w.test(this.entries)) {
        this.watchers.splice(this.watchers.indexOf(w), 1);
        w.done();
      }
    }
  }

  /** Resolves with the first entry matching `predicate` (one already logged counts). */
  async waitFor(predicate: (entry: T) => boolean, what = 'a matching log entry', ms = DEFAULT_WAIT_MS): Promise<T> {
    await this.waitUntil((entries) => entries.some(predicate), what, ms);
    return this.entries.find(predicate)!;
  }

  /** Resolves once at least `n` entries were logged. */
  async waitForCount(n: number, what = `${n} log entries`, ms = DEFAULT_WAIT_MS): Promise<readonly T[]> {
    await this.waitUntil((entries) => entries.length >= n, what, ms);
    return this.entries;
  }

  waitUntil(test: (entries: readonly T[]) => boolean, what: string, ms = DEFAULT_WAIT_MS): Promise<void> {
    if (test(this.entries)) return Promise.resolve();
    let watcher!: { test(entries: readonly T[]): boolean; done(): void };
    const promise = new Promise<void>((resolve) => (watcher = { test, done: resolve }));
    this.watchers.push(watcher);
    return withTimeout(promise, ms, () => `${what} (log so far: ${JSON.stringify(this.entries)})`, () => {
      const i = this.watchers.indexOf(watcher);
      if (i >= 0) this.watchers.splice(i, 1);
    });
  }
}
