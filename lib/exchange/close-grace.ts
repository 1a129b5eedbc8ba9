// A node's shutdown must not wait on a broker that hangs (a paused server, a half-open connection):
// the goodbye, the unsubscribes and a polite close each get a grace period, and past it the broker
// connections are dropped. Otherwise `app.close()`, and with it a rolling deploy, waited for ever.

/** How long each polite step of an exchange's `close()` may take, in ms. */
export const CLOSE_GRACE_MS = 2_000;

/** Resolves true once `work` settles (either way), false after `ms`; the work goes on, its outcome ignored. */
export function settlesWithin(work: Promise<unknown>, ms = CLOSE_GRACE_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const settled = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    work.then(settled, settled);
  });
}
