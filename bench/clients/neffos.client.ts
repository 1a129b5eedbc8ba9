import { WebSocket, type RawData } from 'ws';
import type { BenchClient, RoundTripRecorder } from './bench-client.js';

const DOLLAR = 0x24;
const SEMICOLON = 0x3b;
const ONE = 0x31;
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** Namespace connect as neffos.js sends it (docs/protocol.md §3.5.1), with the fixed token `$c`. */
const NAMESPACE_CONNECT = '$c;default;;_OnNamespaceConnect;0;0;';

/**
 * A raw `ws` client speaking neffos frames: `M` → `A<id>`, connect namespace `default`, then asks
 * `$<n>;default;;echo;0;0;<payload>` matched to replies by token. Tokens are `seq * depth + slot`, so a
 * reply's token names its slot in a preallocated send-time array: no map, no allocation per reply.
 * An echo server returns the request frame itself, which carries the same token — the same match.
 */
export class NeffosBenchClient implements BenchClient {
  private ws?: WebSocket;
  private readonly sentAt: BigInt64Array;
  private readonly tokenOf: Float64Array;
  private readonly busy: Uint8Array;
  private readonly freeSlots: number[] = [];
  private seq = 0;
  private running = false;
  outstanding = 0;

  constructor(
    private readonly url: string,
    private readonly depth: number,
    private readonly payload: string,
    private readonly recorder: RoundTripRecorder,
  ) {
    this.sentAt = new BigInt64Array(depth);
    this.tokenOf = new Float64Array(depth);
    this.busy = new Uint8Array(depth);
    for (let slot = depth - 1; slot >= 0; slot--) this.freeSlots.push(slot);
  }

  connect(): Promise<void> {
    const ws = new WebSocket(this.url, { perMessageDeflate: false });
    this.ws = ws;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error('neffos handshake timed out')), HANDSHAKE_TIMEOUT_MS);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        ws.terminate();
        reject(err);
      };
      const onClose = (code: number): void => fail(new Error(`closed during handshake (code ${code})`));
      let acked = false;
      const onHandshake = (data: RawData): void => {
        const text = data.toString();
        if (!acked) {
          if (!text.startsWith('A')) return fail(new Error(`handshake rejected: ${JSON.stringify(text)}`));
          acked = true;
          ws.send(NAMESPACE_CONNECT);
          return;
        }
        if (!text.startsWith('$c;')) return; // not ours (e.g. a server-initiated frame): keep waiting
        if (text.split(';')[4] === '1') return fail(new Error(`namespace connect rejected: ${JSON.stringify(text)}`));
        clearTimeout(timer);
        ws.off('message', onHandshake);
        ws.off('close', onClose);
        ws.off('error', fail);
        ws.on('message', this.onReply);
        ws.on('error', () => this.recorder.errors++);
        resolve();
      };
      ws.on('message', onHandshake);
      ws.once('close', onClose);
      ws.once('error', fail);
      ws.once('open', () => ws.send('M'));
    });
  }

  start(): void {
    this.running = true;
    while (this.freeSlots.length > 0) this.sendAsk();
  }

  stop(): void {
    this.running = false;
  }

  close(): void {
    this.running = false;
    this.ws?.terminate();
  }

  private sendAsk(): void {
    const slot = this.freeSlots.pop()!;
    const token = this.seq++ * this.depth + slot;
    this.tokenOf[slot] = token;
    this.busy[slot] = 1;
    this.outstanding++;
    this.sentAt[slot] = process.hrtime.bigint();
    this.ws!.send(`$${token};default;;echo;0;0;${this.payload}`);
  }

  private readonly onReply = (raw: RawData): void => {
    const now = process.hrtime.bigint();
    const data = raw as Buffer;
    if (data[0] !== DOLLAR) {
      this.recorder.errors++;
      return;
    }
    let i = 1;
    let token = 0;
    for (; i < data.length && data[i] !== SEMICOLON; i++) token = token * 10 + (data[i]! - 48);
    // the isError flag is field 4 (wait;namespace;room;event;isError;...): skip three more separators
    for (let seps = 1; i < data.length && seps < 4; ) if (data[++i] === SEMICOLON) seps++;
    const isError = data[i + 1] === ONE;
    const slot = token % this.depth;
    if (this.busy[slot] !== 1 || this.tokenOf[slot] !== token) {
      this.recorder.errors++;
      return;
    }
    this.busy[slot] = 0;
    this.freeSlots.push(slot);
    this.outstanding--;
    if (isError) this.recorder.errors++;
    else this.recorder.record(this.sentAt[slot]!, now);
    if (this.running) this.sendAsk();
  };
}
