// Asks go to the node that holds the connection once it is known (connection-routes.ts): three
// engines in this process on the in-memory bus, real Redis and real NATS; a listener on the shared
// channel and on the third node's own channel receives exactly what that third node receives, so it
// shows that a routed ask never reaches (nor is decoded by) a node that does not hold the connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterExchange } from '../../lib/exchange/cluster.exchange.js';
import type { ClusterMessage } from '../../lib/exchange/cluster-message.js';
import { decodeClusterMessage } from '../../lib/exchange/cluster-message.codec.js';
import type { ExchangeTransport } from '../../lib/exchange/exchange-transport.js';
import { EngineHarness } from '../utils/engine-harness.js';
import { EventLog } from '../utils/wait.js';
import { ChatClient } from './cluster-client.js';
import { HOP_MS } from './cluster.suite.js';
import { CHAT, chatEvents } from './fixtures/chat.events.js';
import { NodeLog } from './node-log.js';
import { transportKinds } from './transport-kinds.js';

const NODES = ['a', 'b', 'c'] as const;

const kinds = transportKinds();

describe.each(kinds)('request routing over $name', (kind) => {
  const prefix = `route${kind.name.replace(/\W/g, '')}`;
  const harnesses: EngineHarness[] = [];
  const clients: ChatClient[] = [];
  /** Every message node c receives: the shared channel and c's own. */
  const seenByC = new EventLog<ClusterMessage>();
  /** What is sent to node b's own channel (routed requests for its connections). */
  const sentToB = new EventLog<ClusterMessage>();
  let observer: ExchangeTransport;

  beforeAll(async () => {
    await kind.setUp();
    const logs: NodeLog[] = [];
    for (const nodeId of NODES) {
      const log = new NodeLog();
      const exchange = new ClusterExchange(kind.transport(), { prefix, nodeId, heartbeatInterval: 200, nodeTimeout: 1000 });
      const h = await EngineHarness.start({ path: '/route', namespaces: { [CHAT]: chatEvents }, exchange, logger: log.logger });
      await h.engine.ready();
      harnesses.push(h);
      logs.push(log);
    }
    await Promise.all(logs.map((log, i) => log.waitFor(/; 2 peer\(s\)/, `node ${NODES[i]} to know its 2 peers`, HOP_MS)));
    observer = kind.transport();
    const record = (payload: Buffer) => {
      const decoded = decodeClusterMessage(payload);
      if (decoded.ok) seenByC.push(decoded.msg);
    };
    await observer.subscribe(`${prefix}.all`, record);
    await observer.subscribe(`${prefix}.node.c`, record);
    await observer.subscribe(`${prefix}.node.b`, (payload) => {
      const decoded = decodeClusterMessage(payload);
      if (decoded.ok) sentToB.push(decoded.msg);
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(harnesses.map((h) => h.stop()));
    await observer?.close();
    await kind.tearDown();
  }, 30_000);

  const a = () => harnesses[0]!.engine;
  const b = () => harnesses[1]!.engine;
  const requestsFor = (id: string) => seenByC.entries.filter((m) => m.t === 'req' && m.id === id).length;
  const routedToB = (id: string) => sentToB.entries.filter((m) => m.t === 'req' && m.id === id).length;

  /** Node a publishes a broadcast after what came before; once c's listener has it, c has everything a sent earlier. */
  async function drain(marker: string): Promise<void> {
    a().broadcast({ namespace: CHAT, event: 'news', body: marker });
    await seenByC.waitFor((m) => m.t === 'emit' && m.n === 'a' && m.body.toString() === marker, `node a's "${marker}" at node c`, HOP_MS);
  }

  it('the first ask to an unknown connection fans out; the next ones go to its node only and reach no third node', async () => {
    const target = await ChatClient.open(harnesses[1]!.wsUrl(), 1);
    clients.push(target);
    const first = await a().ask(target.id, { namespace: CHAT, event: 'q', body: 'first' }, { timeout: HOP_MS });
    expect(first.text()).toBe(`first@${target.id}`);
    await drain('after-first');
    expect(requestsFor(target.id)).toBe(1);

    for (let i = 0; i < 10; i++) {
      const reply = await a().ask(target.id, { namespace: CHAT, event: 'q', body: `routed-${i}` }, { timeout: HOP_MS });
      expect(reply.text()).toBe(`routed-${i}@${target.id}`);
    }
    await drain('after-routed');
    expect(requestsFor(target.id)).toBe(1);
    // Answers come back on the asking node's channel: c saw none of them either.
    expect(seenByC.entries.filter((m) => m.t === 'res' || m.t === 'absent').map((m) => m.n)).toEqual([]);
  });

  it('a routed ask to a connection that has gone falls back to every node and fails fast with ConnectionNotFoundError', async () => {
    const target = await ChatClient.open(harnesses[1]!.wsUrl(), 1);
    expect((await a().ask(target.id, { namespace: CHAT, event: 'q', body: 'learn' }, { timeout: HOP_MS })).text()).toBe(`learn@${target.id}`);
    await target.close();
    // The holder has torn the connection down once its own cluster view no longer lists it.
    const deadline = Date.now() + HOP_MS;
    while ((await b().cluster.members(CHAT)).includes(target.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await drain('after-learn-gone'); // the fanned-out 'learn' ask has reached the observer
    const before = requestsFor(target.id);
    const started = Date.now();
    const err = await a()
      .ask(target.id, { namespace: CHAT, event: 'q', body: 'gone' }, { timeout: 10 * HOP_MS })
      .catch((e: Error) => e);
    expect((err as Error).name).toBe('ConnectionNotFoundError');
    expect(Date.now() - started).toBeLessThan(HOP_MS);
    await drain('after-gone');
    expect(requestsFor(target.id)).toBe(before + 1); // the fallback, on the shared channel
    expect(routedToB(target.id)).toBe(1); // the routed try that b answered "not here"
    // That answer made node a forget the route: the next ask fans out at once, nothing goes to b first.
    const again = await a()
      .ask(target.id, { namespace: CHAT, event: 'q', body: 'gone again' }, { timeout: 10 * HOP_MS })
      .catch((e: Error) => e);
    expect((again as Error).name).toBe('ConnectionNotFoundError');
    await drain('after-gone-again');
    expect(requestsFor(target.id)).toBe(before + 2);
    expect(routedToB(target.id)).toBe(1);
  });

  it('remote join, leave and close still go to every node (each node holding that id runs them), routes or not', async () => {
    const target = await ChatClient.open(harnesses[1]!.wsUrl(), 1);
    expect((await a().ask(target.id, { namespace: CHAT, event: 'q', body: 'learn' }, { timeout: HOP_MS })).text()).toBe(`learn@${target.id}`);
    // The answer can beat the fanned-out ask to the observer: count from once it has seen it.
    await drain('after-learn');
    const before = requestsFor(target.id);
    await a().cluster.joinRoom(target.id, CHAT, 'fan-out-room');
    expect(await b().cluster.members(CHAT, 'fan-out-room')).toEqual([target.id]);
    await a().cluster.leaveRoom(target.id, CHAT, 'fan-out-room');
    expect(await a().cluster.closeConnection(target.id)).toBe(true);
    await drain('after-control');
    expect(requestsFor(target.id)).toBe(before + 3);
  });
});
