// handlerTimeout: a handler (or a lifecycle hook the client waits on) that never settles would hold its
// connection's queue for good; past the timeout it counts as failed, so the client gets an error reply
// and the next frames run. What the handler does later is ignored.
import { HandlerTimeoutError } from './engine.errors.js';

/** `result`, or a rejection with HandlerTimeoutError after `ms` (0: no timeout). */
export function withinHandlerTimeout<T>(result: PromiseLike<T>, event: string, ms: number): Promise<T> {
  if (ms === 0) return Promise.resolve(result);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new HandlerTimeoutError(event, ms)), ms);
    Promise.resolve(result).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
