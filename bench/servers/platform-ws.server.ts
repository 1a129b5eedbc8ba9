// Nest's own WebSocket stack for comparison: a `@nestjs/platform-ws` gateway (WsAdapter, express HTTP)
// with `@SubscribeMessage('echo')` returning the data. A plain returned value goes back as its JSON
// (`"<payload>"` for `{"event":"echo","data":"<payload>"}`); Nest adds no event name or request id.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { announceListening, handleStatsRequest, onShutdown, STATS_PATH } from './server-harness.js';

@WebSocketGateway({ path: '/echo' })
class EchoGateway {
  @SubscribeMessage('echo')
  echo(@MessageBody() data: unknown): unknown {
    return data;
  }
}

@Module({ providers: [EchoGateway] })
class BenchModule {}

const app = await NestFactory.create(BenchModule, { logger: false });
app.useWebSocketAdapter(new WsAdapter(app));
// Registered before init, so it comes ahead of Nest's 404 handler.
app.getHttpAdapter().get(STATS_PATH, (req: IncomingMessage, res: ServerResponse) => {
  handleStatsRequest(req, res);
});
await app.listen(0, '127.0.0.1');
announceListening(app.getHttpServer() as Server);

onShutdown(() => app.close());
