// The one plain-HTTP helper of the tests: a request without keep-alive (so no socket outlives it) that
// resolves with status, headers and body, within a timeout. The harnesses' `http()` methods wrap it.
import { request, type IncomingHttpHeaders } from 'node:http';
import { DEFAULT_WAIT_MS, withTimeout } from './wait.js';

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as UTF-8 text. */
  text: string;
  /** The body parsed as JSON. */
  json<T = unknown>(): T;
}

export interface HttpInit {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as JSON (with its content-type and length) unless `undefined`. */
  body?: unknown;
  timeoutMs?: number;
}

/** `init.method` (GET by default) on `url`; any status resolves, only a transport error or the timeout rejects. */
export function httpRequest(url: string, init: HttpInit = {}): Promise<HttpResult> {
  const method = init.method ?? 'GET';
  const payload = init.body === undefined ? undefined : JSON.stringify(init.body);
  const headers: Record<string, string | number> = { ...init.headers };
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(payload);
  }
  return withTimeout(
    new Promise<HttpResult>((resolve, reject) => {
      const req = request(url, { method, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    }),
    init.timeoutMs ?? DEFAULT_WAIT_MS * 2,
    `HTTP ${method} ${url}`,
  );
}
