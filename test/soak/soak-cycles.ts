// One soak cycle with the real neffos.js client: dial, connect a namespace, join a room of its own,
// emit in it, ask, be asked by the server (answered, and unanswered), leave, and go: a clean close or
// an abrupt terminate(). Run by `workers` clients at once, each cycle after the other, bounded by
// `cycles`.
import { bodyText, closeNeffos, dialNeffos, reply, type NeffosConn, type NeffosNSConn } from '../utils/neffos-client.js';
import { RawClient } from '../utils/raw-client.js';

export interface CycleOptions {
  url: string;
  namespace: string;
  /** Timeout of the server ask the client never answers, ms: short ones time out, long ones are pending at close. */
  silentAskMs(i: number): number;
  /** Leave the room before going (else the close leaves it). */
  leave(i: number): boolean;
  /** terminate() instead of a clean close. */
  terminate(i: number): boolean;
  /** Extra steps while connected (e.g. a server API ask), given the client and its namespace connection. */
  extra?(ns: NeffosNSConn, client: NeffosConn, i: number): Promise<void>;
}

const handlers = (namespace: string) => ({
  [namespace]: {
    q: (_ns: unknown, msg: { Body: string | ArrayBuffer }) => reply(bodyText(msg)),
    silent: () => {},
    news: () => {},
  },
});

async function cycle(o: CycleOptions, i: number): Promise<void> {
  const client = await dialNeffos(o.url, handlers(o.namespace), {}, 10_000);
  try {
    const ns = await client.connect(o.namespace);
    const room = await ns.joinRoom(`room-${i}`);
    room.emit('roomBroadcast', 'hello');
    expectText(await ns.ask('echo', `e${i}`), `e${i}`);
    expectText(await ns.ask('askBack', `b${i}`), `b${i}`);
    expectText(await ns.ask('askSilent', String(o.silentAskMs(i))), 'asked');
    await o.extra?.(ns, client, i);
    if (o.leave(i)) await room.leave();
  } finally {
    if (o.terminate(i)) client.conn.terminate();
    else await closeNeffos(client);
  }
}

export function expectText(msg: { Body: string | ArrayBuffer }, want: string): void {
  const got = bodyText(msg);
  if (got !== want) throw new Error(`soak cycle: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
}

/** Runs cycles `from` … `from + count - 1` on `workers` clients at once. */
export async function runCycles(o: CycleOptions, from: number, count: number, workers: number): Promise<void> {
  let next = from;
  const end = from + count;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < end) await cycle(o, next++);
    }),
  );
}

/**
 * One raw client (the engine's `authorize` of the soak server waits 20 ms for `?slow=1` and refuses
 * `?deny=1`): gone before `M`; gone while `authorize` runs; refused; gone right after pipelining a
 * namespace connect and a room join behind `M`; or gone while held by its rate limit, after a burst
 * of emits past `messageBurst`.
 */
export async function rawCycle(url: string, i: number): Promise<void> {
  const kind = i % 5;
  const query = kind === 1 ? '?slow=1' : kind === 2 ? '?deny=1' : '';
  const client = await RawClient.open(url + query, {}, 10_000);
  if (kind === 0) {
    client.ws.terminate();
  } else if (kind === 1) {
    client.send('M');
    client.send(`${client.token()};default;;_OnNamespaceConnect;0;0;`);
    client.ws.terminate();
  } else if (kind === 2) {
    client.send('M');
    const closed = await client.whenClosed(10_000);
    if (closed.code !== 1008) throw new Error(`a refused handshake closed with ${closed.code}, expected 1008`);
  } else if (kind === 3) {
    client.send('M');
    client.send(`${client.token()};default;;_OnNamespaceConnect;0;0;`);
    client.send(`${client.token()};default;r${i};_OnRoomJoin;0;0;`);
    await client.next(10_000); // A<id>
    client.ws.terminate();
  } else {
    client.send('M');
    await client.next(10_000); // A<id>
    await client.connectNamespace('default');
    for (let n = 0; n < FLOOD; n++) client.send(';default;;echo;0;0;x');
    await client.next(10_000); // the first echo: the burst is being read
    client.ws.terminate();
  }
  await client.whenClosed(10_000);
}

/** Emits of a flooding raw client: past the soak server's messageBurst, so its rate limit holds it. */
const FLOOD = 200;

/** `count` raw cycles from `from` on, `workers` clients at once. */
export async function runRawCycles(url: string, from: number, count: number, workers: number): Promise<void> {
  let next = from;
  const end = from + count;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < end) await rawCycle(url, next++);
    }),
  );
}

/**
 * Long-lived connections: each of `clients` does `rounds` rounds of join a new room, emit in it, ask,
 * be asked (answered and not), leave. What a round leaves behind stays for the connection's life.
 */
export class LongLived {
  private rooms = 0;

  private constructor(
    private readonly clients: NeffosConn[],
    private readonly namespaces: NeffosNSConn[],
  ) {}

  static async open(url: string, namespace: string, clients: number): Promise<LongLived> {
    const conns: NeffosConn[] = [];
    try {
      for (let i = 0; i < clients; i++) conns.push(await dialNeffos(url, handlers(namespace), {}, 10_000));
      return new LongLived(conns, await Promise.all(conns.map((c) => c.connect(namespace))));
    } catch (err) {
      for (const c of conns) await closeNeffos(c);
      throw err;
    }
  }

  async rounds(count: number): Promise<void> {
    await Promise.all(
      this.namespaces.map(async (ns) => {
        for (let i = 0; i < count; i++) {
          const room = await ns.joinRoom(`long-${this.rooms++}`);
          room.emit('roomBroadcast', 'hello');
          expectText(await ns.ask('echo', 'e'), 'e');
          expectText(await ns.ask('askBack', 'b'), 'b');
          expectText(await ns.ask('askSilent', '30'), 'asked');
          await room.leave();
        }
      }),
    );
  }

  async close(): Promise<void> {
    for (const c of this.clients) await closeNeffos(c);
  }
}
