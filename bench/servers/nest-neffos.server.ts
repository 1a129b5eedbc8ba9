// NeffosModule with one `echo` controller, static or per-connection (BENCH_NEFFOS_SCOPE=request): the
// cost of the Nest layer over the bare engine. No enhancers, so the direct-call path is measured.
import 'reflect-metadata';
import { Module, Scope } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { type Message, NeffosController, NeffosModule } from '../../lib/index.js';
import { announceListening, handleStatsRequest, onShutdown, STATS_PATH } from './server-harness.js';

const perConnection = process.env.BENCH_NEFFOS_SCOPE === 'request';

@NeffosController(perConnection ? { namespace: 'default', scope: Scope.REQUEST } : 'default')
class EchoController {
  echo(msg: Message): Buffer {
    return msg.body;
  }
}

@Module({ imports: [NeffosModule.forRoot({ path: '/echo' })], providers: [EchoController] })
class BenchModule {}

const app = await NestFactory.create(BenchModule, { logger: false });
app.getHttpAdapter().get(STATS_PATH, (req: IncomingMessage, res: ServerResponse) => {
  handleStatsRequest(req, res);
});
await app.listen(0, '127.0.0.1');
announceListening(app.getHttpServer() as Server);

onShutdown(() => app.close());
