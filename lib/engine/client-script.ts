// `serveClient`: the browser build of neffos.js (the package's dependency) at `<path>/neffos.js`, and
// its source map beside it, as socket.io's `serveClient` serves its client: a page needs no bundler
// and no copy of node_modules, and always gets the client version the server was installed with.
// Read once, on the first request (neffos-js-path.ts says why it is found then); ETag plus `Cache-Control: public, max-age=0` (socket.io's choice)
// so browsers revalidate with a cheap 304 and never run an old client against a new server.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';

interface ServedFile {
  body: Buffer;
  etag: string;
  contentType: string;
}

const CACHE_CONTROL = 'public, max-age=0';

export class ClientScript {
  private readonly script: string;
  private readonly map: string;
  private files: Promise<Map<string, ServedFile>> | undefined;

  /** @param basePath the engine's path, e.g. `/chat` */
  constructor(basePath: string) {
    const base = basePath.endsWith('/') ? basePath.slice(0, -1) : basePath;
    this.script = `${base}/neffos.js`;
    this.map = `${base}/neffos.js.map`;
  }

  /** Whether a request path is one of the served files. */
  serves(path: string): boolean {
    return path === this.script || path === this.map;
  }

  /** Answers a GET or HEAD of the script or its map (200, or 304 for a matching If-None-Match). */
  handle(req: IncomingMessage, res: ServerResponse, path: string): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': '0' }).end();
      return;
    }
    this.load().then(
      (files) => {
        const file = files.get(path)!;
        const headers = { ETag: file.etag, 'Cache-Control': CACHE_CONTROL };
        if (req.headers['if-none-match'] === file.etag) {
          res.writeHead(304, headers).end();
          return;
        }
        res.writeHead(200, { ...headers, 'Content-Type': file.contentType, 'Content-Length': String(file.body.length) });
        res.end(req.method === 'HEAD' ? undefined : file.body);
      },
      () => {
        // Not found or unreadable (a broken install): answer, and try again on the next request.
        this.files = undefined;
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('neffos.js is not installed beside nestjs-neffos');
      },
    );
  }

  private load(): Promise<Map<string, ServedFile>> {
    this.files ??= (async () => {
      const { neffosJsPath } = await import('./neffos-js-path.js');
      const scriptPath = neffosJsPath();
      const [script, map] = await Promise.all([readFile(scriptPath), readFile(`${scriptPath}.map`)]);
      return new Map<string, ServedFile>([
        [this.script, served(script, 'text/javascript; charset=utf-8')],
        [this.map, served(map, 'application/json; charset=utf-8')],
      ]);
    })();
    return this.files;
  }
}

function served(body: Buffer, contentType: string): ServedFile {
  return { body, contentType, etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 27)}"` };
}
