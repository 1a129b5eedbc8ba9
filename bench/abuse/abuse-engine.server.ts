// The bare engine under attack: namespace `default` with `echo` and `sleep`, a slow `authorize` on
// request, default limits. Prints `listening <port>`; exits on SIGTERM or when the orchestrator goes.
import { createServer } from 'node:http';
import { NeffosEngine } from '../../lib/engine/index.js';
import { announceListening, onShutdown } from '../servers/server-harness.js';
import { authorize, echo, handleAbuseRequest, hold, probe, trackUpgradedSockets } from './abuse-server.shared.js';

const httpServer = createServer((req, res) => {
  if (!handleAbuseRequest(req, res, close)) res.writeHead(404).end();
});
const engine = new NeffosEngine({
  path: '/echo',
  authorize,
  namespaces: { default: { echo: (msg) => echo(msg.body), probe: (msg) => probe(msg.body), sleep: (msg) => hold(msg.text()) } },
  onError: () => {},
});
engine.attach(httpServer);
trackUpgradedSockets(httpServer);

/** What an app does to stop: the engine, then Node's `server.close()` (which waits for every socket). */
async function close(): Promise<void> {
  await engine.close();
  await new Promise<void>((resolve) => httpServer.close(() => resolve()));
}

httpServer.listen(0, '127.0.0.1', () => announceListening(httpServer));
onShutdown(() => process.exit(0));
