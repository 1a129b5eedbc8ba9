import { WebSocket, type RawData } from 'ws';
import type { BenchClient, RoundTripRecorder } from './bench-client.js';

const QUOTE = 0x22;
const OPEN_TIMEOUT_MS = 10_000;

/**
 * A raw `ws` client for a `@nestjs/platform-ws` gateway: sends `{"event":"echo","data":"<payload>"}`;
 * a handler that returns a plain value is answered with that value as JSON, here `"<payload>"` (only a
 * returned `{ event, data }` WsResponse comes back with an event name). No request id, so replies are
 * matched to requests in order (a FIFO ring of send times); with a synchronous handler Nest answers in
 * order, which makes this exact for pipelined requests too.
 */
export class NestJsonBenchClient implements BenchClient {
  private ws?: WebSocket;
  private readonly frame: string;
  private readonly sentAt: BigInt64Array;
  private head = 0;
  private running = false;
  outstanding = 0;

  constructor(
    private readonly url: string,
    private readonly depth: number,
    payload: string,
    private readonly recorder: RoundTripRecorder,
  ) {
    this.frame = JSON.stringify({ event: 'echo', data: payload });
    this.sentAt = new BigInt64Array(depth);
  }

  connect(): Promise<void> {
    const ws = new WebSocket(this.url, { perMessageDeflate: false });
    this.ws = ws;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error('open timed out'));
      }, OPEN_TIMEOUT_MS);
      ws.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      ws.once('open', () => {
        clearTimeout(timer);
        ws.removeAllListeners('error');
        ws.on('error', () => this.recorder.errors++);
        ws.on('message', this.onReply);
        resolve();
      });
    });
  }

  start(): void {
    this.running = true;
    while (this.outstanding < this.depth) this.send();
  }

  stop(): void {
    this.running = false;
  }

  close(): void {
    this.running = false;
    this.ws?.terminate();
  }

  private send(): void {
    this.sentAt[(this.head + this.outstanding) % this.depth] = process.hrtime.bigint();
    this.outstanding++;
    this.ws!.send(this.frame);
  }

  private readonly onReply = (raw: RawData): void => {
    const now = process.hrtime.bigint();
    if (this.outstanding === 0 || (raw as Buffer)[0] !== QUOTE) {
      this.recorder.errors++;
      return;
    }
    const sentAt = this.sentAt[this.head]!;
    this.head = (this.head + 1) % this.depth;
    this.outstanding--;
    this.recorder.record(sentAt, now);
    if (this.running) this.send();
  };
}
