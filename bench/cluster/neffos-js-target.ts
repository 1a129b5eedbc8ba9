// An ask target answered by the real npm client neffos.js instead of the benchmark's raw `ws` echo:
// the raw echo costs its process almost nothing, which makes a local ask as cheap as it can be and the
// cross-node/local ratio as steep as it can be; neffos.js is what users' Node clients run, so the
// ratio measured against it is the one they see. Same surface as ClusterBenchClient's ask side.
import * as neffos from 'neffos.js';

interface NeffosNSConn {
  conn: { ID: string | undefined; close(): void };
  ask(event: string, body: string): Promise<{ Body: unknown }>;
}

const NAMESPACE = 'default';

export class NeffosJsTarget {
  id = '';
  private nsConn!: NeffosNSConn;

  constructor(private readonly url: string) {}

  async connect(): Promise<void> {
    const handlers = { [NAMESPACE]: { ping: () => neffos.reply('p') } };
    // One ask at a time: nothing shares a TCP read, so the default read options are safe here
    // (docs/protocol.md §10.21).
    const conn = (await neffos.dial(this.url, handlers)) as unknown as { ID: string | undefined; connect(ns: string): Promise<NeffosNSConn> };
    this.nsConn = await conn.connect(NAMESPACE);
    this.id = conn.ID ?? '';
  }

  async ask(event: string, body: string): Promise<string> {
    const reply = await this.nsConn.ask(event, body);
    const text = reply.Body;
    return typeof text === 'string' ? text : Buffer.from(text as ArrayBuffer).toString('utf8');
  }

  close(): void {
    this.nsConn.conn.close();
  }
}
