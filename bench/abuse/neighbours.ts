// Healthy neighbours, in their own process (so the attacker's own work does not delay them): honest `ws` clients that keep asking `echo` one ask at a time while an attack runs.
// Their latency is what an attack costs everyone else. An ask still unanswered when the probe stops
// counts with its age, so a server that froze or died shows up as a huge worst case, not as nothing.
import { WebSocket } from 'ws';

const SLOW_MS = 5_000;

export interface NeighbourReport {
  asks: number;
  asksPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** asks that took longer than 5 s or never got an answer */
  slow: number;
}

class Neighbour {
  private ws: WebSocket | undefined;
  private sentAt = 0;
  private seq = 0;
  private running = false;

  constructor(private readonly latencies: number[]) {}

  connect(url: string): Promise<void> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws = ws;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('neighbour handshake timed out')), 10_000);
      ws.on('error', () => {});
      ws.once('close', (code) => reject(new Error(`neighbour closed during handshake (${code})`)));
      ws.once('open', () => ws.send('M'));
      ws.on('message', (data) => {
        const text = data.toString();
        if (text.startsWith('A')) ws.send('$c;default;;_OnNamespaceConnect;0;0;');
        else if (text.startsWith('$c;')) {
          clearTimeout(timer);
          ws.removeAllListeners('message');
          ws.on('message', () => this.onReply());
          resolve();
        }
      });
    });
  }

  start(): void {
    this.running = true;
    this.ask();
  }

  stop(): number | undefined {
    this.running = false;
    const outstanding = this.sentAt > 0 ? performance.now() - this.sentAt : undefined;
    this.ws?.terminate();
    return outstanding;
  }

  private ask(): void {
    if (!this.running || this.ws?.readyState !== WebSocket.OPEN) return;
    this.sentAt = performance.now();
    this.ws.send(`$${++this.seq};default;;probe;0;0;neighbour-payload-32-bytes-long!`);
  }

  private onReply(): void {
    if (this.sentAt === 0) return;
    this.latencies.push(performance.now() - this.sentAt);
    this.sentAt = 0;
    this.ask();
  }
}

export class NeighbourProbe {
  private readonly latencies: number[] = [];
  private readonly neighbours: Neighbour[];
  private startedAt = 0;

  constructor(count: number) {
    this.neighbours = Array.from({ length: count }, () => new Neighbour(this.latencies));
  }

  async start(url: string): Promise<void> {
    await Promise.all(this.neighbours.map((n) => n.connect(url)));
    this.startedAt = performance.now();
    for (const n of this.neighbours) n.start();
  }

  stop(): NeighbourReport {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const all = [...this.latencies];
    for (const n of this.neighbours) {
      const age = n.stop();
      if (age !== undefined) all.push(age);
    }
    all.sort((a, b) => a - b);
    const at = (q: number): number => all[Math.min(all.length - 1, Math.floor(q * all.length))] ?? 0;
    return {
      asks: this.latencies.length,
      asksPerSec: this.latencies.length / seconds,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: all.at(-1) ?? 0,
      slow: all.filter((ms) => ms > SLOW_MS).length,
    };
  }
}

