// A connection keeps its handshake request (`conn.request`) for its lifetime, and every request holds
// its own copy of strings that are the same for most clients: header names, and the values of headers
// such as `Upgrade`, `Host`, `User-Agent` or `Accept-Language`. Replacing them with one shared copy
// (equal strings, so nothing a reader sees changes) saves ~0.3 KiB per idle connection of a minimal
// client and more of a browser. The table is bounded, so unique values cannot grow it for ever.
import type { IncomingMessage } from 'node:http';

/** Headers whose values repeat across clients; others (keys, cookies, tokens) are unique and not shared. */
const REPEATING_VALUES: ReadonlySet<string> = new Set([
  'host',
  'upgrade',
  'connection',
  'origin',
  'user-agent',
  'accept-encoding',
  'accept-language',
  'cache-control',
  'pragma',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
]);

const MAX_SHARED = 4_096;
const MAX_SHARED_LENGTH = 512;
const shared = new Map<string, string>();
const NO_TRAILERS = Object.freeze([]) as unknown as string[];

function share(text: string): string {
  if (text.length > MAX_SHARED_LENGTH) return text;
  const known = shared.get(text);
  if (known !== undefined) return known;
  if (shared.size < MAX_SHARED) shared.set(text, text);
  return text;
}

/** Swaps the request's repeating strings (header names, common values, a query-less url) and its empty trailers for shared copies. */
export function shareRequestStrings(req: IncomingMessage): void {
  const headers = req.headers;
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (typeof value === 'string' && REPEATING_VALUES.has(name)) headers[name] = share(value);
  }
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    raw[i] = share(raw[i]!);
    // Only values already shared through `headers` above: a raw value is never a new entry.
    const value = shared.get(raw[i + 1]!);
    if (value !== undefined) raw[i + 1] = value;
  }
  if (req.url !== undefined && !req.url.includes('?')) req.url = share(req.url);
  req.httpVersion = share(req.httpVersion);
  // An upgrade request has no trailers (its parser is gone): one empty list for all instead of one each.
  if (req.rawTrailers.length === 0) req.rawTrailers = NO_TRAILERS;
}
