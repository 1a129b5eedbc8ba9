// A TCP gate between one node and its real broker, on a free loopback port: cutting it is an outage
// of that node alone (the broker and the other nodes stay up), so tests can bring the broker back to
// one node before another. While cut, the node's reconnects are accepted and held (no byte passes);
// reopening forwards them at once, so the node is back as soon as the test says, not at the next
// step of its client's reconnect backoff (ioredis waits up to 2 s).
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';

const HOST = '127.0.0.1';

export class BrokerGate {
  private readonly links = new Set<Socket>();
  private readonly held = new Set<Socket>();
  private isCut = false;

  private constructor(
    private readonly server: Server,
    private readonly brokerPort: number,
  ) {
    server.on('connection', (client) => {
      client.on('error', () => {});
      if (!this.isCut) return this.forward(client);
      client.pause();
      this.held.add(client);
      client.once('close', () => this.held.delete(client));
    });
  }

  /** A gate to the broker listening on `brokerPort` (loopback). */
  static async open(brokerPort: number): Promise<BrokerGate> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, HOST, () => resolve());
    });
    return new BrokerGate(server, brokerPort);
  }

  /** The broker's address through this gate, e.g. `redis://127.0.0.1:<port>`. */
  url(scheme: 'redis' | 'nats'): string {
    return `${scheme}://${HOST}:${(this.server.address() as AddressInfo).port}`;
  }

  /** Drops every connection through the gate and holds new ones until reopen(). */
  cut(): void {
    this.isCut = true;
    for (const s of this.links) s.destroy();
    this.links.clear();
  }

  /** Lets the held connections and new ones through to the broker. */
  reopen(): void {
    this.isCut = false;
    for (const client of this.held) this.forward(client);
    this.held.clear();
  }

  /** Stops listening and drops every connection, held or forwarded. */
  async close(): Promise<void> {
    this.cut();
    for (const s of this.held) s.destroy();
    this.held.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(client: Socket): void {
    const upstream = connect(this.brokerPort, HOST);
    upstream.on('error', () => {});
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.links.add(from);
      from.once('close', () => {
        this.links.delete(from);
        to.destroy();
      });
      from.pipe(to);
    }
    client.resume();
  }
}
