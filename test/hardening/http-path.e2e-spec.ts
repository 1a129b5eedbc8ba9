// Issue 8 item 6: plain HTTP on the engine's path. An HTTP route there answers as the app wrote it (the
// engine's HEAD probe answer no longer jumps ahead of it); where no route exists, HEAD gets the engine's
// 204 (the probe neffos.js sends before reconnecting) and other methods but GET get 405 with
// `Allow: GET, HEAD`. On a bare engine, under a plain request listener, and in Express and Fastify apps.
import 'reflect-metadata';
import { Controller, Get, Header, Post } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { type Message, NeffosController } from '../../lib/index.js';
import { useEngineHarness } from '../utils/engine-harness.js';
import { createNestApp, useNestApps, type Platform } from '../utils/nest-app.js';

const echo = { path: '/echo', namespaces: { default: { echo: (msg: Message) => msg.body } } };

describe('HTTP on the path of a bare engine', () => {
  const h = useEngineHarness();

  it('with no request listener: HEAD 204, GET 400, anything else 405 with Allow: GET, HEAD', async () => {
    await h.start(echo);
    expect((await h.http('HEAD', '/echo')).status).toBe(204);
    expect((await h.http('GET', '/echo')).status).toBe(400);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const res = await h.http(method, '/echo?x=1');
      expect([method, res.status, res.headers.allow, res.text]).toEqual([method, 405, 'GET, HEAD', '']);
    }
    await (await h.rawConnected()).expectEcho();
  });

  it('a request listener that serves the path answers HEAD and POST itself; its 404 elsewhere on the path is ours', async () => {
    await h.start(echo, {
      requestListener: (req, res) => {
        if (req.url?.split('?')[0] === '/echo' && (req.method === 'GET' || req.method === 'HEAD')) res.writeHead(200, { 'X-App': 'yes', 'Content-Length': '2' }).end('ok');
        else res.writeHead(404, { 'Content-Type': 'text/plain' }).end('app: not found');
      },
    });
    const head = await h.http('HEAD', '/echo');
    expect([head.status, head.headers['x-app']]).toEqual([200, 'yes']); // today: 204 from the engine
    const post = await h.http('POST', '/echo');
    expect([post.status, post.headers.allow, post.text, post.headers['content-type']]).toEqual([405, 'GET, HEAD', '', undefined]);
    expect((await h.http('HEAD', '/echo?probe=1')).headers['x-app']).toBe('yes');
    expect((await h.http('GET', '/missing')).text).toBe('app: not found'); // other paths: untouched
    await (await h.rawConnected()).expectEcho();
  });
});

@NeffosController('default')
class EchoController {
  echo(msg: Message) {
    return msg.body;
  }
}

@Controller('echo')
class EchoRouteController {
  @Get()
  @Header('X-App', 'route')
  page() {
    return 'the app owns GET /echo';
  }
}

@Controller('echo')
class EchoPostController {
  @Post()
  create() {
    return { created: true };
  }
}

describe.each<Platform>(['express', 'fastify'])('HTTP on the neffos path of a Nest app on %s', (platform) => {
  useNestApps();

  it('a GET route on the path answers HEAD itself (not the engine), and the WebSocket endpoint still works', async () => {
    const h = await createNestApp({ platform, providers: [EchoController], controllers: [EchoRouteController] });
    const head = await h.http('HEAD', '/echo');
    expect([head.status, head.headers['x-app']]).toEqual([200, 'route']);
    const get = await h.http('GET', '/echo');
    expect([get.status, get.text]).toEqual([200, 'the app owns GET /echo']);
    const client = await h.raw();
    await client.handshake();
    await client.connectNamespace('default');
    await client.expectEcho();
  });

  it('with no route on the path: HEAD 204 for the reconnect probe, POST/PUT/DELETE 405 with Allow: GET, HEAD and no body', async () => {
    const h = await createNestApp({ platform, providers: [EchoController] });
    const head = await h.http('HEAD', '/echo');
    expect(head.status).toBe(204);
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await h.http(method, '/echo');
      expect([method, res.status, res.headers.allow, res.text]).toEqual([method, 405, 'GET, HEAD', '']); // today: the app's 404
    }
    expect((await h.http('POST', '/elsewhere')).status).toBe(404); // other paths: the app's own 404
  });

  it('a POST route on the path answers POST; HEAD without a GET route is still the probe', async () => {
    const h = await createNestApp({ platform, providers: [EchoController], controllers: [EchoPostController] });
    const post = await h.http('POST', '/echo', {});
    expect([post.status, post.json()]).toEqual([201, { created: true }]);
    expect((await h.http('HEAD', '/echo')).status).toBe(204);
    expect((await h.http('PUT', '/echo')).status).toBe(405);
  });
});
