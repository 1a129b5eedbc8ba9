// Mounting on an existing http.Server without taking it over: upgrades for other paths are left to
// their owners (Nest's WsAdapter destroys them; we must not), and a HEAD probe on our path — how
// neffos.js checks that the server is back before reconnecting (docs/protocol.md §6.6) — gets an answer.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface UpgradeTarget {
  matches(req: IncomingMessage): boolean;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
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
    } else {
      refuseIfUnanswered(socket);
    }
  };

  // The HEAD probe must be answered before the app's own router (which would 404 or hang).
  const previous = server.listeners('request') as RequestListener[];
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method === 'HEAD' && target.matches(req)) {
      res.writeHead(204, { 'Content-Length': '0' }).end();
      return;
    }
    // No app serves HTTP here: answer on our path as Go does (docs/protocol.md §1.1) instead of leaving it hanging.
    if (previous.length === 0 && server.listenerCount('request') === 1 && target.matches(req)) {
      if (req.method === 'GET') res.writeHead(400, { 'Content-Length': '0', 'Sec-WebSocket-Version': '13' }).end();
      else res.writeHead(405, { 'Content-Length': '0', Allow: 'GET' }).end();
      return;
    }
    for (const listener of previous) listener.call(server, req, res);
  };
  server.removeAllListeners('request');
  server.on('request', onRequest);
  server.on('upgrade', onUpgrade);

  return () => {
    server.off('upgrade', onUpgrade);
    server.off('request', onRequest);
    for (const listener of previous) server.on('request', listener);
  };
}

/** How long another upgrade listener gets to answer an upgrade we do not route (engine.io waits as long). */
const UNANSWERED_UPGRADE_MS = 1_000;

/**
 * An upgrade for a path nobody serves would otherwise hang (every listener here leaves paths it does not
 * serve to the others), and its socket would keep `app.close()` from finishing. Like engine.io's
 * `destroyUpgrade`: if nothing has been written to it after a while, refuse it.
 */
export function refuseIfUnanswered(socket: Duplex): void {
  setTimeout(() => {
    if (socket.writable && (socket as Duplex & { bytesWritten?: number }).bytesWritten === 0) {
      refuseUpgrade(socket, 404, 'Not Found');
    }
  }, UNANSWERED_UPGRADE_MS).unref();
}

/** Answers an upgrade request with a bodiless HTTP error and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number, text: string): void {
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
 * Headers that describe the transport and the peer, vouched for by the browser or a proxy. Go adds
 * query values to them too; we do not: an appended value would let any page or client spoof them
 * (an `Origin` the app checks again, the hop a proxy appended last to `X-Forwarded-For`).
 */
const PROTECTED_HEADERS: ReadonlySet<string> = new Set(['host', 'origin', 'cookie', 'connection', 'upgrade', 'forwarded', 'x-real-ip']);

function isProtectedHeader(name: string): boolean {
  return PROTECTED_HEADERS.has(name) || name.startsWith('sec-websocket-') || name.startsWith('x-forwarded-');
}

/**
 * Browsers cannot set headers on a WebSocket, so neffos.js sends them as `X-Websocket-Header-<name>`
 * query parameters; Go's server turns them back into headers (docs/protocol.md §1.1, §6.8), and so do we, except
 * for the transport and proxy headers above.
 */
export function mergeQueryHeaders(req: IncomingMessage): void {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (q < 0 || !url.slice(q).toLowerCase().includes(HEADER_PREFIX)) return;
  for (const [key, value] of new URLSearchParams(url.slice(q + 1))) {
    const lower = key.toLowerCase();
    if (lower.length <= HEADER_PREFIX.length || !lower.startsWith(HEADER_PREFIX)) continue;
    const name = lower.slice(HEADER_PREFIX.length);
    if (isProtectedHeader(name)) continue;
    const existing = req.headers[name];
    req.headers[name] = existing === undefined ? value : `${String(existing)}, ${value}`;
  }
}
