// Handlers several engine test files share, so each file states only what it is about.
//
//   const hold = useHold();                // in a describe: released after each test
//   namespaces: { default: { hold: hold.handler } }   // '$1;default;;hold;0;0;' keeps the connection busy
//   hold.release();                        // its reply `released` goes out, the queued frames run
//
//   const nsConns = await startEcho(h, { maxRoomsPerConnection: 3 });   // /echo, namespace default: echo
//   const ns = await nsConns.waitFor(() => true);                       // the server side of a connect
import { afterEach } from 'vitest';
import type { EngineOptions, EventHandler, NSConn } from '../../lib/engine/index.js';
import type { EngineHarness } from './engine-harness.js';
import { deferred, EventLog } from './wait.js';

export interface Hold {
  /** An event handler that stays pending (its connection's next frames queue behind it) until `release()`; then replies `released`. */
  readonly handler: EventHandler;
  /** Settles every pending and later `hold` of this test. */
  release(): void;
}

/** A `hold` handler for a describe block; each test starts held, and whatever is still held is released after it. */
export function useHold(): Hold {
  let gate = deferred<void>();
  afterEach(() => {
    gate.resolve();
    gate = deferred<void>();
  });
  return {
    handler: async () => {
      await gate.promise;
      return 'released';
    },
    release: () => gate.resolve(),
  };
}

/**
 * Starts `h` on `/echo` with namespace `default` (`echo` answers with the body, plus `events`), and
 * logs the server-side NSConn of every namespace connect.
 */
export async function startEcho(h: EngineHarness, options: Partial<EngineOptions> = {}, events: Record<string, EventHandler> = {}): Promise<EventLog<NSConn>> {
  const nsConns = new EventLog<NSConn>();
  await h.start({
    path: '/echo',
    namespaces: { default: { echo: (msg) => msg.body, ...events, _OnNamespaceConnected: (_msg, ns) => nsConns.push(ns) } },
    ...options,
  });
  return nsConns;
}
