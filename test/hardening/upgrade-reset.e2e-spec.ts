// A client that sends an upgrade and resets its TCP connection at once (RST) must not take the process
// down on any refusal path. Node detaches its own socket error handler before it emits 'upgrade', so an
// HTTP refusal written to that socket without a listener of ours turns the peer's reset into an
// uncaught ECONNRESET/EPIPE: one packet, and every other user is gone.
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Message } from '../../lib/index.js';
import { useEngineHarness } from '../utils/engine-harness.js';

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

/** Lets the server see the resets and write its refusals into them. */
const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('an upgrade reset by its client right away', () => {
  const h = useEngineHarness();

  async function expectStillServing(): Promise<void> {
    await (await h.rawConnected()).expectEcho('default', 'alive');
  }

  it('on another path (the engine alone answers 404) does not crash the process', async () => {
    await h.start({ path: '/echo', namespaces });
    for (let i = 0; i < ATTEMPTS; i++) await upgradeAndReset(h.port, '/elsewhere');
    await settle(100);
    await expectStillServing();
  });

  it('on another path that another upgrade listener leaves unanswered (refused after 1 s) does not crash the process', async () => {
    await h.start({ path: '/echo', namespaces }, { beforeAttach: (server) => server.on('upgrade', () => {}) });
    for (let i = 0; i < ATTEMPTS; i++) await upgradeAndReset(h.port, '/elsewhere');
    await settle(1_300);
    await expectStillServing();
  });

  it('refused for its origin (403) does not crash the process', async () => {
    await h.start({ path: '/echo', namespaces, origins: ['https://app.example'] });
    for (let i = 0; i < ATTEMPTS; i++) await upgradeAndReset(h.port, '/echo', 'https://evil.example');
    await settle(100);
    await expectStillServing();
  });

  it('refused past maxConnections (503) does not crash the process', async () => {
    await h.start({ path: '/echo', namespaces, maxConnections: 1 });
    const first = await h.rawConnected();
    for (let i = 0; i < ATTEMPTS; i++) await upgradeAndReset(h.port, '/echo');
    await settle(100);
    await first.expectEcho('default', 'alive');
  });
});
