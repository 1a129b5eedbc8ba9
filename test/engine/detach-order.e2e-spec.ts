// Two engines on one http.Server (two paths), closed in any order, leave the app's request handler
// registered exactly once: closing the first one used to re-add the app's listener while the second
// engine's wrapper still called it, so every later request ran the app twice.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NeffosEngine, type Message } from '../../lib/index.js';
import { httpRequest } from '../utils/http.js';

const namespaces = { default: { echo: (msg: Message) => msg.body } };

describe('detaching engines that share a server', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it.each([
    ['first attached, first closed', [0, 1]],
    ['last attached, first closed', [1, 0]],
  ])('%s: the app answers each request once, before and after both detach', async (_name, order) => {
    let calls = 0;
    const app = (_req: IncomingMessage, res: ServerResponse): void => {
      calls++;
      res.writeHead(200, { 'Content-Length': '2' }).end('ok');
    };
    server = createServer(app);
    const engines = [new NeffosEngine({ path: '/one', namespaces, pingInterval: 0 }).attach(server), new NeffosEngine({ path: '/two', namespaces, pingInterval: 0 }).attach(server)];
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/app`;

    const requestCounts = async (): Promise<number> => {
      const before = calls;
      expect((await httpRequest(url)).status).toBe(200);
      return calls - before;
    };
    expect(await requestCounts()).toBe(1);
    await engines[order[0]!]!.close();
    expect(await requestCounts()).toBe(1);
    await engines[order[1]!]!.close();
    expect(await requestCounts()).toBe(1);
    expect(server.listeners('request').filter((l) => l === app)).toHaveLength(1);
  });
});
