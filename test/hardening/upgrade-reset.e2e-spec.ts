// A client that sends an upgrade and resets its TCP connection at once (RST) must not take the process
// down on any refusal path. Node detaches its own socket error handler before it emits 'upgrade', so an
// HTTP refusal written to that socket without a listener of ours turns the peer's reset into an
// uncaught ECONNRESET/EPIPE: one packet, and every other user is gone.
import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Message } from '../../lib/index.js';
import { useEngineHarness } from '../utils/engine-harness.js';
import { deferred, withTimeout } from '../utils/wait.js';

const namespaces = { default: { echo: (msg: Message) => msg.body } };
const ATTEMPTS = 30;

/** Sends an upgrade request for `path` and resets the connection as soon as it is written. */
function upgradeAndReset(port: number, path: string, origin?: string): Promise<void> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${origin === undefined ? '' : `Origin: ${origin}\r\n`}\r\n`,
        () => socket.resetAndDestroy(),
      );
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve());
  });
}

/**
 * Resolves once `count` sockets the server accepts from now on have closed: a reset upgrade's socket
 * closes on the server once its refusal was written into it (an 'error' there comes before 'close'),
 * so by then any crash has happened. Called before the resets are sent.
 */
function serverSocketsClosed(server: Server, count: number, ms: number): Promise<void> {
  const all = deferred();
  let closed = 0;
  const onConnection = (socket: Socket): void => {
    socket.once('close', () => {
      if (++closed === count) all.resolve();
    });
  };
  server.on('connection', onConnection);
  return withTimeout(all.promise, ms, () => `the server to close ${count} reset upgrade sockets (${closed} closed)`).finally(() => server.off('connection', onConnection));
}

describe('an upgrade reset by its client right away', () => {
  const h = useEngineHarness();

  async function expectStillServing(): Promise<void> {
    await (await h.rawConnected()).expectEcho('default', 'alive');
  }

  it('on another path (the engine alone answers 404) does not crash the process', async () => {
    await h.start({ path: '/echo', namespaces });
    const refused = serverSocketsClosed(h.server, ATTEMPTS, 5_000);
    for (let i = 0; i < ATTEMPTS; i++) await upgradeAndReset(h.port, '/elsewhere');
    await refused;
    await expectStillServing();
  });

  it('on another path that another upgrade listener leaves unanswered (refused after 1 s) does not crash the process', async () => {
    await h.start({ path: '/echo', namespaces }, { beforeAttach: (server) => server.on('upgrade', () => {}) });
    const refused = serverSocketsClosed(h.server, ATTEMPTS, 10_000);
    for (let i = 0; i < ATTEMPTS; i++) await upgradeAndReset(h.port, '/elsewhere');
    await refused;
    await expectStillServing();
  });

  it('refused for its origin (403) does not crash the process', async () => {
    await h.start({ path: '/echo', namespaces, origins: ['https://app.example'] });
    const refused = serverSocketsClosed(h.server, ATTEMPTS, 5_000);
    for (let i = 0; i < ATTEMPTS; i++) await upgradeAndReset(h.port, '/echo', 'https://evil.example');
    await refused;
    await expectStillServing();
  });

  it('refused past maxConnections (503) does not crash the process', async () => {
    await h.start({ path: '/echo', namespaces, maxConnections: 1 });
    const first = await h.rawConnected();
    const refused = serverSocketsClosed(h.server, ATTEMPTS, 5_000);
    for (let i = 0; i < ATTEMPTS; i++) await upgradeAndReset(h.port, '/echo');
    await refused;
    await first.expectEcho('default', 'alive');
  });
});
