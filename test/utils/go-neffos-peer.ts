// A Go neffos node on the bus, as docs/protocol.md §5.4 describes it (no Go toolchain): one broker connection per
// WebSocket connection (Redis PSUBSCRIBE `<prefix>.<connID>.` and `<prefix>.<ns>.`, NATS SUBSCRIBE
// without the trailing dot), a separate publisher, the 7-field frame as payload, and on receipt Go's
// write guard (namespace, room, `FromExplicit` against the connection's serverConnID). What a Go
// connection "writes to its client" is logged as the frame Go would serialize.
import { connect as natsConnect, type NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';

import { EventLog } from './wait.js';

type Layout = 'redis' | 'nats';

interface Bus {
  publish(channel: string, payload: string): Promise<void>;
  /** A new broker connection subscribed to `channels` (Go: one per WebSocket connection). */
  listen(channels: string[], onPayload: (payload: Buffer) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

async function redisBus(url: string): Promise<Bus> {
  const pub = new Redis(url);
  const subs = new Set<Redis>();
  return {
    async publish(channel, payload) {
      await pub.publish(channel, payload);
    },
    async listen(channels, onPayload) {
      const sub = new Redis(url);
      subs.add(sub);
      sub.on('pmessageBuffer', (_pattern: Buffer, _channel: Buffer, message: Buffer) => onPayload(message));
      await sub.psubscribe(...channels);
      return async () => {
        subs.delete(sub);
        sub.disconnect();
      };
    },
    async close() {
      for (const sub of subs) sub.disconnect();
      pub.disconnect();
    },
  };
}

async function natsBus(servers: string): Promise<Bus> {
  const pub = await natsConnect({ servers, noEcho: true, name: 'go-peer:pub' });
  const subs = new Set<NatsConnection>();
  return {
    async publish(channel, payload) {
      pub.publish(channel, payload);
      await pub.flush();
    },
    async listen(channels, onPayload) {
      const nc = await natsConnect({ servers, name: 'go-peer:conn' });
      subs.add(nc);
      for (const c of channels) {
        nc.subscribe(c, {
          callback: (err, msg) => {
            if (!err) onPayload(Buffer.from(msg.data));
          },
        });
      }
      await nc.flush();
      return async () => {
        subs.delete(nc);
        await nc.close();
      };
    },
    async close() {
      await Promise.all([...subs].map((nc) => nc.close()));
      await pub.close();
    },
  };
}

/** Go's `SplitN(b, ";", 7)`: exactly seven parts or nothing. */
function splitFrame(payload: string): string[] | undefined {
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < 6; i++) {
    const at = payload.indexOf(';', from);
    if (at < 0) return undefined;
    parts.push(payload.slice(from, at));
    from = at + 1;
  }
  parts.push(payload.slice(from));
  return parts;
}

let ptr = 0xc000076000;

export class GoConn {
  /** What this connection wrote to its client, as Go serializes it (`;ns;room;event;0;0;body`). */
  readonly written = new EventLog<string>();
  readonly rooms = new Set<string>();
  /** Go's private identity for `exceptSender` (`conn.go:serverConnID`), carried in the wait slot. */
  readonly serverConnID: string;
  close!: () => Promise<void>;

  constructor(
    readonly id: string,
    readonly namespace: string,
  ) {
    ptr += 0x600;
    this.serverConnID = `neffos(0x${ptr.toString(16)}(${this.id}0x${(ptr + 0x40).toString(16)}))`;
  }

  /** What Go does with a payload from its subscription (stackexchange `handleMessage` → `Conn.Write`). */
  receive(payload: Buffer): void {
    const parts = splitFrame(payload.toString('utf8'));
    if (parts === undefined) return;
    const [wait, ns, room, event, isError, isNoOp, body] = parts as [string, string, string, string, string, string, string];
    const fromExplicit = wait.startsWith('neffos(0x') ? wait : '';
    const token = fromExplicit ? '' : wait;
    if (ns !== this.namespace) return;
    if (room !== '' && !this.rooms.has(room)) return;
    if (fromExplicit !== '' && fromExplicit === this.serverConnID) return;
    this.written.push(`${token};${ns};${room};${event};${isError === '1' ? '1' : '0'};${isNoOp === '1' ? '1' : '0'};${body}`);
  }
}

export class GoNeffosPeer {
  private readonly conns: GoConn[] = [];

  private constructor(
    private readonly bus: Bus,
    private readonly prefix: string,
    private readonly layout: Layout,
  ) {}

  static async redis(url: string, prefix: string): Promise<GoNeffosPeer> {
    return new GoNeffosPeer(await redisBus(url), prefix, 'redis');
  }

  static async nats(servers: string, prefix: string): Promise<GoNeffosPeer> {
    return new GoNeffosPeer(await natsBus(servers), prefix, 'nats');
  }

  channel(name: string): string {
    return this.layout === 'redis' ? `${this.prefix}.${name}.` : `${this.prefix}.${name}`;
  }

  /** A WebSocket connection of the Go node, connected to `namespace` (and joined to `rooms`). */
  async connect(id: string, namespace: string, rooms: string[] = []): Promise<GoConn> {
    const conn = new GoConn(id, namespace);
    for (const r of rooms) conn.rooms.add(r);
    conn.close = await this.bus.listen([this.channel(id), this.channel(namespace)], (p) => conn.receive(p));
    this.conns.push(conn);
    return conn;
  }

  /** `Server.Broadcast(except, msg)`; `except` a Go connection → its serverConnID in the wait slot. */
  async broadcast(m: { namespace: string; room?: string; event: string; body: string }, except?: GoConn): Promise<void> {
    const wait = except?.serverConnID ?? '';
    await this.bus.publish(this.channel(m.namespace), `${wait};${m.namespace};${m.room ?? ''};${m.event};0;0;${m.body}`);
  }

  /** `Server.Broadcast(nil, Message{To: id})` → the connection's channel. */
  async to(id: string, m: { namespace: string; room?: string; event: string; body: string }): Promise<void> {
    await this.bus.publish(this.channel(id), `;${m.namespace};${m.room ?? ''};${m.event};0;0;${m.body}`);
  }

  /** Any bytes on a channel (a foreign or malformed message). */
  async raw(channel: string, payload: string): Promise<void> {
    await this.bus.publish(channel, payload);
  }

  async close(): Promise<void> {
    this.conns.length = 0;
    await this.bus.close();
  }
}
