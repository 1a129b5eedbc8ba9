// Joining a Go neffos cluster (`goCompatible: true`), against real Redis and NATS: two of our nodes
// and a Go node as docs/protocol.md §5.4 describes it (test/utils/go-neffos-peer.ts), neffos.js clients on ours.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { NeffosEngine } from '../../lib/engine/index.js';
import type { BrokerExchange } from '../../lib/exchange/broker.exchange.js';
import { NatsExchange } from '../../lib/nats.js';
import { RedisExchange } from '../../lib/redis.js';
import { type NatsBroker, type RedisBroker, startNats, startRedis } from '../utils/brokers.js';
import { type GoConn, GoNeffosPeer } from '../utils/go-neffos-peer.js';
import { type NeffosConn, type NeffosMessage, type NeffosNSConn, bodyText, closeNeffos, dialNeffos, reply } from '../utils/neffos-client.js';
import { EventLog } from '../utils/wait.js';

const PREFIX = 'App';

interface Node {
  engine: NeffosEngine;
  exchange: BrokerExchange;
  http: Server;
  url: string;
  warnings: string[];
}

interface Client {
  id: string;
  conn: NeffosConn;
  ns: NeffosNSConn;
  /** `event:body` (binary bodies as `bin[hex]`) of every message received in namespace `default`. */
  got: EventLog<string>;
}

function describeMessage(msg: NeffosMessage): string {
  return `${msg.Room ? `${msg.Room}/` : ''}${msg.Event}:${typeof msg.Body === 'string' ? msg.Body : `bin[${Buffer.from(msg.Body).toString('hex')}]`}`;
}

describe.each(['redis', 'nats'] as const)('a Go neffos cluster on %s', (kind) => {
  let broker: RedisBroker | NatsBroker;
  let go: GoNeffosPeer;
  let gopher: GoConn;
  const nodes: Node[] = [];
  const clients: Client[] = [];

  async function startNode(idFromHeader = false): Promise<Node> {
    const exchange = kind === 'redis' ? new RedisExchange({ url: broker.url, prefix: PREFIX, goCompatible: true }) : new NatsExchange({ servers: broker.url, prefix: PREFIX, goCompatible: true });
    const warnings: string[] = [];
    const http = createServer();
    const engine = new NeffosEngine({
      path: '/echo',
      namespaces: { default: { noop: () => undefined } },
      exchange,
      // A client-chosen id, as the README's migration example does with a user name header.
      ...(idFromHeader ? { idGenerator: (req: IncomingMessage) => String(req.headers['x-id'] ?? randomUUID()) } : {}),
      logger: { log: () => {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
    });
    engine.attach(http);
    await engine.ready();
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const node = { engine, exchange, http, url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/echo`, warnings };
    nodes.push(node);
    return node;
  }

  async function client(node: Node, rooms: string[] = [], headers?: Record<string, string>): Promise<Client> {
    const got = new EventLog<string>();
    const onAny = (_ns: NeffosNSConn, msg: NeffosMessage) => {
      if (!msg.Event.startsWith('_')) got.push(describeMessage(msg));
    };
    const conn = await dialNeffos(node.url, {
      default: {
        chat: onAny,
        bytes: onAny,
        private: onAny,
        marker: onAny,
        question: (_ns: NeffosNSConn, msg: NeffosMessage) => reply(`answer to ${bodyText(msg)}`),
      },
    }, { headers });
    const ns = await conn.connect('default');
    for (const room of rooms) await ns.joinRoom(room);
    await node.exchange.subscriptionsSettled();
    const c = { id: conn.ID!, conn, ns, got };
    clients.push(c);
    return c;
  }

  /**
   * Everything `c` received up to a `marker` broadcast. The bus keeps order per publisher only, so the
   * marker must come from the publisher of what it fences (or, causally, after its delivery).
   */
  async function upToMarker(c: Client, marker: string): Promise<string[]> {
    await c.got.waitFor((e) => e === `marker:${marker}`, `marker ${marker}`);
    return c.got.entries.slice(0, c.got.entries.indexOf(`marker:${marker}`));
  }

  beforeAll(async () => {
    broker = kind === 'redis' ? await startRedis() : await startNats();
    go = kind === 'redis' ? await GoNeffosPeer.redis(broker.url, PREFIX) : await GoNeffosPeer.nats(broker.url, PREFIX);
    gopher = await go.connect('gopher', 'default');
    await startNode();
    await startNode();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => closeNeffos(c.conn)));
    for (const n of nodes) n.warnings.length = 0;
    gopher.written.entries.length = 0;
  });

  afterAll(async () => {
    for (const n of nodes.splice(0)) {
      await n.engine.close();
      await new Promise((r) => n.http.close(r));
    }
    await go?.close();
    await broker?.stop();
  });

  it("a Go node's broadcast reaches the clients of every one of our nodes exactly once, without a token", async () => {
    const [a, b] = nodes as [Node, Node];
    const alice = await client(a);
    const bob = await client(b);
    await go.broadcast({ namespace: 'default', event: 'chat', body: 'from go' });
    await go.broadcast({ namespace: 'default', event: 'marker', body: '1' });
    expect(await upToMarker(alice, '1')).toEqual(['chat:from go']);
    expect(await upToMarker(bob, '1')).toEqual(['chat:from go']);
  });

  it("a Go node's exclusion marker (one of its own connections) excludes none of ours", async () => {
    const other = await go.connect('gopher2', 'default');
    const alice = await client(nodes[0]!);
    await go.broadcast({ namespace: 'default', event: 'chat', body: 'all but gopher2' }, other);
    await go.broadcast({ namespace: 'default', event: 'marker', body: '2' });
    expect(await upToMarker(alice, '2')).toEqual(['chat:all but gopher2']);
    await gopher.written.waitFor((f) => f.endsWith(';marker;0;0;2'), 'the marker on the Go side');
    await other.close();
  });

  it('our broadcast reaches the Go node as a plain frame, and each of our clients once (own echo dropped)', async () => {
    const [a, b] = nodes as [Node, Node];
    const alice = await client(a);
    const bob = await client(b);
    a.engine.broadcast({ namespace: 'default', event: 'chat', body: 'from nest' });
    // Go clears the wait slot (our origin marker starts with Go's exclusion prefix) before writing.
    expect(await gopher.written.waitFor((f) => f.includes(';chat;'), 'the frame on the Go node')).toBe(';default;;chat;0;0;from nest');
    await bob.got.waitFor((e) => e === 'chat:from nest', 'the copy on node b');
    // Node b publishes after node a's copy reached the bus, so node a sees its own echo before this.
    b.engine.broadcast({ namespace: 'default', event: 'marker', body: '3' });
    expect(await upToMarker(alice, '3')).toEqual(['chat:from nest']);
    expect(await upToMarker(bob, '3')).toEqual(['chat:from nest']);
  });

  it('our room broadcast and a client\'s "all but me" broadcast reach the Go node as Go delivers them: room members only, every Go connection', async () => {
    const [a, b] = nodes as [Node, Node];
    const alice = await client(a, ['r2']);
    const bob = await client(b, ['r2']);
    const inRoom = await go.connect('gopher-r2', 'default', ['r2']);
    a.engine.broadcast({ namespace: 'default', room: 'r2', event: 'chat', body: 'room r2 from nest' });
    // NSConn.broadcast: everyone but the sender, who is on our node.
    a.engine.connection(alice.id)!.namespace('default')!.broadcast('chat', 'all but alice');
    a.engine.broadcast({ namespace: 'default', event: 'marker', body: '9' });
    const upToGoMarker = async (conn: GoConn) => {
      await conn.written.waitFor((f) => f.endsWith(';marker;0;0;9'), 'marker 9 on the Go node');
      return conn.written.entries.slice(0, conn.written.entries.findIndex((f) => f.endsWith(';marker;0;0;9')));
    };
    expect(await upToGoMarker(inRoom)).toEqual([';default;r2;chat;0;0;room r2 from nest', ';default;;chat;0;0;all but alice']);
    expect(await upToGoMarker(gopher)).toEqual([';default;;chat;0;0;all but alice']);
    expect(await upToMarker(alice, '9')).toEqual(['r2/chat:room r2 from nest']);
    expect(await upToMarker(bob, '9')).toEqual(['r2/chat:room r2 from nest', 'chat:all but alice']);
    await inRoom.close();
  });

  it('between our nodes, exclusions by id and the binary flag still hold on the Go layout', async () => {
    const [a, b] = nodes as [Node, Node];
    const alice = await client(a);
    const bob = await client(b);
    const carol = await client(b);
    a.engine.broadcast({ namespace: 'default', event: 'chat', body: 'not bob' }, { except: bob.id });
    a.engine.broadcast({ namespace: 'default', event: 'bytes', body: Buffer.from([0, 1, 0xff]), binary: true });
    a.engine.broadcast({ namespace: 'default', event: 'marker', body: '4' });
    expect(await upToMarker(carol, '4')).toEqual(['chat:not bob', 'bytes:bin[0001ff]']);
    expect(await upToMarker(bob, '4')).toEqual(['bytes:bin[0001ff]']);
    expect(await upToMarker(alice, '4')).toEqual(['chat:not bob', 'bytes:bin[0001ff]']);
    // The Go node sees both as text (its format has no binary flag), the excluded id means nothing to it.
    await gopher.written.waitFor((f) => f.includes(';bytes;'), 'the binary emit on the Go node');
    expect(gopher.written.entries.filter((f) => !f.includes(';marker;')).slice(0, 2)).toEqual([';default;;chat;0;0;not bob', `;default;;bytes;0;0;${Buffer.from([0, 1, 0xff]).toString('utf8')}`]);
  });

  it('`To` routes both ways: Go to a connection on our node, ours to a Go connection and to one on our other node', async () => {
    const [a, b] = nodes as [Node, Node];
    const alice = await client(a);
    const bob = await client(b);
    await go.to(bob.id, { namespace: 'default', event: 'private', body: 'hi bob, from go' });
    a.engine.to(bob.id).emit({ namespace: 'default', event: 'private', body: 'hi bob, from node a' });
    a.engine.to('gopher').emit({ namespace: 'default', event: 'private', body: 'hi gopher' });
    expect(await gopher.written.waitFor((f) => f.includes(';private;'), 'the To frame on the Go node')).toBe(';default;;private;0;0;hi gopher');
    await bob.got.waitFor((e) => e === 'private:hi bob, from node a', 'node a to bob');
    await bob.got.waitFor((e) => e === 'private:hi bob, from go', 'go to bob');
    await go.broadcast({ namespace: 'default', event: 'marker', body: '5' });
    expect(await upToMarker(alice, '5')).toEqual([]);
  });

  it('a Go room broadcast reaches only the room members on our nodes', async () => {
    const [a, b] = nodes as [Node, Node];
    const inRoom = await client(a, ['r1']);
    const outside = await client(b);
    const inRoomB = await client(b, ['r1']);
    await go.broadcast({ namespace: 'default', room: 'r1', event: 'chat', body: 'room only' });
    await go.broadcast({ namespace: 'default', event: 'marker', body: '6' });
    expect(await upToMarker(inRoom, '6')).toEqual(['r1/chat:room only']);
    expect(await upToMarker(inRoomB, '6')).toEqual(['r1/chat:room only']);
    expect(await upToMarker(outside, '6')).toEqual([]);
  });

  it('a cross-node ask still works between our nodes (Go nodes cannot take part: docs/protocol.md §5.5)', async () => {
    const [a, b] = nodes as [Node, Node];
    const bob = await client(b);
    const answer = await a.engine.ask(bob.id, { namespace: 'default', event: 'question', body: 'q1' }, { timeout: 5_000 });
    expect(answer.text()).toBe('answer to q1');
  });

  it('a connection id that would be a NATS wildcard ("*", ">") gets no Go channel, so it cannot read the `To` messages of others', async () => {
    const node = await startNode(true);
    const alice = await client(node);
    const wildcards = [await client(node, [], { 'x-id': '>' }), await client(node, [], { 'x-id': '*' })];
    await go.to(alice.id, { namespace: 'default', event: 'private', body: 'for alice only' });
    await alice.got.waitFor((e) => e === 'private:for alice only', 'go to alice');
    await go.broadcast({ namespace: 'default', event: 'marker', body: '8' });
    for (const w of wildcards) expect(await upToMarker(w, '8')).toEqual([]);
    const unroutable = node.warnings.filter((w) => w.includes('cannot be a NATS subject token'));
    // Redis channels are subscribed by exact name: a `*` there is a plain character, nothing to refuse.
    expect(unroutable).toHaveLength(kind === 'nats' ? 1 : 0);
  });

  it('a malformed message on a Go channel is dropped with one log line; the node keeps serving', async () => {
    const [a] = nodes as [Node];
    const alice = await client(a);
    await go.raw(go.channel('default'), 'no separators at all');
    await go.broadcast({ namespace: 'default', event: 'marker', body: '7' });
    expect(await upToMarker(alice, '7')).toEqual([]);
    expect(a.warnings.filter((w) => w.includes('Go bus'))).toHaveLength(1);
  });
});
