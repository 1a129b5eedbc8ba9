// `serveClient: true` serves the neffos.js browser build of the package's dependency at
// `<path>/neffos.js` (and its source map), with an ETag and revalidation, on the bare engine and
// through Nest (Express and Fastify); off by default.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { NeffosController, NeffosModule } from 'nestjs-neffos';
import { createTestingApp, type TestingApp } from 'nestjs-neffos/testing';
import { useEngineHarness } from '../utils/engine-harness.js';
import { httpRequest } from '../utils/http.js';

const SCRIPT = createRequire(import.meta.url).resolve('neffos.js');
const namespaces = { default: { echo: (msg: { body: Buffer }) => msg.body } };

describe('serveClient on the engine', () => {
  const h = useEngineHarness();

  it('serves the neffos.js browser build at <path>/neffos.js with an ETag, and 304 when it matches', async () => {
    await h.start({ path: '/echo', serveClient: true, namespaces });
    const res = await h.http('GET', '/echo/neffos.js');
    expect(res.status).toBe(200);
    expect(res.text).toBe(readFileSync(SCRIPT, 'utf8'));
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=0');
    const etag = res.headers.etag!;
    expect(etag).toMatch(/^"[\w-]{27}"$/);

    const again = await h.http('GET', '/echo/neffos.js', undefined, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers.etag).toBe(etag);

    const stale = await h.http('GET', '/echo/neffos.js', undefined, { 'if-none-match': '"old"' });
    expect(stale.status).toBe(200);

    const head = await h.http('HEAD', '/echo/neffos.js');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(readFileSync(SCRIPT).length));
    expect(head.text).toBe('');
  });

  it('serves the source map the script points at', async () => {
    await h.start({ path: '/echo', serveClient: true, namespaces });
    const map = await h.http('GET', '/echo/neffos.js.map');
    expect(map.status).toBe(200);
    expect(map.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(map.json<{ version: number }>().version).toBe(3);
  });

  it("serves nothing there by default: the request is the app's, and the WebSocket endpoint is unchanged", async () => {
    await h.start({ path: '/echo', namespaces }, { requestListener: (_req, res) => res.writeHead(404).end('the app') });
    const res = await h.http('GET', '/echo/neffos.js');
    expect([res.status, res.text]).toEqual([404, 'the app']);
    const client = await h.rawConnected();
    await client.expectEcho();
  });
});

@NeffosController('default')
class EchoController {
  echo(msg: { body: Buffer }): Buffer {
    return msg.body;
  }
}

describe('serveClient through NeffosModule', () => {
  let testing: TestingApp | undefined;
  afterEach(async () => {
    await testing?.close();
    testing = undefined;
  });

  for (const platform of ['express', 'fastify'] as const) {
    it(`forRoot({ serveClient: true }) serves <path>/neffos.js on ${platform}`, async () => {
      testing = await createTestingApp(
        { imports: [NeffosModule.forRoot({ path: '/chat', serveClient: true })], providers: [EchoController] },
        platform === 'fastify' ? { httpAdapter: new FastifyAdapter() } : {},
      );
      const base = testing.url.replace('ws://', 'http://');
      const res = await httpRequest(`${base}/neffos.js`);
      expect(res.status).toBe(200);
      expect(res.text).toBe(readFileSync(SCRIPT, 'utf8'));
      const cached = await httpRequest(`${base}/neffos.js`, { headers: { 'if-none-match': res.headers.etag! } });
      expect(cached.status).toBe(304);
      const client = await testing.dial();
      expect((await (await client.connect('default')).ask('echo', 'still a websocket')).text()).toBe('still a websocket');
    });
  }
});
