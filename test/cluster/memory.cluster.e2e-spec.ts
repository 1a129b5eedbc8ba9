// The cluster suite over the in-memory bus: three engines in this process, each on its own HTTP
// port, neffos.js clients spread over them; and what only this transport lets a test see directly
// (channel and subscription counts per node).
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { type EngineOptions, NeffosEngine } from '../../lib/engine/index.js';
import { ClusterExchange } from '../../lib/exchange/cluster.exchange.js';
import { MemoryBus, MemoryTransport } from '../../lib/exchange/memory.transport.js';
import { EngineHarness } from '../utils/engine-harness.js';
import { ChatClient } from './cluster-client.js';
import { heartbeatTicks } from './heartbeat-ticks.js';
import { clusterSuite, HOP_MS, type TestCluster } from './cluster.suite.js';
import { CHAT, chatEvents } from './fixtures/chat.events.js';
import { controlResult, unwrap } from './fixtures/control.js';
import { NodeLog } from './node-log.js';

const PREFIX = 'memtest';
const HEARTBEAT_MS = 100;
const NODE_TIMEOUT_MS = 400;

async function startMemoryCluster(count = 3, nodeLink = false, engine: Partial<EngineOptions> = {}): Promise<TestCluster & { bus: MemoryBus; harnesses: EngineHarness[]; logs: NodeLog[] }> {
  const bus = new MemoryBus();
  const harnesses: EngineHarness[] = [];
  const logs: NodeLog[] = [];
  for (let i = 0; i < count; i++) {
    const log = new NodeLog();
    const exchange = new ClusterExchange(new MemoryTransport(bus), { prefix: PREFIX, heartbeatInterval: HEARTBEAT_MS, nodeTimeout: NODE_TIMEOUT_MS, nodeLink });
    const h = await EngineHarness.start({ path: '/cluster', namespaces: { [CHAT]: chatEvents }, exchange, logger: log.logger, ...engine });
    await h.engine.ready();
    harnesses.push(h);
    logs.push(log);
  }
  await Promise.all(logs.map((log, i) => log.waitFor(new RegExp(`; ${count - 1} peer\\(s\\)`), `node ${i} to know its ${count - 1} peers`, HOP_MS)));
  if (nodeLink) {
    const up = (entries: readonly string[]) => entries.filter((l) => /direct link to node \S+ is up/.test(l)).length >= count - 1;
    await Promise.all(logs.map((log, i) => log.lines.waitUntil(up, `node ${i}'s ${count - 1} direct links`, HOP_MS)));
  }
  const injector = new MemoryTransport(bus);
  return {
    bus,
    harnesses,
    logs,
    nodeTimeout: NODE_TIMEOUT_MS,
    nodes: harnesses.map((h, index) => ({
      index,
      wsUrl: h.wsUrl(),
      // Through JSON, as the child-process nodes answer over HTTP.
      call: async <T,>(op: string, args = {}) => unwrap<T>(JSON.parse(JSON.stringify(await controlResult(h.engine, op, args)))),
    })),
    inject: (payload) => injector.publish(`${PREFIX}.all`, payload),
    logged: (i, pattern) => logs[i]!.waitFor(pattern, `node ${i} to log ${pattern}`, HOP_MS),
    logLines: (i, pattern) => logs[i]!.lines.entries.filter((l) => pattern.test(l)),
    stopNode: (i) => harnesses[i]!.stop(),
    async brokerDown() {
      const marks = logs.map((l) => l.size);
      bus.down(new Error('test outage'));
      await Promise.all(logs.map((l, i) => l.waitFor(/broker unreachable/, `node ${i} to log the outage`, HOP_MS, marks[i])));
    },
    async brokerUp() {
      const marks = logs.map((l) => l.size);
      bus.up();
      await Promise.all(logs.map((l, i) => l.waitFor(/broker connection restored/, `node ${i} to log the end of the outage`, HOP_MS, marks[i])));
    },
    async stop() {
      await Promise.all(harnesses.map((h) => h.stop()));
      await injector.close();
    },
  };
}

clusterSuite('cluster over the in-memory bus (3 engines in one process)', () => startMemoryCluster());
// The whole suite again with direct node links on: what goes to one node takes the link, the rest the bus.
clusterSuite('cluster over the in-memory bus with nodeLink (3 engines in one process)', () => startMemoryCluster(3, true));

describe('cluster over the in-memory bus: what a test can see inside', () => {
  it('each node holds two subscriptions whatever its client count, and an outage is logged once', async () => {
    const cluster = await startMemoryCluster(2);
    const clients: ChatClient[] = [];
    try {
      const before = cluster.bus.channelNames().sort();
      expect(before).toHaveLength(3); // <prefix>.all + one channel per node
      expect(cluster.bus.subscriberCount(`${PREFIX}.all`)).toBe(2);
      for (let k = 0; k < 20; k++) clients.push(await ChatClient.open(cluster.nodes[k % 2]!.wsUrl, k % 2));
      await Promise.all(clients.slice(0, 4).map((c, k) => c.joinRoom(`r${k}`)));
      expect(cluster.bus.channelNames().sort()).toEqual(before);
      expect(cluster.bus.subscriberCount(`${PREFIX}.all`)).toBe(2);

      await cluster.brokerDown();
      // Many failed publishes during the outage, still one log line per node.
      for (let k = 0; k < 20; k++) await cluster.nodes[0]!.call('broadcast', { msg: { namespace: CHAT, event: 'news', body: `during-${k}` } });
      await cluster.brokerUp();
      const outageLines = cluster.logs[0]!.lines.entries.filter((l) => /broker unreachable/.test(l));
      expect(outageLines).toHaveLength(1);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await cluster.stop();
    }
  });

  it('a publish refused during an outage but handled once the broker is back is no second outage', async () => {
    // Over NATS a loaded node reads the PONG that ends its outage and a peer's hello in one chunk: the
    // status turns up, then the heartbeat it answers the hello with (refused a moment before, while
    // down) has its failure handled. The same order here: refused, then up before any microtask runs.
    const cluster = await startMemoryCluster(2);
    const clients: ChatClient[] = [];
    try {
      clients.push(await ChatClient.open(cluster.nodes[1]!.wsUrl, 1));
      const mark = cluster.logs[0]!.size;
      await cluster.brokerDown();
      expect(cluster.harnesses[0]!.engine.broadcast({ namespace: CHAT, event: 'news', body: 'refused' })).toBe(0);
      cluster.bus.up();
      await cluster.logs[0]!.waitFor(/broker connection restored/, 'node 0 to log the end of the outage', HOP_MS, mark);
      // Node 0 publishes again after the stale failure was handled: its broadcast crosses the bus.
      await cluster.nodes[0]!.call('broadcast', { msg: { namespace: CHAT, event: 'news', body: 'after' } });
      await clients[0]!.waitFor('news', 'after', HOP_MS);
      const exchangeLines = cluster.logs[0]!.lines.entries.slice(mark).filter((l) => /exchange: (broker|publishing)/.test(l));
      expect(exchangeLines).toEqual([expect.stringMatching(/^warn exchange: broker unreachable \(test outage\)/), expect.stringMatching(/^log exchange: broker connection restored/)]);
      expect(clients[0]!.got('news', 'refused')).toHaveLength(0);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await cluster.stop();
    }
  });

  it('a flood of malformed bus messages costs one log line per kind, not one per message', async () => {
    const cluster = await startMemoryCluster(2);
    const clients: ChatClient[] = [];
    try {
      clients.push(await ChatClient.open(cluster.nodes[1]!.wsUrl, 1));
      for (let k = 0; k < 200; k++) await cluster.inject(Buffer.from(`;chat;;news;0;0;a Go neffos frame ${k}`));
      const unknownType = (k: number) => {
        const header = Buffer.from(`{"t":"nope${k % 10}"}`);
        return Buffer.concat([Buffer.from('NFX1'), Buffer.from([0, 0, 0, header.length]), header]);
      };
      for (let k = 0; k < 200; k++) await cluster.inject(unknownType(k));
      // Delivery is in order: once node 0's broadcast arrived on node 1, node 1 has had every injected message.
      await cluster.nodes[0]!.call('broadcast', { msg: { namespace: CHAT, event: 'news', body: 'after the flood' } });
      await clients[0]!.waitFor('news', 'after the flood', HOP_MS);
      for (const log of cluster.logs) {
        const drops = log.lines.entries.filter((l) => /dropped a \d+-byte bus message/.test(l));
        expect(drops).toHaveLength(2);
        expect(drops[0]).toMatch(/not a nestjs-neffos cluster message/);
        expect(drops[1]).toMatch(/unknown message type "nope0"/);
      }
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await cluster.stop();
    }
  });

  it('a crashed node (gone silent) stops counting within the node timeout, and asks to its connections never hang', async () => {
    const cluster = await startMemoryCluster(2);
    const clients: ChatClient[] = [];
    try {
      clients.push(await ChatClient.open(cluster.nodes[0]!.wsUrl, 0), await ChatClient.open(cluster.nodes[1]!.wsUrl, 1));
      const victim = clients[1]!;
      expect(await cluster.nodes[0]!.call<string[]>('members', { namespace: CHAT })).toContain(victim.id);
      const exchangeOf = (h: EngineHarness) => (h.engine as unknown as { options: { exchange: ClusterExchange } }).options.exchange;
      const [h0, h1] = cluster.harnesses as [EngineHarness, EngineHarness];
      const ticks = await heartbeatTicks(cluster.bus, `${PREFIX}.all`, exchangeOf(h0).nodeId);
      // Simulate kill -9 in-process: the node stops talking on the bus without a goodbye.
      await (exchangeOf(h1) as unknown as { transport: MemoryTransport }).transport.close();
      const ticksBefore = ticks.count;
      // Calls made before the crash is noticed wait for the silent node, but not for ever: an ask
      // times out, a close finds nobody.
      const pendingAsk = cluster.nodes[0]!.call('ask', { id: victim.id, msg: { namespace: CHAT, event: 'q', body: '' }, timeout: 2 * NODE_TIMEOUT_MS }).catch((e: Error) => e);
      const pendingClose = cluster.nodes[0]!.call<boolean>('closeConnection', { id: victim.id });
      await cluster.logged(0, /has not been heard from/);
      // Counted in node 0's ticks, not on the clock (a loaded machine makes ticks late, never more of
      // them): the expiry comes at the first tick past the node timeout, so the ticks before it, whose
      // heartbeats have reached the observer (the expiring tick's own is still on its way), number at
      // most nodeTimeout / heartbeatInterval, plus one for the node's silence starting between two ticks.
      expect(ticks.count - ticksBefore).toBeLessThanOrEqual(NODE_TIMEOUT_MS / HEARTBEAT_MS + 1);
      await ticks.close();
      expect(await cluster.nodes[0]!.call<string[]>('members', { namespace: CHAT })).not.toContain(victim.id);
      const err = await cluster.nodes[0]!.call('ask', { id: victim.id, msg: { namespace: CHAT, event: 'q', body: '' }, timeout: 500 }).catch((e: Error) => e);
      expect((err as Error).name).toBe('ConnectionNotFoundError');
      expect(((await pendingAsk) as Error).name).toBe('AskTimeoutError');
      expect(await pendingClose).toBe(false);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await cluster.stop();
    }
  });

  it('an id held on two nodes (an idGenerator that is not unique): to(id) and ask(id) behave as the README says', async () => {
    const cluster = await startMemoryCluster(3, false, { idGenerator: (req) => String(req.headers['x-id'] ?? randomUUID()) });
    const clients: ChatClient[] = [];
    try {
      const dup = { headers: { 'x-id': 'dup' } };
      clients.push(await ChatClient.open(cluster.nodes[0]!.wsUrl, 0, dup), await ChatClient.open(cluster.nodes[1]!.wsUrl, 1, dup));
      const [on0, on1] = clients as [ChatClient, ChatClient];
      // From a node that does not hold the id: every node holding it delivers.
      await cluster.nodes[2]!.call('to', { id: 'dup', msg: { namespace: CHAT, event: 'private', body: 'from 2' } });
      await on0.waitFor('private', 'from 2', HOP_MS);
      await on1.waitFor('private', 'from 2', HOP_MS);
      // From a node that holds it: its own connection only, nothing is published.
      expect(await cluster.nodes[0]!.call('to', { id: 'dup', msg: { namespace: CHAT, event: 'private', body: 'from 0' } })).toBe(1);
      await on0.waitFor('private', 'from 0', HOP_MS);
      // Node 0's later broadcast reaches node 1 after anything node 0 published before it.
      await cluster.nodes[0]!.call('broadcast', { msg: { namespace: CHAT, event: 'end', body: 'fence' } });
      await on1.waitFor('end', 'fence', HOP_MS);
      expect(on1.got('private', 'from 0')).toHaveLength(0);
      // ask(id) from elsewhere takes the first answer (both answer "<body>@dup").
      expect(await cluster.nodes[2]!.call<{ text: string }>('ask', { id: 'dup', msg: { namespace: CHAT, event: 'q', body: 'who' } })).toMatchObject({ text: 'who@dup' });
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await cluster.stop();
    }
  });

  it('an id held twice on one node, first by a connection outside the namespace: remote calls act on the one inside it', async () => {
    const cluster = await startMemoryCluster(2, false, { idGenerator: (req) => String(req.headers['x-id'] ?? randomUUID()) });
    const clients: ChatClient[] = [];
    try {
      const twin = { headers: { 'x-id': 'twin' } };
      // Registered first under the id, connected to no namespace.
      const { id } = await cluster.harnesses[1]!.rawReady(twin);
      expect(id).toBe('twin');
      clients.push(await ChatClient.open(cluster.nodes[1]!.wsUrl, 1, twin));
      const [inChat] = clients as [ChatClient];
      expect(inChat.id).toBe('twin');
      // The ask (ExchangeNode.askLocal) and a remote join (ExchangeNode.perform) both reach the connection in the namespace.
      expect(await cluster.nodes[0]!.call<{ text: string }>('ask', { id: 'twin', msg: { namespace: CHAT, event: 'q', body: 'which' } })).toMatchObject({ text: 'which@twin' });
      await cluster.nodes[0]!.call('joinRoom', { id: 'twin', namespace: CHAT, room: 'twins' });
      expect(inChat.ns.room('twins')).toBeDefined();
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await cluster.stop();
    }
  });

  it('an engine without an exchange has no cluster traffic and its cluster API answers for itself', async () => {
    const h = await EngineHarness.start({ path: '/solo', namespaces: { [CHAT]: chatEvents } });
    try {
      const c = await ChatClient.open(h.wsUrl(), 0);
      try {
        expect(await h.engine.cluster.members(CHAT)).toEqual([c.id]);
        expect(await h.engine.cluster.connectionCount()).toBe(1);
        await h.engine.cluster.joinRoom(c.id, CHAT, 'solo-room');
        expect(await h.engine.cluster.rooms(CHAT)).toEqual(['solo-room']);
        await expect(h.engine.ask('nobody', { namespace: CHAT, event: 'q' })).rejects.toMatchObject({ name: 'ConnectionNotFoundError' });
        expect(await h.engine.cluster.closeConnection('nobody')).toBe(false);
      } finally {
        await c.close();
      }
    } finally {
      await h.stop();
    }
  });

  it('refuses one exchange for two engines', async () => {
    const exchange = new ClusterExchange(new MemoryTransport(new MemoryBus()));
    const a = new NeffosEngine({ path: '/a', namespaces: { [CHAT]: chatEvents }, exchange, pingInterval: 0 });
    await a.ready();
    const b = new NeffosEngine({ path: '/b', namespaces: { [CHAT]: chatEvents }, exchange, pingInterval: 0 });
    await expect(b.ready()).rejects.toThrow(/already attached/);
    await a.close();
    await b.close();
  });
});
