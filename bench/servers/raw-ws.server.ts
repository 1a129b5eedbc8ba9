// The Node ceiling: a plain `ws` server that answers `M` with `Abench` and echoes every other frame
// unchanged (same frame type). Echoing a neffos ask returns a frame with the ask's token, which is all
// the load generator waits for — so this is the cost of WebSocket I/O alone, with no protocol work.
import { createServer } from 'node:http';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { announceListening, onShutdown, statsOnlyListener } from './server-harness.js';

const M = 0x4d;

const httpServer = createServer(statsOnlyListener);
const wss = new WebSocketServer({ server: httpServer, path: '/echo' });

wss.on('connection', (ws: WebSocket) => {
  ws.on('message', (data: RawData, isBinary: boolean) => {
    const frame = data as Buffer;
    if (!isBinary && frame.length === 1 && frame[0] === M) ws.send('Abench');
    else ws.send(frame, { binary: isBinary });
  });
  ws.on('error', () => ws.terminate());
});

httpServer.listen(0, '127.0.0.1', () => announceListening(httpServer));

onShutdown(
  () =>
    new Promise<void>((resolve) => {
      for (const ws of wss.clients) ws.terminate();
      wss.close(() => httpServer.close(() => resolve()));
    }),
);
