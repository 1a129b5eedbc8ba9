// What README "Running behind a proxy" promises about the app itself: Nest's global prefix does not move
// the neffos path, the reconnect probe (HEAD) on the path gets an answer, and `X-Forwarded-For` from a
// proxy reaches the handshake request while a client cannot set it through the query.
import { Controller, Get, Module } from '@nestjs/common';
import { afterEach, describe, expect, it } from 'vitest';
import { Message, NeffosController, NeffosModule, NSConn } from 'nestjs-neffos';
import { createTestingApp, dial, DialRejectedError, type TestingApp } from 'nestjs-neffos/testing';
import { httpRequest } from '../utils/http.js';

@NeffosController('default')
class WhoController {
  forwardedFor(_msg: Message, conn: NSConn) {
    return String(conn.conn.request.headers['x-forwarded-for'] ?? '-');
  }
}

@Controller('ping')
class PingController {
  @Get()
  ping() {
    return 'pong';
  }
}

@Module({ imports: [NeffosModule.forRoot({ path: '/chat' })], controllers: [PingController], providers: [WhoController] })
class AppModule {}

let testing: TestingApp | undefined;
afterEach(async () => {
  await testing?.close();
  testing = undefined;
});

describe('behind a proxy', () => {
  it("Nest's global prefix moves the HTTP routes, not the neffos path", async () => {
    testing = await createTestingApp({ imports: [AppModule] }, { beforeListen: (app) => void app.setGlobalPrefix('api') });
    const base = testing.url.replace(/^ws/, 'http').replace(/\/chat$/, '');
    expect(testing.url).toMatch(/\/chat$/);
    expect((await httpRequest(`${base}/api/ping`)).text).toBe('pong');
    expect((await httpRequest(`${base}/ping`)).status).toBe(404);

    const client = await testing.dial();
    expect((await (await client.connect('default')).ask('forwardedFor')).text()).toBe('-');
    // The prefixed path is no socket: nobody answers that upgrade, and it is refused.
    await expect(dial(`${base.replace(/^http/, 'ws')}/api/chat`, { timeout: 3000 })).rejects.toBeInstanceOf(DialRejectedError);
  });

  it('answers the reconnect probe (HEAD) on the path with 204', async () => {
    testing = await createTestingApp({ imports: [AppModule] }, { beforeListen: (app) => void app.setGlobalPrefix('api') });
    const probe = await httpRequest(testing.url.replace(/^ws/, 'http'), { method: 'HEAD' });
    expect(probe.status).toBe(204);
  });

  it("reads the proxy's X-Forwarded-For, which a query parameter cannot set or override", async () => {
    testing = await createTestingApp({ imports: [AppModule] });
    const proxied = await testing.dial({ headers: { 'X-Forwarded-For': '203.0.113.7' }, query: { 'X-Websocket-Header-X-Forwarded-For': '10.6.6.6' } });
    expect((await (await proxied.connect('default')).ask('forwardedFor')).text()).toBe('203.0.113.7');
    const forged = await testing.dial({ query: { 'X-Websocket-Header-X-Forwarded-For': '10.6.6.6' } });
    expect((await (await forged.connect('default')).ask('forwardedFor')).text()).toBe('-');
  });
});
