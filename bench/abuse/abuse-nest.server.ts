// The same target as abuse-engine.server.ts, as a Nest app (express) with a NeffosModule controller.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { type Message, NeffosController, NeffosModule } from '../../lib/index.js';
import { announceListening, onShutdown } from '../servers/server-harness.js';
import { authorize, echo, handleAbuseRequest, hold, probe, trackUpgradedSockets } from './abuse-server.shared.js';

@NeffosController('default')
class AbuseController {
  echo(msg: Message): Buffer {
    return echo(msg.body);
  }

  probe(msg: Message): Buffer {
    return probe(msg.body);
  }

  sleep(msg: Message): Promise<string> {
    return hold(msg.text());
  }
}

@Module({ imports: [NeffosModule.forRoot({ path: '/echo', authorize, onError: () => {} })], providers: [AbuseController] })
class AbuseModule {}

const app = await NestFactory.create(AbuseModule, { logger: false });
const close = (): Promise<void> => app.close();
app.getHttpAdapter().getInstance().use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
  if (!handleAbuseRequest(req, res, close)) next();
});
await app.listen(0, '127.0.0.1');
trackUpgradedSockets(app.getHttpServer() as Server);
announceListening(app.getHttpServer() as Server);
onShutdown(() => process.exit(0));
