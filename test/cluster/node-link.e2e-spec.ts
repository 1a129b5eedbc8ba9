// Direct node links (the exchange option `nodeLink`, node-link.manager.ts): two engines in this
// process over the in-memory bus, real Redis and real NATS, linked by real loopback TCP. A listener on
// the broker channels receives exactly what the broker carries, so it shows that once a node holding
// a connection is known, asks to it and their answers no longer cross the broker. Then the faults: a
// link cut mid-traffic, sockets that dial the link port and misbehave, and (child processes) a node
// killed with -9 while an ask waits for it.
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, type Socket, connect, createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NeffosEngine } from '../../lib/engine/index.js';
import { ClusterExchange } from '../../lib/exchange/cluster.exchange.js';
import type { ClusterMessage } from '../../lib/exchange/cluster-message.js';
import { decodeClusterMessage, encodeClusterMessage } from '../../lib/exchange/cluster-message.codec.js';
import type { ExchangeTransport } from '../../lib/exchange/exchange-transport.js';
import { MemoryBus, MemoryTransport } from '../../lib/exchange/memory.transport.js';
import { encodeLinkAck, encodeLinkHello, frameHead, parseLinkAddress } from '../../lib/exchange/node-link.codec.js';
import { LINK_HANDSHAKE_MS } from '../../lib/exchange/node-link.manager.js';
import { RedisTransport } from '../../lib/exchange/redis.transport.js';
import { freePort, startNats, startRedis } from '../utils/brokers.js';
import { EngineHarness } from '../utils/engine-harness.js';
import { EventLog, withTimeout } from '../utils/wait.js';
import { ChildNode } from './child-node.js';
import { ChatClient } from './cluster-client.js';
import { HOP_MS } from './cluster.suite.js';
import { CHAT, chatEvents } from './fixtures/chat.events.js';
import { NodeLog } from './node-log.js';
import { type TransportKind, transportKinds } from './transport-kinds.js';

const kinds = transportKinds();

interface LinkedNode {
  harness: EngineHarness;
  exchange: ClusterExchange;
  log: NodeLog;
}

/** Engines `ids` with links on, each knowing the others, every link up. */
async function startLinked(kind: TransportKind, prefix: string, ids: string[]): Promise<LinkedNode[]> {
  const nodes: LinkedNode[] = [];
  for (const nodeId of ids) {
    const log = new NodeLog();
    const exchange = new ClusterExchange(kind.transport(), { prefix, nodeId, heartbeatInterval: 200, nodeTimeout: 1000, nodeLink: true });
    const harness = await EngineHarness.start({ path: '/link', namespaces: { [CHAT]: chatEvents }, exchange, logger: log.logger });
    await harness.engine.ready();
    nodes.push({ harness, exchange, log });
  }
  await Promise.all(nodes.map((n, i) => n.log.waitFor(new RegExp(`; ${ids.length - 1} peer\\(s\\)`), `node ${ids[i]} to know its peers`, HOP_MS)));
  await Promise.all(nodes.map((n, i) => withTimeout(linkedTo(n, ids.length - 1), HOP_MS, `node ${ids[i]}'s links to come up`)));
  return nodes;
}

/** Resolves once `node` has `count` open links (each logs a line when it comes up). */
async function linkedTo(node: LinkedNode, count: number): Promise<void> {
  await node.log.lines.waitUntil(() => node.exchange.nodeLinks!.linked.length >= count, `${count} open link(s)`, HOP_MS);
}

describe.each(kinds)('direct node links over $name', (kind) => {
  const prefix = `link${kind.name.replace(/\W/g, '')}`;
  let a: LinkedNode;
  let b: LinkedNode;
  const clients: ChatClient[] = [];
  /** Everything the broker carries for these two nodes: the shared channel and both node channels. */
  const onBroker = new EventLog<{ channel: string; msg: ClusterMessage }>();
  let observer: ExchangeTransport;

  beforeAll(async () => {
    await kind.setUp();
    [a, b] = (await startLinked(kind, prefix, ['a', 'b'])) as [LinkedNode, LinkedNode];
    observer = kind.transport();
    for (const channel of [`${prefix}.all`, `${prefix}.node.a`, `${prefix}.node.b`]) {
      await observer.subscribe(channel, (payload) => {
        const decoded = decodeClusterMessage(payload);
        if (decoded.ok) onBroker.push({ channel, msg: decoded.msg });
      });
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all([a?.harness.stop(), b?.harness.stop()]);
    await observer?.close();
    await kind.tearDown();
  }, 30_000);

  const open = async (node: LinkedNode, index: number): Promise<ChatClient> => {
    const c = await ChatClient.open(node.harness.wsUrl(), index);
    clients.push(c);
    return c;
  };
  const ask = (from: LinkedNode, id: string, body: string, event = 'q', timeout = HOP_MS) => from.harness.engine.ask(id, { namespace: CHAT, event, body }, { timeout });
  /** Messages of an ask (request, answer, "not here", failure) on a broker channel, for connection `id` or any. */
  const callTraffic = (channel: string) => onBroker.entries.filter((e) => e.channel === channel && ['req', 'res', 'absent', 'fail'].includes(e.msg.t));

  /** Node `from` broadcasts a marker; once the observer has it, it has everything `from` published before. */
  async function drain(from: LinkedNode, name: string, marker: string): Promise<void> {
    from.harness.engine.broadcast({ namespace: CHAT, event: 'news', body: marker });
    await onBroker.waitFor((e) => e.msg.t === 'emit' && e.msg.n === name && e.msg.body.toString() === marker, `node ${name}'s "${marker}" on the broker`, HOP_MS);
  }

  it('one TCP connection per pair of nodes, dialed by the node whose id sorts first', () => {
    expect(a.exchange.nodeLinks!.linked).toEqual(['b']);
    expect(b.exchange.nodeLinks!.linked).toEqual(['a']);
    expect(a.log.lines.entries.filter((l) => /direct link to node b is up \(dialed\)/.test(l))).toHaveLength(1);
    expect(b.log.lines.entries.filter((l) => /direct link to node a is up \(accepted\)/.test(l))).toHaveLength(1);
  });

  it('routed asks reach the holder and are answered; once the route is known no request or answer crosses the broker', async () => {
    const target = await open(b, 1);
    const before = { a: callTraffic(`${prefix}.node.a`).length, b: callTraffic(`${prefix}.node.b`).length };
    expect((await ask(a, target.id, 'first')).text()).toBe(`first@${target.id}`);
    for (let i = 0; i < 10; i++) expect((await ask(a, target.id, `routed-${i}`)).text()).toBe(`routed-${i}@${target.id}`);
    await drain(a, 'a', 'after-routed-a');
    await drain(b, 'b', 'after-routed-b');
    // The first ask fans out on the shared channel (nobody knows the holder yet); nothing else does.
    expect(onBroker.entries.filter((e) => e.msg.t === 'req' && e.msg.id === target.id).map((e) => e.channel)).toEqual([`${prefix}.all`]);
    // The answers and the ten routed requests went over the link: no node channel carried any.
    expect(callTraffic(`${prefix}.node.a`).length - before.a).toBe(0);
    expect(callTraffic(`${prefix}.node.b`).length - before.b).toBe(0);
  });

  it('every kind of message for one node takes the link: a client error, "not here" and presence answers', async () => {
    const target = await open(b, 1);
    await ask(a, target.id, 'learn');
    const nodeChannels = () => onBroker.entries.filter((e) => e.channel !== `${prefix}.all`).length;
    const before = nodeChannels();
    const startAt = onBroker.entries.length;
    // A client's error comes back as a `fail`.
    const refused = await ask(a, target.id, '', 'fail').catch((e: Error) => e);
    expect((refused as Error).message).toBe(`refused by ${target.id}`);
    // Presence questions go on the shared channel; each node's answer (`qa`) comes back over the link.
    expect(await a.harness.engine.cluster.members(CHAT)).toContain(target.id);
    // A routed ask for a connection that has gone: b says "not here" (`absent`), then the fallback fans out.
    await target.close();
    const deadline = Date.now() + HOP_MS;
    while ((await b.harness.engine.cluster.members(CHAT)).includes(target.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const gone = await ask(a, target.id, 'gone').catch((e: Error) => e);
    expect((gone as Error).name).toBe('ConnectionNotFoundError');
    await drain(a, 'a', 'after-kinds-a');
    await drain(b, 'b', 'after-kinds-b');
    expect(onBroker.entries.slice(startAt).filter((e) => e.channel !== `${prefix}.all`).map((e) => `${e.channel} ${e.msg.t}`)).toEqual([]);
    expect(nodeChannels()).toBe(before);
  });

  it('many concurrent asks both ways over the one link are matched to their own replies', async () => {
    const onA = [await open(a, 0), await open(a, 0)];
    const onB = [await open(b, 1), await open(b, 1)];
    // Learn the routes first, then fire everything at once.
    await Promise.all([...onB.map((c) => ask(a, c.id, 'learn')), ...onA.map((c) => ask(b, c.id, 'learn'))]);
    const before = callTraffic(`${prefix}.node.a`).length + callTraffic(`${prefix}.node.b`).length;
    const calls: Array<Promise<void>> = [];
    for (let i = 0; i < 100; i++) {
      const [from, target] = i % 2 === 0 ? [a, onB[(i >> 1) % 2]!] : [b, onA[(i >> 1) % 2]!];
      calls.push(ask(from, target.id, `c${i}`).then((reply) => expect(reply.text()).toBe(`c${i}@${target.id}`)));
    }
    await Promise.all(calls);
    await drain(a, 'a', 'after-concurrent-a');
    await drain(b, 'b', 'after-concurrent-b');
    expect(callTraffic(`${prefix}.node.a`).length + callTraffic(`${prefix}.node.b`).length - before).toBe(0);
    expect(a.exchange.nodeLinks!.linked).toEqual(['b']);
  });

  it('a link cut mid-traffic: asks in flight fail fast or succeed, never hang; later asks go through the broker, then over a re-dialled link', async () => {
    const target = await open(b, 1);
    await ask(a, target.id, 'learn');
    const mark = a.log.size;
    // Asks the client never answers (they can only end by the cut) and asks it answers at once.
    const silent = Array.from({ length: 5 }, () => ask(a, target.id, '', 'silent', 20_000).then(() => 'answered', (e: Error) => e));
    const quick = Array.from({ length: 20 }, (_, i) => ask(a, target.id, `q${i}`, 'q', 20_000).then((m) => m.text(), (e: Error) => e));
    // Every silent ask has reached the client: they can now only end by the cut.
    await target.log.waitUntil((entries) => entries.filter((r) => r.event === 'silent').length === 5, 'the silent asks to reach the client', HOP_MS);
    const cutAt = Date.now();
    a.exchange.nodeLinks!.socketOf('b')!.destroy();
    const silentOutcomes = await withTimeout(Promise.all(silent), HOP_MS, 'the silent asks to end after the cut');
    expect(Date.now() - cutAt).toBeLessThan(2_000);
    for (const outcome of silentOutcomes) expect((outcome as Error).name).toBe('NodeLinkClosedError');
    for (const [i, outcome] of (await withTimeout(Promise.all(quick), HOP_MS, 'the quick asks')).entries()) {
      if (typeof outcome === 'string') expect(outcome).toBe(`q${i}@${target.id}`);
      else expect(outcome.name).toBe('NodeLinkClosedError');
    }
    // Link down: the next ask still works, through node b's broker channel.
    await a.log.waitFor(/direct link to node b closed/, 'node a to see its link closed', HOP_MS, mark);
    const viaBroker = callTraffic(`${prefix}.node.b`).length;
    if (a.exchange.nodeLinks!.linked.length === 0) {
      expect((await ask(a, target.id, 'during')).text()).toBe(`during@${target.id}`);
      await drain(a, 'a', 'after-during');
      expect(callTraffic(`${prefix}.node.b`).length).toBeGreaterThan(viaBroker);
    }
    // Node a dials again by itself; then asks skip the broker again.
    await a.log.waitFor(/direct link to node b is up \(dialed\)/, 'node a to re-dial node b', HOP_MS, mark);
    const afterRedial = callTraffic(`${prefix}.node.b`).length + callTraffic(`${prefix}.node.a`).length;
    for (let i = 0; i < 5; i++) expect((await ask(a, target.id, `again-${i}`)).text()).toBe(`again-${i}@${target.id}`);
    await drain(a, 'a', 'after-redial-a');
    await drain(b, 'b', 'after-redial-b');
    expect(callTraffic(`${prefix}.node.b`).length + callTraffic(`${prefix}.node.a`).length).toBe(afterRedial);
  }, 30_000);

  it('sockets that dial the link port and send garbage, a wrong key, an oversized frame or nothing are dropped; the node keeps serving', async () => {
    const at = parseLinkAddress(b.exchange.nodeLinks!.advert!.at)!;
    const target = await open(b, 1);
    await ask(a, target.id, 'learn');
    const mark = b.log.size;
    const dialRaw = async (send?: Buffer): Promise<Socket> => {
      const socket = connect({ host: at.host, port: at.port });
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      if (send !== undefined) socket.write(send);
      return socket;
    };
    const closed = (socket: Socket, ms: number) =>
      withTimeout(new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve()))), ms, 'the node to drop the socket');
    const garbage = await dialRaw(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    const wrongKey = encodeLinkHello('mallory', Buffer.alloc(16, 7));
    const impostor = await dialRaw(Buffer.concat([frameHead(wrongKey.length), wrongKey]));
    const huge = await dialRaw(frameHead(100 * 1024 * 1024));
    // The node's handshake timer starts when it accepts, which is after this.
    const mutedAt = Date.now();
    const mute = await dialRaw();
    for (const s of [garbage, impostor, huge]) s.on('error', () => {});
    mute.on('error', () => {});
    await Promise.all([closed(garbage, HOP_MS), closed(impostor, HOP_MS), closed(huge, HOP_MS)]);
    await closed(mute, LINK_HANDSHAKE_MS + HOP_MS);
    expect(Date.now() - mutedAt).toBeGreaterThanOrEqual(LINK_HANDSHAKE_MS - 50);
    await b.log.waitFor(/dropped the direct-link socket from .*wrong key/, 'the wrong key to be logged', HOP_MS, mark);
    await b.log.waitFor(/dropped the direct-link socket from .*did not complete its handshake/, 'the silent socket to be logged', HOP_MS, mark);
    await b.log.waitFor(/dropped the direct-link socket from .*exceeds the \d+-byte bound/, 'the oversized frame to be logged', HOP_MS, mark);
    // The real link was never touched, and still carries asks.
    expect(b.exchange.nodeLinks!.linked).toEqual(['a']);
    const before = callTraffic(`${prefix}.node.b`).length + callTraffic(`${prefix}.node.a`).length;
    expect((await ask(a, target.id, 'still')).text()).toBe(`still@${target.id}`);
    await drain(a, 'a', 'after-garbage-a');
    await drain(b, 'b', 'after-garbage-b');
    expect(callTraffic(`${prefix}.node.b`).length + callTraffic(`${prefix}.node.a`).length).toBe(before);
  }, 30_000);

  it('close() closes the link server and every link: the port refuses, and no socket or server is left', async () => {
    const baseline = tcpHandles();
    const [c, d] = (await startLinked(kind, `${prefix}close`, ['c', 'd'])) as [LinkedNode, LinkedNode];
    expect(c.exchange.nodeLinks!.linked).toEqual(['d']);
    const at = parseLinkAddress(d.exchange.nodeLinks!.advert!.at)!;
    await Promise.all([c.harness.stop(), d.harness.stop()]);
    const refused = await new Promise<string>((resolve) => {
      const s = connect({ host: at.host, port: at.port });
      s.once('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    expect(refused).toBe('ECONNREFUSED');
    // Handles close a turn or two after the close calls resolve: poll, with a deadline.
    const deadline = Date.now() + HOP_MS;
    while (tcpHandles() > baseline && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(tcpHandles()).toBeLessThanOrEqual(baseline);
  });
});

describe('direct node links: a node with the option and one without (or an older node) on one bus', () => {
  it('asks work both ways through the broker; no link is dialed or advertised by the node without it', async () => {
    const bus = new MemoryBus();
    const logs = [new NodeLog(), new NodeLog()];
    const withLink = new ClusterExchange(new MemoryTransport(bus), { prefix: 'mixed', nodeId: 'a', heartbeatInterval: 100, nodeTimeout: 400, nodeLink: true });
    const without = new ClusterExchange(new MemoryTransport(bus), { prefix: 'mixed', nodeId: 'b', heartbeatInterval: 100, nodeTimeout: 400 });
    const harnesses: EngineHarness[] = [];
    const clients: ChatClient[] = [];
    try {
      for (const [i, exchange] of [withLink, without].entries()) {
        const h = await EngineHarness.start({ path: '/mixed', namespaces: { [CHAT]: chatEvents }, exchange, logger: logs[i]!.logger });
        await h.engine.ready();
        harnesses.push(h);
      }
      await Promise.all(logs.map((log) => log.waitFor(/; 1 peer\(s\)/, 'the nodes to know each other', HOP_MS)));
      clients.push(await ChatClient.open(harnesses[0]!.wsUrl(), 0), await ChatClient.open(harnesses[1]!.wsUrl(), 1));
      const [onA, onB] = clients as [ChatClient, ChatClient];
      for (let i = 0; i < 3; i++) {
        expect((await harnesses[0]!.engine.ask(onB.id, { namespace: CHAT, event: 'q', body: `ab${i}` }, { timeout: HOP_MS })).text()).toBe(`ab${i}@${onB.id}`);
        expect((await harnesses[1]!.engine.ask(onA.id, { namespace: CHAT, event: 'q', body: `ba${i}` }, { timeout: HOP_MS })).text()).toBe(`ba${i}@${onA.id}`);
      }
      expect(withLink.nodeLinks!.linked).toEqual([]);
      expect(without.nodeLinks).toBeUndefined();
      for (const log of logs) expect(log.lines.entries.filter((l) => /direct link|direct-link/.test(l))).toEqual([]);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all(harnesses.map((h) => h.stop()));
    }
  });
});

describe('direct node links: a broker unreachable at start-up', () => {
  it('ready() rejects after connectTimeout and the link port is closed at once, before anyone closes the engine', async () => {
    const exchange = new ClusterExchange(new RedisTransport({ url: `redis://127.0.0.1:${await freePort()}` }), { nodeLink: true, connectTimeout: 300 });
    const engine = new NeffosEngine({ path: '/start', namespaces: { [CHAT]: chatEvents }, exchange, logger: new NodeLog().logger }).attach(createHttpServer());
    const err = await engine.ready().catch((e: unknown) => e);
    expect((err as Error).name).toBe('ExchangeUnavailableError');
    const at = parseLinkAddress(exchange.nodeLinks!.advert!.at)!;
    const outcome = await new Promise<string>((resolve) => {
      const s = connect({ host: at.host, port: at.port });
      s.once('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    expect(outcome).toBe('ECONNREFUSED');
    await engine.close();
  });
});

describe('direct node links: dialing a peer that cannot be reached', () => {
  it('retries with backoff, logs one line per failure streak (not per attempt), and one when the link opens', async () => {
    const bus = new MemoryBus();
    const log = new NodeLog();
    const exchange = new ClusterExchange(new MemoryTransport(bus), { prefix: 'unreach', nodeId: 'a', heartbeatInterval: 100, nodeTimeout: 2000, nodeLink: true });
    const harness = await EngineHarness.start({ path: '/unreach', namespaces: { [CHAT]: chatEvents }, exchange, logger: log.logger });
    // A peer "z" (sorts after "a": a dials it) whose port first drops every connection, then answers the handshake.
    let attempts = 0;
    let answer = false;
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      attempts++;
      sockets.add(socket);
      socket.on('error', () => {});
      if (!answer) return void socket.destroy();
      socket.once('data', () => socket.write(Buffer.concat([frameHead(encodeLinkAck('z').length), encodeLinkAck('z')])));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const advert = { at: `127.0.0.1:${(server.address() as AddressInfo).port}`, key: Buffer.alloc(16, 3).toString('base64url') };
    const peer = new MemoryTransport(bus);
    const beat = setInterval(() => void peer.publish('unreach.all', encodeClusterMessage({ t: 'hb', n: 'z', link: advert })), 50);
    try {
      await harness.engine.ready();
      await log.waitFor(/node z joined/, 'node a to hear of z', HOP_MS);
      // Nothing is logged per attempt (that is the point): poll the server's count, with a deadline.
      const pollUntil = Date.now() + 2 * HOP_MS;
      while (attempts < 4 && Date.now() < pollUntil) await new Promise((r) => setTimeout(r, 20));
      expect(attempts).toBeGreaterThanOrEqual(4);
      expect(log.lines.entries.filter((l) => /cannot open the direct link to node z/.test(l))).toHaveLength(1);
      answer = true;
      await log.waitFor(/node z's direct link at .* is reachable again/, 'the link to z to open', HOP_MS * 2);
      await log.waitFor(/direct link to node z is up \(dialed\)/, 'the link-up line', HOP_MS);
      expect(exchange.nodeLinks!.linked).toEqual(['z']);
      expect(log.lines.entries.filter((l) => /cannot open the direct link to node z/.test(l))).toHaveLength(1);
    } finally {
      clearInterval(beat);
      await harness.stop();
      await peer.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 30_000);
});

/** Open TCP sockets and servers of this process. */
function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length;
}

for (const broker of ['redis', 'nats'] as const) {
  describe(`direct node links over ${broker}: a node killed with -9 while an ask waits for it (child processes)`, () => {
    const NODE_TIMEOUT_MS = 1_000;
    let stopBroker: () => Promise<void>;
    let nodes: ChildNode[] = [];
    const clients: ChatClient[] = [];

    beforeAll(async () => {
      const started = broker === 'redis' ? await startRedis() : await startNats();
      stopBroker = () => started.stop();
      const env = {
        CLUSTER_BROKER: broker,
        CLUSTER_BROKER_URL: started.url,
        CLUSTER_PREFIX: `linkkill-${broker}`,
        CLUSTER_HEARTBEAT_MS: '250',
        CLUSTER_NODE_TIMEOUT_MS: String(NODE_TIMEOUT_MS),
        CLUSTER_NODE_LINK: '1',
      };
      for (let i = 0; i < 2; i++) nodes.push(await ChildNode.start(env));
      await Promise.all(nodes.map((n) => n.logged(/direct link to node .* is up/, HOP_MS * 2)));
    }, 90_000);
    afterAll(async () => {
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all(nodes.map((n) => n.stop()));
      await stopBroker?.();
    }, 30_000);

    it('the ask fails at once with NodeLinkClosedError (not at its own timeout after the node expired)', async () => {
      const [a, b] = nodes as [ChildNode, ChildNode];
      const target = await ChatClient.open(b.wsUrl, 1);
      clients.push(target);
      await a.call('ask', { id: target.id, msg: { namespace: CHAT, event: 'q', body: 'learn' } });
      const waiting = a.call('ask', { id: target.id, msg: { namespace: CHAT, event: 'silent', body: '' }, timeout: 10_000 }).then(
        () => new Error('answered'),
        (e: Error) => e,
      );
      await target.log.waitFor((r) => r.event === 'silent', 'the ask to reach the client on node b', HOP_MS);
      const killedAt = Date.now();
      await b.kill();
      const err = await withTimeout(waiting, HOP_MS * 3, 'the ask to end');
      // Without the link the ask would wait for its 10 s timeout (the node expiring only stops the wait for
      // "not found"), and end as an AskTimeoutError. The bound leaves room for a loaded machine.
      expect(err.name).toBe('NodeLinkClosedError');
      expect(Date.now() - killedAt).toBeLessThan(3 * NODE_TIMEOUT_MS);
    });
  });
}
