// Issue 8 item 4 (configuration that cannot be misread): NeffosModule.forRoot registered twice — on one
// path (today the first client crashes the process: ws's "handleUpgrade() was called more than once with
// the same socket") or on two — and a @nestjs/platform-ws gateway on neffos's path fail the start-up with
// an error that names what collides. One NeffosModule per app; gateways on other paths keep working.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { describe, expect, it } from 'vitest';
import { GatewayOnNeffosPathError, type Message, NeffosController, NeffosModule, NeffosModuleTwiceError } from '../../lib/index.js';
import { GATEWAY_ON_NEFFOS_PATH, NEFFOS_MODULE_TWICE } from '../../lib/nest/neffos.messages.js';
import { NeffosWsAdapter } from '../../lib/platform-ws.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';

useNestApps();

@NeffosController('default')
class EchoController {
  echo(msg: Message) {
    return msg.body;
  }
}

@Module({ imports: [NeffosModule.forRoot({ path: '/echo' })] })
class ChatModule {}

@Module({ imports: [NeffosModule.forRoot({ path: '/live' })] })
class LiveModule {}

@WebSocketGateway({ path: '/echo' })
class GatewayOnOurPath {
  @SubscribeMessage('ping')
  ping(@MessageBody() data: unknown) {
    return data;
  }
}

@WebSocketGateway({ path: '/gw' })
class GatewayElsewhere {
  @SubscribeMessage('ping')
  ping(@MessageBody() data: unknown) {
    return { event: 'pong', data };
  }
}

describe('start-up errors for configurations that would fail at the first client', () => {
  it('forRoot twice on the same path fails app.init(), naming both registrations and their importers', async () => {
    const h = await createNestApp({ providers: [EchoController], imports: [ChatModule], listen: false });
    const init = h.app.init();
    await expect(init).rejects.toBeInstanceOf(NeffosModuleTwiceError);
    await expect(init).rejects.toThrow(
      NEFFOS_MODULE_TWICE([
        { path: '/echo', importedBy: ['RootTestModule'] },
        { path: '/echo', importedBy: ['ChatModule'] },
      ]),
    );
  });

  it('forRoot on two paths is refused too (each controller would be served on both; NeffosServer addresses one)', async () => {
    const h = await createNestApp({ providers: [EchoController], imports: [LiveModule], listen: false });
    await expect(h.app.init()).rejects.toThrow(/registered 2 times: path "\/echo" \(imported by RootTestModule\) and path "\/live" \(imported by LiveModule\)\. Serving two paths is not supported/);
  });

  it('a platform-ws gateway on the neffos path fails the start-up (NeffosWsAdapter)', async () => {
    const h = await createNestApp({
      providers: [EchoController, GatewayOnOurPath],
      configure: (app) => {
        app.useWebSocketAdapter(new NeffosWsAdapter(app));
      },
      listen: false,
    });
    const init = h.app.init();
    await expect(init).rejects.toBeInstanceOf(GatewayOnNeffosPathError);
    await expect(init).rejects.toThrow(GATEWAY_ON_NEFFOS_PATH('/echo'));
  });

  it('a gateway on another path and one forRoot start as before, and both answer', async () => {
    const h = await createNestApp({
      providers: [EchoController, GatewayElsewhere],
      configure: (app) => {
        app.useWebSocketAdapter(new NeffosWsAdapter(app));
      },
    });
    const gw = await h.raw({}, '/gw');
    gw.send(JSON.stringify({ event: 'ping', data: 'x' }));
    expect(JSON.parse((await gw.next()).text)).toEqual({ event: 'pong', data: 'x' });
    const client = await h.raw();
    await client.handshake();
    await client.connectNamespace('default');
    await client.expectEcho();
  });
});
