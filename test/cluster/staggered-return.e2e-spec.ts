// A broker outage longer than the node timeout, ending for one node before the other (real Redis and
// NATS, each node behind its own TCP gate): nobody could be heard during the outage, so the node back
// first must not take the other for dead at its next heartbeat tick, as long as the other is back
// within a node timeout (NodeDirectory.refreshAll, called when the broker comes back).
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterMessage } from '../../lib/exchange/cluster-message.js';
import { decodeClusterMessage } from '../../lib/exchange/cluster-message.codec.js';
import { ClusterExchange } from '../../lib/exchange/cluster.exchange.js';
import type { ExchangeTransport } from '../../lib/exchange/exchange-transport.js';
import { NatsTransport } from '../../lib/exchange/nats.transport.js';
import { RedisTransport } from '../../lib/exchange/redis.transport.js';
import { type NatsBroker, type RedisBroker, startNats, startRedis } from '../utils/brokers.js';
import { EngineHarness } from '../utils/engine-harness.js';
import { EventLog } from '../utils/wait.js';
import { BrokerGate } from './broker-gate.js';
import { ChatClient } from './cluster-client.js';
import { HOP_MS } from './cluster.suite.js';
import { CHAT, chatEvents } from './fixtures/chat.events.js';
import { NodeLog } from './node-log.js';

const HEARTBEAT_MS = 200;
/** Long enough for node b to reconnect on a loaded machine once its gate reopens, after node a's first tick. */
const NODE_TIMEOUT_MS = 2_500;

interface Seen {
  msg: ClusterMessage;
  at: number;
}

describe.each(['redis', 'nats'] as const)('a broker outage that ends for one node before the other, over %s', (kind) => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('the node back first gives the other a fresh node timeout: no expiry, no second join, presence intact', async () => {
    const broker: RedisBroker | NatsBroker = kind === 'redis' ? await startRedis() : await startNats();
    cleanups.push(() => broker.stop());
    const transport = (url: string): ExchangeTransport => (kind === 'redis' ? new RedisTransport({ url }) : new NatsTransport({ servers: url }));
    const prefix = `stagger-${kind}`;

    const gates: BrokerGate[] = [];
    const logs: NodeLog[] = [];
    const harnesses: EngineHarness[] = [];
    for (const nodeId of ['a', 'b']) {
      const gate = await BrokerGate.open(broker.port);
      cleanups.push(() => gate.close());
      const log = new NodeLog();
      const exchange = new ClusterExchange(transport(gate.url(kind)), { prefix, nodeId, heartbeatInterval: HEARTBEAT_MS, nodeTimeout: NODE_TIMEOUT_MS });
      const h = await EngineHarness.start({ path: '/stagger', namespaces: { [CHAT]: chatEvents }, exchange, logger: log.logger });
      cleanups.push(() => h.stop());
      await h.engine.ready();
      gates.push(gate);
      logs.push(log);
      harnesses.push(h);
    }
    const [gateA, gateB] = gates as [BrokerGate, BrokerGate];
    const [logA, logB] = logs as [NodeLog, NodeLog];
    const a = harnesses[0]!.engine;
    await Promise.all(logs.map((log, i) => log.waitFor(/; 1 peer\(s\)/, `node ${'ab'[i]} to know the other`, HOP_MS)));

    // What the nodes say on the shared channel, as an observer straight on the broker (no gate) hears it.
    const heard = new EventLog<Seen>();
    const observer = transport(broker.url);
    cleanups.push(() => observer.close());
    await observer.subscribe(`${prefix}.all`, (payload) => {
      const decoded = decodeClusterMessage(payload);
      if (decoded.ok) heard.push({ msg: decoded.msg, at: Date.now() });
    });
    const from = (node: string, t: ClusterMessage['t'], after: number) => (s: Seen) => s.msg.n === node && s.msg.t === t && heard.entries.indexOf(s) >= after;

    const client = await ChatClient.open(harnesses[1]!.wsUrl(), 1);
    cleanups.push(() => client.close());
    expect(await a.cluster.members(CHAT)).toEqual([client.id]);
    await heard.waitFor(from('b', 'hb', 0), "node b's heartbeat", HOP_MS);

    // Both nodes lose the broker.
    const marks = logs.map((l) => l.size);
    gateA.cut();
    gateB.cut();
    await Promise.all(logs.map((l, i) => l.waitFor(/broker unreachable/, `node ${'ab'[i]} to log the outage`, HOP_MS, marks[i])));
    const lastFromB = heard.entries.filter((s) => s.msg.n === 'b').at(-1)!.at;

    // The outage must outlast the node timeout: its length is the condition under test, so this waits
    // on the clock, not for an event.
    await new Promise((resolve) => setTimeout(resolve, NODE_TIMEOUT_MS + 2 * HEARTBEAT_MS));

    // The broker comes back to node a only.
    const markA = logA.size;
    const heardMark = heard.entries.length;
    gateA.reopen();
    await logA.waitFor(/broker connection restored/, 'node a to log the end of its outage', HOP_MS, markA);
    // Node b's last sign of life is older than the node timeout: without a fresh timeout, node a drops it at its next tick.
    expect(Date.now() - lastFromB).toBeGreaterThan(NODE_TIMEOUT_MS);
    // A heartbeat of node a: each tick publishes one, then checks expiry (node b is silent, nobody else speaks).
    await heard.waitFor(from('a', 'hb', heardMark), 'a heartbeat tick of node a after its outage', HOP_MS);
    expect(logA.lines.entries.slice(markA).filter((l) => /has not been heard from/.test(l))).toEqual([]);

    // Then to node b, within the node timeout of node a's return.
    const markB = logB.size;
    gateB.reopen();
    await logB.waitFor(/broker connection restored/, 'node b to log the end of its outage', HOP_MS, markB);
    // Answered by node b: node a waited for it, as for a node it still counts.
    expect(await a.cluster.members(CHAT)).toEqual([client.id]);
    const afterB = heard.entries.length;
    await heard.waitUntil((entries) => entries.filter(from('a', 'hb', afterB)).length >= 2, 'two more heartbeat ticks of node a', HOP_MS);

    for (const [i, log] of logs.entries()) {
      const exchangeLines = log.lines.entries.filter((l) => /exchange: node /.test(l));
      // Joined once at start-up; never expired, so never joined again.
      expect(exchangeLines, `node ${'ab'[i]}`).toEqual([expect.stringMatching(/^log exchange: node \S+ joined; 1 peer\(s\)$/)]);
    }
  }, 30_000);
});
