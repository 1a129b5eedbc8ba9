// The protocol on both HTTP platforms (Express, Fastify) beside the app's plain HTTP routes, and
// beside a @nestjs/platform-ws gateway on another path of the same server (NeffosWsAdapter).
import 'reflect-metadata';
import { Controller, Get, Head } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { describe, expect, it } from 'vitest';
import { NeffosWsAdapter } from '../../lib/platform-ws.js';
import { Message, NeffosController, NeffosServer } from '../../lib/index.js';
import { WS_ADAPTER_DESTROYS_UPGRADES } from '../../lib/nest/neffos.messages.js';
import { createNestApp, useNestApps, type NestApp, type Platform } from '../utils/nest-app.js';
import { RawClient } from '../utils/raw-client.js';
import { ErrorLines } from '../utils/error-lines.js';

useNestApps();

@NeffosController('default')
class EchoController {
  echo(msg: Message) {
    return msg.body;
  }
}

@Controller()
class HealthController {
  constructor(private readonly server: NeffosServer) {}
  @Get('health')
  health() {
    return { status: 'ok', connections: this.server.connectionCount };
  }
  @Get('echo/info')
  info() {
    return 'a plain route under the neffos path prefix';
  }
}

@WebSocketGateway({ path: '/gw' })
class PlainGateway {
  @SubscribeMessage('ping')
  ping(@MessageBody() data: unknown) {
    return { event: 'pong', data };
  }
}

async function neffosEcho(h: NestApp, body: string): Promise<string> {
  const ns = await (await h.client()).connect('default');
  return (await ns.ask('echo', body)).text();
}

async function gatewayPing(h: NestApp, data: string): Promise<unknown> {
  const ws = await h.raw({}, '/gw');
  ws.send(JSON.stringify({ event: 'ping', data }));
  return JSON.parse((await ws.next()).text);
}

/** Resolves with how an upgrade to `url` ended when it was not accepted: an HTTP status or a dropped socket. */
function refusedUpgrade(url: string, ms = 2_000): Promise<string> {
  return RawClient.upgradeOutcome(url, {}, ms);
}

describe.each<Platform>(['express', 'fastify'])('on %s', (platform) => {
  it('serves the neffos protocol, and the plain HTTP routes keep working beside it', async () => {
    const h = await createNestApp({ platform, providers: [EchoController], controllers: [HealthController] });
    expect(await neffosEcho(h, `hello ${platform}`)).toBe(`hello ${platform}`);
    const health = await h.http('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.json()).toEqual({ status: 'ok', connections: 1 });
    const info = await h.http('GET', '/echo/info');
    expect(info.status).toBe(200);
    expect(info.text).toBe('a plain route under the neffos path prefix');
    expect((await h.http('GET', '/missing')).status).toBe(404);
  });

  it('answers the HEAD probe neffos.js sends on its path before reconnecting', async () => {
    const h = await createNestApp({ platform, providers: [EchoController], controllers: [HealthController] });
    const res = await h.http('HEAD', '/echo');
    expect(res.status).toBeLessThan(300);
  });

  it('app.close() closes the clients with 1001 and resolves', async () => {
    const h = await createNestApp({ platform, providers: [EchoController] });
    const conn = await h.client();
    await conn.connect('default');
    const closed = conn.whenClosed();
    await h.closeApp();
    expect((await closed).code).toBe(1001);
  });

  it('with NeffosWsAdapter a @nestjs/platform-ws gateway on another path works beside neffos on the same server', async () => {
    const h = await createNestApp({
      platform,
      providers: [EchoController, PlainGateway],
      controllers: [HealthController],
      configure: (app) => void app.useWebSocketAdapter(new NeffosWsAdapter(app)),
    });
    expect(await gatewayPing(h, 'g1')).toEqual({ event: 'pong', data: 'g1' });
    expect(await neffosEcho(h, 'n1')).toBe('n1');
    // Both at once, interleaved, and HTTP still fine.
    const [g, n] = await Promise.all([gatewayPing(h, 'g2'), neffosEcho(h, 'n2')]);
    expect(g).toEqual({ event: 'pong', data: 'g2' });
    expect(n).toBe('n2');
    expect((await h.http('GET', '/health')).status).toBe(200);
  });

  it('with the plain WsAdapter the neffos upgrades are destroyed (why NeffosWsAdapter exists), which the start-up log says', async () => {
    const logger = new ErrorLines();
    const h = await createNestApp({
      platform,
      providers: [EchoController, PlainGateway],
      configure: (app) => {
        app.useLogger(logger);
        app.useWebSocketAdapter(new WsAdapter(app));
      },
    });
    expect(await gatewayPing(h, 'g')).toEqual({ event: 'pong', data: 'g' });
    // Said at start-up, where it used to be silent (the clients' bare "socket hang up" below).
    expect(logger.errors).toEqual([WS_ADAPTER_DESTROYS_UPGRADES('/echo')]);
    // Destroyed, not refused: no HTTP status at all reaches the client.
    await expect(h.client()).rejects.toThrow('the connection closed (code 1006) while waiting for the handshake');
    expect(await refusedUpgrade(h.url)).toBe('error: socket hang up');
  });

  it('without any ws adapter an upgrade to another path is refused with 404', async () => {
    const h = await createNestApp({ platform, providers: [EchoController] });
    expect(await refusedUpgrade(`${h.wsBase}/nowhere`)).toBe('HTTP 404');
  });

  it('with NeffosWsAdapter an upgrade to a path nobody serves is refused, not left hanging', async () => {
    const logger = new ErrorLines();
    const h = await createNestApp({
      platform,
      providers: [EchoController, PlainGateway],
      configure: (app) => {
        app.useLogger(logger);
        app.useWebSocketAdapter(new NeffosWsAdapter(app));
      },
    });
    expect(logger.errors).toEqual([]);
    // Another upgrade listener gets a second to answer (as engine.io's destroyUpgrade), then it is refused.
    expect(await refusedUpgrade(`${h.wsBase}/nowhere`, 3_000)).toBe('HTTP 404');
    // And neither the gateway nor neffos was disturbed.
    expect(await gatewayPing(h, 'after')).toEqual({ event: 'pong', data: 'after' });
    expect(await neffosEcho(h, 'after')).toBe('after');
  });
});
