import { LatencyHistogram } from '../latency-histogram.js';

/** One load-generator connection speaking one server's protocol. */
export interface BenchClient {
  /** Opens the socket and completes the protocol handshake. */
  connect(): Promise<void>;
  /** Starts the request loop: keeps `depth` requests outstanding until `stop()`. */
  start(): void;
  /** Sends no new requests; replies still in flight are still recorded. */
  stop(): void;
  readonly outstanding: number;
  close(): void;
}

/** Counts round trips and records their latencies while `measuring` is on; shared by all clients. */
export class RoundTripRecorder {
  measuring = false;
  roundTrips = 0;
  /** error replies and replies that match no outstanding request, for the whole run */
  errors = 0;
  readonly histogram = new LatencyHistogram();

  record(sentAtNs: bigint, nowNs: bigint): void {
    if (!this.measuring) return;
    this.roundTrips++;
    this.histogram.record(Number(nowNs - sentAtNs));
  }
}

/** A fixed-size printable body without `;` (so a neffos frame needs no escaping). */
export function makePayload(bytes: number): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let out = '';
  for (let i = 0; i < bytes; i++) out += alphabet[i % alphabet.length];
  return out;
}
