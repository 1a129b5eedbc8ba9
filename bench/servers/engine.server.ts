// Our engine (lib/engine, no Nest): namespace `default` with an `echo` event whose return value is the
// reply, so every ask `$<n>;default;;echo;0;0;<body>` is answered `$<n>;default;;echo;0;0;<body>`.
import { createServer } from 'node:http';
import { NeffosEngine } from '../../lib/engine/index.js';
import { announceListening, onShutdown, statsOnlyListener } from './server-harness.js';

const httpServer = createServer(statsOnlyListener);
const messageRate = process.env.BENCH_MESSAGE_RATE;
const engine = new NeffosEngine({
  path: '/echo',
  ...(messageRate !== undefined ? { messageRate: Number(messageRate) } : {}),
  namespaces: { default: { echo: (msg) => msg.body } },
});
engine.attach(httpServer);

httpServer.listen(0, '127.0.0.1', () => announceListening(httpServer));

onShutdown(async () => {
  await engine.close();
  await new Promise<void>((resolve) => httpServer.close(() => resolve()));
});
