// Issue 8 item 8: a graceful shutdown that cannot hang. engine.close() + server.close() on a plain
// server, and app.close() in Nest, return within the configured grace (`shutdownTimeout`) even with
// TCP connections that never sent a byte and with hundreds of busy clients; every WebSocket client gets
// 1001; no socket is left. And `handlerTimeout` turns a handler that never settles into an error reply
// that frees the connection's queue.
import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { NeffosEngine, type EngineOptions } from '../../lib/engine/index.js';
import { Message, NeffosController } from '../../lib/index.js';
import { useEngineHarness } from '../utils/engine-harness.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';
import { RawClient } from '../utils/raw-client.js';
import { withTimeout } from '../utils/wait.js';

useNestApps();

/** A TCP connection to the server that never sends a byte (a port scanner, a stalled proxy). */
async function silentSocket(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await withTimeout(new Promise((resolve) => socket.once('connect', resolve)), 2_000, 'a silent TCP connection');
  return socket;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((err) => (err === undefined ? resolve() : reject(err))));
}

describe('engine.close() on a plain http.Server', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const fn of cleanup.splice(0)) fn();
  });

  async function serve(options: Partial<EngineOptions> = {}): Promise<{ server: Server; engine: NeffosEngine; port: number }> {
    const server = createServer((_req, res) => res.end('ok'));
    const engine = new NeffosEngine({ path: '/echo', pingInterval: 0, namespaces: { default: { echo: (msg) => msg.body } }, ...options }).attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => server.closeAllConnections());
    return { server, engine, port: (server.address() as AddressInfo).port };
  }

  it('returns within shutdownTimeout although a TCP connection never sent a byte', async () => {
    const { server, engine, port } = await serve({ shutdownTimeout: 300 });
    const silent = await silentSocket(port);
    cleanup.push(() => silent.destroy());
    const silentClosed = new Promise((resolve) => silent.once('close', resolve));
    const t0 = performance.now();
    await engine.close();
    // Node's server.close() waits for that connection for ever (it is not "idle" to closeIdleConnections).
    await withTimeout(closeServer(server), 3_000, 'server.close() with a silent TCP connection open');
    expect(performance.now() - t0).toBeLessThan(1_500);
    await withTimeout(silentClosed, 2_000, 'the silent socket to be closed');
  });

  it('500 busy clients: every one gets 1001, close returns in bounded time, no socket left', async () => {
    const { server, engine, port } = await serve({ shutdownTimeout: 1_000 });
    const clients: RawClient[] = [];
    for (let i = 0; i < 500; i++) {
      const client = await RawClient.open(`ws://127.0.0.1:${port}/echo`);
      clients.push(client);
      await client.handshake();
      await client.connectNamespace('default');
    }
    // Keep every client busy: a pipeline of asks in flight on each.
    let busy = true;
    for (const client of clients) {
      const pump = (): void => {
        if (!busy || !client.isOpen) return;
        client.send(`$${client.token()};default;;echo;0;0;busy`);
        client.next(5_000).then(pump, () => {});
      };
      for (let k = 0; k < 4; k++) pump();
    }
    const codes = clients.map((c) => c.whenClosed(10_000));
    const t0 = performance.now();
    await withTimeout(engine.close(), 5_000, 'engine.close() with 500 busy clients');
    await withTimeout(closeServer(server), 5_000, 'server.close() after engine.close()');
    busy = false;
    expect(performance.now() - t0).toBeLessThan(4_000);
    expect(new Set((await Promise.all(codes)).map((c) => c.code))).toEqual(new Set([1001]));
    const tcp = (): string[] => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap');
    for (let turn = 0; turn < 200 && tcp().length > 0; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(tcp()).toEqual([]);
  }, 60_000);
});

@NeffosController('default')
class EchoController {
  echo(msg: Message) {
    return msg.body;
  }
}

describe('app.close() in Nest', () => {
  it('returns within shutdownTimeout although a TCP connection never sent a byte; WebSocket clients get 1001', async () => {
    const h = await createNestApp({ providers: [EchoController], neffos: { shutdownTimeout: 300 } });
    const port = Number(new URL(h.httpUrl).port);
    const silent = await silentSocket(port);
    const silentClosed = new Promise((resolve) => silent.once('close', resolve));
    onTestFinished(() => {
      silent.destroy();
    });
    const client = await RawClient.open(h.url);
    await client.handshake();
    const t0 = performance.now();
    await h.closeApp(); // fails after 10 s when app.close() hangs
    expect(performance.now() - t0).toBeLessThan(1_500);
    expect((await client.whenClosed()).code).toBe(1001);
    await withTimeout(silentClosed, 2_000, 'the silent socket to be closed');
  }, 20_000);
});

describe('handlerTimeout', () => {
  const h = useEngineHarness();

  it('a handler that never settles becomes an error reply, and the frames queued behind it run', async () => {
    await h.start({
      path: '/echo',
      handlerTimeout: 200,
      namespaces: { default: { echo: (msg) => msg.body, never: () => new Promise(() => {}) } },
    });
    const client = await h.rawConnected();
    client.send('$1;default;;never;0;0;');
    client.send('$2;default;;echo;0;0;behind');
    const frame = await client.next();
    expect(frame.text.startsWith('$1;default;;never;1;0;')).toBe(true);
    expect(frame.text).toContain('handlerTimeout');
    await client.expectFrame('$2;default;;echo;0;0;behind');
  });

  it('is off by default: a slow handler is not cut off', async () => {
    await h.start({
      path: '/echo',
      namespaces: { default: { slow: () => new Promise((resolve) => setTimeout(() => resolve('done'), 300)) } },
    });
    const client = await h.rawConnected();
    client.send('$1;default;;slow;0;0;');
    await client.expectFrame('$1;default;;slow;0;0;done');
  });
});
