// Closing a connection with a code no close frame may carry (1005, 1006, 999, 5000, ...) is refused
// with an InvalidOptionError before anything changes. ws throws a TypeError for such a code; thrown
// after the connection had marked itself closed, it left a socket that was open, still counted, and
// answered nothing (an ask on it hung).
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidOptionError, NeffosServer, type Message } from '../../lib/index.js';
import { dial, type NeffosTestClient } from '../../lib/testing/index.js';
import { useEngineHarness } from '../utils/engine-harness.js';

const namespaces = { default: { echo: (msg: Message) => msg.body } };
const UNSENDABLE = [1004, 1005, 1006, 1015, 999, 2000, 5000, 1000.5, Number.NaN];

describe('close codes', () => {
  const h = useEngineHarness();
  let client: NeffosTestClient | undefined;
  afterEach(async () => {
    await client?.close();
    client = undefined;
  });

  async function expectStillServing(): Promise<void> {
    const ns = client!.namespace('default') ?? (await client!.connect('default'));
    expect((await ns.ask('echo', 'alive', { timeout: 2_000 })).text()).toBe('alive');
    expect(h.engine.connectionCount).toBe(1);
  }

  it('Conn.close, NeffosServer.closeConnection and cluster closeConnection refuse an unsendable code and leave the connection working', async () => {
    await h.start({ path: '/echo', namespaces });
    client = await dial(h.wsUrl());
    await client.connect('default');
    const conn = h.engine.connection(client.id)!;
    const server = new NeffosServer();
    server.bind(h.engine);
    for (const code of UNSENDABLE) {
      expect(() => conn.close(code), `Conn.close(${code})`).toThrow(InvalidOptionError);
      expect(() => server.closeConnection(client!.id, code), `closeConnection(${code})`).toThrow(/close code .* cannot be sent/);
      await expect(h.engine.cluster.closeConnection(client.id, code)).rejects.toBeInstanceOf(InvalidOptionError);
    }
    await expectStillServing();
  });

  it('a sendable application code reaches the client with its reason', async () => {
    await h.start({ path: '/echo', namespaces });
    client = await dial(h.wsUrl());
    expect(await h.engine.cluster.closeConnection(client.id, 4001, 'kicked')).toBe(true);
    expect(await client.whenClosed()).toEqual({ code: 4001, reason: 'kicked' });
  });
});
