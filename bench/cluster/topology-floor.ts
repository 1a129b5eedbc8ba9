// The floor under a cross-node ask on this machine: the same processes and hops as the benchmark's
// asks, with no neffos code. Node A and node B are bare processes (a `ws` server and a broker client
// each, this file run as a script); the target clients live in the benchmark process and echo every
// frame. Local: A writes a frame to its client and waits for the echo. Cross-node: A publishes on the
// broker, B writes the frame to its client, B publishes the echo back, A receives it. Direct: the same
// over a socket from A to B instead of the broker (what a broker-less node-to-node link would cost),
// once over a WebSocket and once over a plain TCP socket (what `nodeLink` uses: no WebSocket framing).
// A times all four, as the benchmark's node times `engine.ask`, rotating them in one loop.
import { fork, type ChildProcess } from 'node:child_process';
import { type Socket, connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer } from 'ws';
import { killByPid } from '../bench-process.js';

export interface FloorResult {
  /** µs */
  local: number;
  /** µs, through the broker */
  cross: number;
  /** µs, over a direct WebSocket between the two nodes */
  direct: number;
  /** µs, over a direct plain TCP socket (no-delay) between the two nodes */
  tcp: number;
}

type Kind = 'redis' | 'nats';

interface Bus {
  publish(channel: string, payload: Buffer): void;
  subscribe(channel: string, onMessage: (payload: Buffer) => void): Promise<void>;
}

async function bus(kind: Kind, url: string): Promise<Bus> {
  if (kind === 'redis') {
    const { Redis } = await import('ioredis');
    const pub = new Redis(url);
    const sub = new Redis(url);
    return {
      publish: (channel, payload) => void pub.publish(channel, payload),
      subscribe: async (channel, onMessage) => {
        sub.on('messageBuffer', (_channel: Buffer, payload: Buffer) => onMessage(payload));
        await sub.subscribe(channel);
      },
    };
  }
  const { connect } = await import('@nats-io/transport-node');
  const nc = await connect({ servers: url });
  return {
    publish: (channel, payload) => nc.publish(channel, payload),
    subscribe: async (channel, onMessage) => {
      nc.subscribe(channel, { callback: (_err, msg) => onMessage(Buffer.from(msg.data)) });
      await nc.flush();
    },
  };
}

async function listen(onClient: (ws: WebSocket) => void): Promise<number> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  wss.on('connection', onClient);
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  return (wss.address() as { port: number }).port;
}

const FRAME = Buffer.from('17;default;;ping;0;0;p'); // a server ask frame, as node B writes it

/** Calls `onFrame` per FRAME.length bytes read: one frame is in flight at a time, but TCP may split it. */
function frames(socket: Socket, onFrame: () => void): void {
  let got = 0;
  socket.setNoDelay(true);
  socket.on('data', (chunk: Buffer) => {
    got += chunk.length;
    while (got >= FRAME.length) {
      got -= FRAME.length;
      onFrame();
    }
  });
}

async function nodeB(kind: Kind, url: string): Promise<void> {
  const b = await bus(kind, url);
  let client: WebSocket | undefined;
  let peer: WebSocket | undefined;
  let tcpPeer: Socket | undefined;
  let from: 'broker' | 'peer' | 'tcp' = 'broker';
  const port = await listen((ws) => {
    client = ws;
    ws.on('message', (data: Buffer) => (from === 'peer' ? peer!.send(data) : from === 'tcp' ? tcpPeer!.write(FRAME) : b.publish('floor.res', data)));
  });
  await b.subscribe('floor.req', (payload) => {
    from = 'broker';
    client?.send(payload);
  });
  const direct = await listen((ws) => {
    peer = ws;
    ws.on('message', (data: Buffer) => {
      from = 'peer';
      client?.send(data);
    });
  });
  const tcpServer = createServer((socket) => {
    tcpPeer = socket;
    frames(socket, () => {
      from = 'tcp';
      client?.send(FRAME);
    });
  });
  await new Promise<void>((resolve) => tcpServer.listen(0, '127.0.0.1', resolve));
  process.send!({ port, direct, tcp: (tcpServer.address() as { port: number }).port });
}

async function nodeA(kind: Kind, url: string): Promise<void> {
  const b = await bus(kind, url);
  let client: WebSocket | undefined;
  let answered: () => void = () => {};
  const port = await listen((ws) => {
    client = ws;
    ws.on('message', () => answered());
  });
  await b.subscribe('floor.res', () => answered());
  process.send!({ port });
  let peer: WebSocket | undefined;
  let tcpPeer: Socket | undefined;
  process.on('message', async (m: { peerPort: number; tcpPort: number } | { asks: number }) => {
    if ('peerPort' in m) {
      peer = new WebSocket(`ws://127.0.0.1:${m.peerPort}`, { perMessageDeflate: false });
      await new Promise((resolve) => peer!.once('open', resolve));
      peer.on('message', () => answered());
      tcpPeer = connect({ host: '127.0.0.1', port: m.tcpPort });
      await new Promise((resolve) => tcpPeer!.once('connect', resolve));
      frames(tcpPeer, () => answered());
      process.send!({ linked: true });
      return;
    }
    const ways = ['local', 'cross', 'direct', 'tcp'] as const;
    const one = async (way: (typeof ways)[number]): Promise<number> => {
      const started = process.hrtime.bigint();
      await new Promise<void>((resolve) => {
        answered = resolve;
        if (way === 'cross') b.publish('floor.req', FRAME);
        else if (way === 'tcp') tcpPeer!.write(FRAME);
        else (way === 'direct' ? peer! : client!).send(FRAME);
      });
      return Number(process.hrtime.bigint() - started) / 1000;
    };
    const samples = ways.map(() => new Float64Array(m.asks));
    for (let i = 0; i < 50; i++) for (const way of ways) await one(way);
    for (let i = 0; i < m.asks; i++) {
      for (let j = 0; j < ways.length; j++) {
        const k = (i + j) % ways.length;
        samples[k]![i] = await one(ways[k]!);
      }
    }
    const [local, cross, direct, tcp] = samples.map((s) => s.sort()[m.asks >> 1]);
    process.send!({ local, cross, direct, tcp });
  });
}

function next<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('floor node did not answer')), 20_000);
    child.once('message', (m: T) => {
      clearTimeout(timer);
      resolve(m);
    });
  });
}

/** Runs the neffos-free topology over the broker at `url`; `asks` of each kind. */
export async function topologyFloor(kind: Kind, url: string, asks: number): Promise<FloorResult> {
  const script = fileURLToPath(import.meta.url);
  const a = fork(script, ['A', kind, url], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const b = fork(script, ['B', kind, url], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const clients: WebSocket[] = [];
  try {
    const [fromA, fromB] = await Promise.all([next<{ port: number }>(a), next<{ port: number; direct: number; tcp: number }>(b)]);
    a.send({ peerPort: fromB.direct, tcpPort: fromB.tcp });
    await next(a);
    for (const port of [fromA.port, fromB.port]) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.on('message', (data: Buffer) => ws.send(data));
      clients.push(ws);
    }
    const result = next<FloorResult>(a);
    a.send({ asks });
    return await result;
  } finally {
    for (const ws of clients) ws.terminate();
    await Promise.all([killByPid(a), killByPid(b)]);
  }
}

// Run as a script: one of the two bare nodes.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [role, kind, url] = process.argv.slice(2) as ['A' | 'B', Kind, string];
  await (role === 'A' ? nodeA : nodeB)(kind, url);
}
