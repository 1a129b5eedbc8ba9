// The cluster suite against real brokers: three Nest apps in child processes (each its own HTTP port;
// NeffosModule.forRootAsync with the broker address from ConfigService, the last one forRoot({ exchange }))
// over a redis-server and a nats-server started by the test; plus a kill -9 of a node, whose
// connections must disappear from every presence answer within the node timeout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsTransport } from '../../lib/exchange/nats.transport.js';
import { RedisTransport } from '../../lib/exchange/redis.transport.js';
import type { ExchangeTransport } from '../../lib/exchange/exchange-transport.js';
import { startNats, startRedis, type BrokerProcess } from '../utils/brokers.js';
import { ChildNode } from './child-node.js';
import { ChatClient } from './cluster-client.js';
import { clusterSuite, HOP_MS, type TestCluster } from './cluster.suite.js';
import { CHAT } from './fixtures/chat.events.js';

const HEARTBEAT_MS = 250;
const NODE_TIMEOUT_MS = 1_000;
/** The timeout of the ask left waiting on the node that is killed: past the node timeout. */
const PENDING_ASK_MS = 3_000;

type Kind = 'redis' | 'nats';

interface Broker {
  process: BrokerProcess;
  url: string;
}

async function startBroker(kind: Kind): Promise<Broker> {
  const b = kind === 'redis' ? await startRedis() : await startNats();
  return { process: b, url: b.url };
}

function transportFor(kind: Kind, url: string): ExchangeTransport {
  return kind === 'redis' ? new RedisTransport({ url }) : new NatsTransport({ servers: url });
}

async function startNodes(kind: Kind, broker: Broker, prefix: string, count: number): Promise<ChildNode[]> {
  const env = {
    CLUSTER_BROKER: kind,
    CLUSTER_BROKER_URL: broker.url,
    CLUSTER_PREFIX: prefix,
    CLUSTER_HEARTBEAT_MS: String(HEARTBEAT_MS),
    CLUSTER_NODE_TIMEOUT_MS: String(NODE_TIMEOUT_MS),
  };
  const nodes: ChildNode[] = [];
  try {
    // One at a time: two cores, and each compiles the sources on start.
    // The last node is configured with forRoot({ exchange }), the others with forRootAsync and ConfigService.
    for (let i = 0; i < count; i++) nodes.push(await ChildNode.start({ ...env, CLUSTER_FOR_ROOT: i === count - 1 ? '1' : '0' }));
    const configured = nodes.map((n) => n.lines.entries.find((l) => l.startsWith('CONFIGURED WITH ')));
    if (configured.at(-1) !== 'CONFIGURED WITH forRoot' || configured.slice(0, -1).some((l) => l !== 'CONFIGURED WITH forRootAsync')) {
      throw new Error(`the nodes are not configured as intended: ${JSON.stringify(configured)}`);
    }
    await Promise.all(nodes.map((n) => n.logged(new RegExp(`; ${count - 1} peer\\(s\\)`), HOP_MS * 2)));
    return nodes;
  } catch (err) {
    await Promise.all(nodes.map((n) => n.kill()));
    throw err;
  }
}

async function startBrokerCluster(kind: Kind): Promise<TestCluster> {
  const broker = await startBroker(kind);
  const prefix = `suite-${kind}`;
  let nodes: ChildNode[];
  try {
    nodes = await startNodes(kind, broker, prefix, 3);
  } catch (err) {
    await broker.process.stop();
    throw err;
  }
  const injector = transportFor(kind, broker.url);
  await injector.subscribe(`${prefix}.injector-ready`, () => {}); // waits for the first connection
  return {
    nodeTimeout: NODE_TIMEOUT_MS,
    nodes: nodes.map((n, index) => ({ index, wsUrl: n.wsUrl, call: (op, args) => n.call(op, args) })),
    inject: (payload) => injector.publish(`${prefix}.all`, payload),
    logged: (i, pattern) => nodes[i]!.logged(pattern, HOP_MS),
    // The nodes' stdout: lines Nest's Logger printed.
    logLines: (i, pattern) => nodes[i]!.lines.entries.filter((l) => pattern.test(l)),
    stopNode: (i) => nodes[i]!.stop(),
    async brokerDown() {
      const marks = nodes.map((n) => n.lineCount);
      await broker.process.stop();
      await Promise.all(nodes.map((n, i) => n.logged(/broker unreachable/, HOP_MS * 2, marks[i])));
    },
    async brokerUp() {
      const marks = nodes.map((n) => n.lineCount);
      await broker.process.restart();
      await Promise.all(nodes.map((n, i) => n.logged(/broker connection restored/, HOP_MS * 4, marks[i])));
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
      await injector.close();
      await broker.process.stop();
    },
  };
}

for (const kind of ['redis', 'nats'] as const) {
  clusterSuite(`cluster over ${kind} (3 Nest apps in child processes)`, () => startBrokerCluster(kind));

  describe(`cluster over ${kind}: a node killed with -9`, () => {
    let broker: Broker;
    let nodes: ChildNode[] = [];
    const clients: ChatClient[] = [];

    beforeAll(async () => {
      broker = await startBroker(kind);
      nodes = await startNodes(kind, broker, `kill-${kind}`, 2);
    }, 60_000);
    afterAll(async () => {
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all(nodes.map((n) => n.stop()));
      await broker?.process.stop();
    }, 30_000);

    it('its connections leave every presence answer within the node timeout; asks to them fail, never hang', async () => {
      const [a, b] = nodes as [ChildNode, ChildNode];
      clients.push(await ChatClient.open(a.wsUrl, 0), await ChatClient.open(b.wsUrl, 1), await ChatClient.open(b.wsUrl, 1));
      const [survivor, v1, v2] = clients as [ChatClient, ChatClient, ChatClient];
      await v1.joinRoom('doomed');
      expect((await a.call<string[]>('members', { namespace: CHAT })).sort()).toEqual([survivor.id, v1.id, v2.id].sort());
      expect(await a.call<number>('connectionCount')).toBe(3);
      // An ask node a routed to node b, which b's client has not answered when b dies.
      const cut = `cut-${kind}`;
      const askedAt = Date.now();
      const pendingAsk = a.call('ask', { id: v2.id, msg: { namespace: CHAT, event: 'silent', body: cut }, timeout: PENDING_ASK_MS }).catch((e: Error) => e);
      await v2.waitFor('silent', cut, HOP_MS);
      const mark = a.lineCount;
      await b.kill();
      const killedAt = Date.now();
      // Asked before node a has noticed: answered without b's connections within the node timeout.
      const duringCrash = a.call<string[]>('members', { namespace: CHAT });
      const beatsAfterKill = await a.call<number>('beats');
      const expiry = await a.logged(/has not been heard from/, NODE_TIMEOUT_MS + HOP_MS, mark);
      // Expiry is checked on each heartbeat tick, and comes at the first one past the node timeout: counted
      // in node a's ticks (its heartbeats seen on the bus when it logged the expiry, the expiring tick's own
      // still on its way), not on the clock, which a loaded machine stretches (and a stall of node a's own
      // loop is excused). Ticks before it: at most nodeTimeout / heartbeatInterval, plus one for rounding.
      const beatsAtExpiry = Number(/\[own heartbeats seen: (\d+)\]/.exec(expiry)?.[1]);
      expect(beatsAtExpiry - beatsAfterKill, expiry).toBeLessThanOrEqual(NODE_TIMEOUT_MS / HEARTBEAT_MS + 1);
      expect(await duringCrash).toEqual([survivor.id]);
      expect(Date.now() - killedAt).toBeLessThanOrEqual(NODE_TIMEOUT_MS + 2 * HEARTBEAT_MS + 1_000);
      // The waiting ask fails at its own timeout, never hangs (without nodeLink, nothing tells it sooner
      // that its answer is lost: see node-link.e2e-spec.ts for the link that does).
      const lost = await pendingAsk;
      expect((lost as Error).name).toBe('AskTimeoutError');
      expect(Date.now() - askedAt).toBeLessThan(PENDING_ASK_MS + HOP_MS);
      expect(await a.call<string[]>('members', { namespace: CHAT })).toEqual([survivor.id]);
      expect(await a.call<string[]>('connections')).toEqual([survivor.id]);
      expect(await a.call<number>('connectionCount')).toBe(1);
      expect(await a.call<string[]>('rooms', { namespace: CHAT })).toEqual([]);
      const started = Date.now();
      const err = await a.call('ask', { id: v1.id, msg: { namespace: CHAT, event: 'q', body: '' }, timeout: 2_000 }).catch((e: Error) => e);
      expect((err as Error).name).toBe('ConnectionNotFoundError');
      expect(Date.now() - started).toBeLessThan(2_000);
    });
  });
}
