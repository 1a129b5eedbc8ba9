// Mounting on an existing http.Server without taking it over: upgrades for other paths are left to
// their owners (Nest's WsAdapter destroys them; we must not), and a HEAD probe on our path — how
// neffos.js checks that the server is back before reconnecting (docs/protocol.md §6.6) — gets an answer.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface UpgradeTarget {
  matches(req: IncomingMessage): boolean;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Answers a plain HTTP request the target serves itself (the client script); false to pass it on. */
  serveRequest?(req: IncomingMessage, res: ServerResponse): boolean;
  /** Told when an upgrade it did not match was refused with 404 (nobody else answered it). */
  refusedUnmatched?(req: IncomingMessage): void;
}

/** Request wrappers of detached engines that another engine's wrapper still called: what they pass on to. */
const passingOn = new WeakMap<RequestListener, RequestListener[]>();

/** The listeners to restore, with detached wrappers replaced by what they pass on to. */
function unwrap(listeners: readonly RequestListener[]): RequestListener[] {
  return listeners.flatMap((l) => {
    const inner = passingOn.get(l);
    return inner === undefined ? [l] : unwrap(inner);
  });
}

/** Attaches `target` to `server`; returns the function that detaches it and restores the server. */
export function attachToHttpServer(server: Server, target: UpgradeTarget): () => void {
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (target.matches(req)) {
      target.handleUpgrade(req, socket, head);
      return;
    }
    // Not ours. Another listener may own it; if we are the only one, nobody will ever answer it.
    if (server.listenerCount('upgrade') === 1) {
      refuseUpgrade(socket, 404, 'Not Found');
      target.refusedUnmatched?.(req);
    } else {
      refuseIfUnanswered(socket, () => target.refusedUnmatched?.(req));
    }
  };

  // Our path belongs to the app's router first: an HTTP route there (GET or HEAD) answers as the app
  // wrote it. Only what the app leaves unrouted (its 404) is ours: the HEAD probe neffos.js sends before
  // reconnecting (docs/protocol.md §6.6) and methods a WebSocket endpoint does not serve.
  const previous = server.listeners('request') as RequestListener[];
  let detached = false;
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (detached) {
      // Still called by a wrapper that was attached after us and outlived our detach.
      for (const listener of previous) listener.call(server, req, res);
      return;
    }
    if (target.serveRequest?.(req, res) === true) return;
    if (target.matches(req)) {
      // No app serves HTTP here: answer on our path as Go does (docs/protocol.md §1.1) instead of leaving it hanging.
      // (A listener added after us, such as a request logger, answers nothing: the probe is still ours.)
      if (previous.length === 0 && (req.method === 'HEAD' || server.listenerCount('request') === 1)) return answerUnrouted(req, res);
      if (req.method !== 'GET') claimIfUnrouted(req, res);
    }
    for (const listener of previous) listener.call(server, req, res);
  };
  server.removeAllListeners('request');
  server.on('request', onRequest);
  server.on('upgrade', onUpgrade);

  return () => {
    server.off('upgrade', onUpgrade);
    detached = true;
    // Put the listeners we took back in our place, unless someone (another engine) has taken over since:
    // then its wrapper still calls ours, which now only passes requests on.
    const now = server.listeners('request') as RequestListener[];
    const at = now.indexOf(onRequest);
    if (at < 0) {
      passingOn.set(onRequest, previous);
      return;
    }
    now.splice(at, 1, ...unwrap(previous));
    server.removeAllListeners('request');
    for (const listener of now) server.on('request', listener);
  };
}

/** The `Allow` of a path only the engine serves. */
const ALLOW = 'GET, HEAD';

/** Our answers on a path no HTTP route serves: HEAD 204 (the probe), GET 400 (not an upgrade), else 405. */
function answerUnrouted(req: IncomingMessage, res: ServerResponse): void {
  if (req.method === 'HEAD') res.writeHead(204, { 'Content-Length': '0' }).end();
  else if (req.method === 'GET') res.writeHead(400, { 'Content-Length': '0', 'Sec-WebSocket-Version': '13' }).end();
  else res.writeHead(405, { 'Content-Length': '0', Allow: ALLOW }).end();
}

/**
 * Lets the app's router answer first and takes over only its 404 (no route on our path): HEAD gets our
 * 204, other methods 405 with `Allow: GET, HEAD`. The 404 is caught where it is written — Express's final
 * handler sets `statusCode` and calls `end(body)`, Fastify calls `writeHead(404)` — and the app's
 * "not found" body is dropped, so the answer is exactly ours.
 */
function claimIfUnrouted(req: IncomingMessage, res: ServerResponse): void {
  const { writeHead, write, end } = res;
  let claimed = false;
  const claim = (): void => {
    claimed = true;
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    if (req.method === 'HEAD') writeHead.call(res, 204, { 'Content-Length': '0' });
    else writeHead.call(res, 405, { 'Content-Length': '0', Allow: ALLOW });
  };
  const unrouted = (status: number): boolean => !claimed && !res.headersSent && status === 404;
  res.writeHead = function (this: ServerResponse, status: number, ...rest: unknown[]) {
    if (unrouted(status)) {
      claim();
      return this;
    }
    return claimed ? this : (writeHead as (...a: unknown[]) => ServerResponse).call(this, status, ...rest);
  } as ServerResponse['writeHead'];
  res.write = function (this: ServerResponse, ...args: unknown[]) {
    if (unrouted(this.statusCode)) claim();
    if (claimed) {
      const cb = args.find((a) => typeof a === 'function') as (() => void) | undefined;
      if (cb !== undefined) process.nextTick(cb);
      return true;
    }
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as ServerResponse['write'];
  res.end = function (this: ServerResponse, ...args: unknown[]) {
    if (unrouted(this.statusCode)) claim();
    if (claimed) {
      const cb = args.find((a) => typeof a === 'function');
      return (end as (...a: unknown[]) => ServerResponse).call(this, ...(cb === undefined ? [] : [cb]));
    }
    return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['end'];
}

/** How long another upgrade listener gets to answer an upgrade we do not route (engine.io waits as long). */
const UNANSWERED_UPGRADE_MS = 1_000;

/** Upgrade sockets refused because no listener answered them: every listener that waited is told, whichever timer fired first. */
const refusedUnanswered = new WeakSet<Duplex>();

/**
 * An upgrade for a path nobody serves would otherwise hang (every listener here leaves paths it does not
 * serve to the others), and its socket would keep `app.close()` from finishing. Like engine.io's
 * `destroyUpgrade`: if nothing has been written to it after a while, refuse it. `onRefused` runs if it
 * was refused so (by this call or another listener's), not when another listener answered it.
 */
export function refuseIfUnanswered(socket: Duplex, onRefused?: () => void): void {
  guardUpgradeSocket(socket);
  setTimeout(() => {
    if (socket.writable && (socket as Duplex & { bytesWritten?: number }).bytesWritten === 0) {
      refuseUpgrade(socket, 404, 'Not Found');
      refusedUnanswered.add(socket);
    }
    if (refusedUnanswered.has(socket)) onRefused?.();
  }, UNANSWERED_UPGRADE_MS).unref();
}

/**
 * Node takes its own error handler off a socket before it emits 'upgrade', and whoever handles the
 * upgrade must add one (ws does in handleUpgrade). A socket we refuse or leave to others has none: a
 * client that resets the connection right after its request would turn our write into an uncaught
 * ECONNRESET and end the process.
 */
function guardUpgradeSocket(socket: Duplex): void {
  if (!socket.listeners('error').includes(destroyOnError)) socket.on('error', destroyOnError);
}

function destroyOnError(this: Duplex): void {
  this.destroy();
}

/** Answers an upgrade request with a bodiless HTTP error and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  guardUpgradeSocket(socket);
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** The path part of a request URL, without query or fragment. */
export function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

const HEADER_PREFIX = 'x-websocket-header-';

/**
 * Headers a query parameter may never set. The transport and peer headers are vouched for by the browser
 * or a proxy (Go adds query values to them too; we do not: an appended value would let any page or
 * client spoof an `Origin` the app checks again, or the hop a proxy appended last to `X-Forwarded-For`);
 * `authorization`, `proxy-authorization` and `cookie` are credentials, which a URL (logged, cached,
 * shared in a link) must not carry in; a header the app lists (`protectedHeaders`) joins them.
 */
const PROTECTED_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'origin',
  'cookie',
  'authorization',
  'proxy-authorization',
  'connection',
  'upgrade',
  'forwarded',
  'x-real-ip',
]);

function isProtectedHeader(name: string, extra: ReadonlySet<string> | undefined): boolean {
  return PROTECTED_HEADERS.has(name) || name.startsWith('sec-websocket-') || name.startsWith('x-forwarded-') || extra?.has(name) === true;
}

/**
 * Browsers cannot set headers on a WebSocket, so neffos.js sends them as `X-Websocket-Header-<name>`
 * query parameters; Go's server turns them back into headers (docs/protocol.md §1.1, §6.8), and so do we, with two
 * differences: a header the HTTP request itself carries (set by the client or by a proxy such as
 * `X-Auth-Request-User`) always wins and is never joined with query values, and the protected headers
 * above (plus `protectedHeaders`, lower-case names) are never taken from the query at all.
 */
export function mergeQueryHeaders(req: IncomingMessage, protectedHeaders?: ReadonlySet<string>): void {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (q < 0 || !url.slice(q).toLowerCase().includes(HEADER_PREFIX)) return;
  // Names the request already had: the query may add headers, never change one of these.
  const real = new Set(Object.keys(req.headers));
  for (const [key, value] of new URLSearchParams(url.slice(q + 1))) {
    const lower = key.toLowerCase();
    if (lower.length <= HEADER_PREFIX.length || !lower.startsWith(HEADER_PREFIX)) continue;
    const name = lower.slice(HEADER_PREFIX.length);
    if (real.has(name) || isProtectedHeader(name, protectedHeaders)) continue;
    const existing = req.headers[name];
    // Several query values of one header are joined, as Go adds each.
    req.headers[name] = existing === undefined ? value : `${String(existing)}, ${value}`;
  }
}

/** How often a closed engine looks whether its server's `close()` has been called. */
const CLOSE_WATCH_MS = 50;

/**
 * Node's `server.close()` waits for every open connection, and a TCP connection that never sent a
 * byte is not "idle" to `closeIdleConnections()`: one port scanner or stalled proxy would hold
 * `server.close()` (and Nest's `app.close()`) for ever. Called when the engine shuts down: once the
 * server stops listening (its `close()` was called, usually right after), idle connections are closed
 * at once and whatever is still open `graceMs` later is closed too. A server that goes on serving
 * after the engine closed is left alone. The timers never keep the process alive.
 */
export function closeLingeringConnections(server: Server, graceMs: number): void {
  const watch = setInterval(() => {
    if (server.listening) return;
    clearInterval(watch);
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), graceMs).unref();
  }, CLOSE_WATCH_MS).unref();
  server.once('close', () => clearInterval(watch));
}
