// A raw `ws` neffos client for the cluster benchmark: handshake and namespace connect as neffos.js
// does, then it counts broadcast copies (event `b`, body `<seq>:<sent hrtime ns>`), answers the
// server's `ping` asks at once, and runs asks of its own matched by token.
import { WebSocket, type RawData } from 'ws';

const NAMESPACE_CONNECT = '$c;default;;_OnNamespaceConnect;0;0;';
const BROADCAST_HEAD = ';default;;b;0;0;';
const HANDSHAKE_TIMEOUT_MS = 15_000;

export interface DeliverySink {
  /** One broadcast copy arrived: its sequence number and its latency in µs. */
  delivered(seq: number, latencyUs: number): void;
}

export class ClusterBenchClient {
  id = '';
  private ws!: WebSocket;
  private readonly pending = new Map<string, (body: string) => void>();
  private nextToken = 0;

  constructor(
    private readonly url: string,
    private readonly sink?: DeliverySink,
  ) {}

  connect(): Promise<void> {
    const ws = new WebSocket(this.url, { perMessageDeflate: false });
    this.ws = ws;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error('handshake timed out')), HANDSHAKE_TIMEOUT_MS);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        ws.terminate();
        reject(err);
      };
      ws.once('error', fail);
      ws.once('open', () => ws.send('M'));
      let acked = false;
      const onHandshake = (data: RawData): void => {
        const text = data.toString();
        if (!acked) {
          if (!text.startsWith('A')) return fail(new Error(`handshake rejected: ${text}`));
          acked = true;
          this.id = text.slice(1);
          ws.send(NAMESPACE_CONNECT);
          return;
        }
        if (!text.startsWith('$c;')) return;
        clearTimeout(timer);
        ws.off('message', onHandshake);
        ws.off('error', fail);
        ws.on('message', (d: RawData) => this.onFrame(d as Buffer));
        resolve();
      };
      ws.on('message', onHandshake);
    });
  }

  send(frame: string): void {
    this.ws.send(frame);
  }

  /** A client ask (`$<n>;default;;<event>;0;0;<body>`) resolved with the reply's body. */
  ask(event: string, body: string): Promise<string> {
    const token = `$${++this.nextToken}`;
    return new Promise((resolve, reject) => {
      this.pending.set(token, (reply) => (reply.startsWith('!') ? reject(new Error(reply.slice(1))) : resolve(reply)));
      this.ws.send(`${token};default;;${event};0;0;${body}`);
    });
  }

  close(): void {
    this.ws.terminate();
  }

  private onFrame(data: Buffer): void {
    const now = process.hrtime.bigint();
    const text = data.toString('latin1');
    if (text.startsWith(BROADCAST_HEAD)) {
      const body = text.slice(BROADCAST_HEAD.length);
      const colon = body.indexOf(':');
      this.sink?.delivered(Number(body.slice(0, colon)), Number(now - BigInt(body.slice(colon + 1))) / 1000);
      return;
    }
    const semi = text.indexOf(';');
    const token = text.slice(0, semi);
    if (token === '') return;
    if (token.startsWith('$')) {
      const done = this.pending.get(token);
      if (done === undefined) return;
      this.pending.delete(token);
      // `<tok>;ns;room;event;isError;noop;body`
      let at = semi;
      for (let i = 0; i < 3; i++) at = text.indexOf(';', at + 1);
      const isError = text[at + 1] === '1';
      at = text.indexOf(';', text.indexOf(';', at + 1) + 1);
      const body = text.slice(at + 1);
      done(isError ? `!${body}` : body);
      return;
    }
    // A server ask (`<digits>;default;;ping;0;0;p`): the same frame back is the answer.
    this.ws.send(data);
  }
}
