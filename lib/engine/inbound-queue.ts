// Frames of one connection waiting behind a pending handler, the handshake or the rate limit, in arrival
// order. A ring buffer, so taking the next frame is O(1) (Array#shift copies the rest of the array, which
// made draining a large backlog quadratic), with its size kept as running totals (count, and bytes with
// a per-frame overhead) that Conn checks against its budgets, never by walking the queue.

/**
 * What one queued frame costs beyond its payload: the Buffer view and its ArrayBuffer's backing store
 * header, the ring slots, and the share of ws's receive chunk it keeps alive (measured ≈150 B per
 * one-byte frame; rounded up so a budget in bytes is a budget in memory).
 */
export const QUEUED_FRAME_OVERHEAD = 256;

const INITIAL_CAPACITY = 16;
/** A drained queue bigger than this gives its arrays back instead of keeping them for the next burst. */
const KEEP_CAPACITY = 256;

export class InboundQueue {
  private data: Array<Buffer | undefined> = new Array(INITIAL_CAPACITY);
  private binary: Uint8Array = new Uint8Array(INITIAL_CAPACITY);
  private head = 0;
  private count = 0;
  private cost = 0;

  /** Frames waiting. */
  get length(): number {
    return this.count;
  }

  /** Payload bytes plus `QUEUED_FRAME_OVERHEAD` per frame. */
  get bytes(): number {
    return this.cost;
  }

  push(frame: Buffer, isBinary: boolean): void {
    if (this.count === this.data.length) this.grow();
    const i = (this.head + this.count) & (this.data.length - 1);
    this.data[i] = frame;
    this.binary[i] = isBinary ? 1 : 0;
    this.count++;
    this.cost += frame.length + QUEUED_FRAME_OVERHEAD;
  }

  /** The binary flag of the frame `shift()` returns next; read it before shifting. */
  get nextIsBinary(): boolean {
    return this.binary[this.head] === 1;
  }

  shift(): Buffer | undefined {
    if (this.count === 0) return undefined;
    const frame = this.data[this.head]!;
    this.data[this.head] = undefined;
    this.head = (this.head + 1) & (this.data.length - 1);
    this.count--;
    this.cost -= frame.length + QUEUED_FRAME_OVERHEAD;
    if (this.count === 0) this.reset();
    return frame;
  }

  /** Drops every frame (the connection closed). */
  clear(): void {
    this.data = new Array(INITIAL_CAPACITY);
    this.binary = new Uint8Array(INITIAL_CAPACITY);
    this.head = 0;
    this.count = 0;
    this.cost = 0;
  }

  private reset(): void {
    this.head = 0;
    if (this.data.length > KEEP_CAPACITY) this.clear();
  }

  /** Doubles the ring, unrolling it so the oldest frame is at 0; amortised O(1) per push. */
  private grow(): void {
    const size = this.data.length;
    const data: Array<Buffer | undefined> = new Array(size * 2);
    const binary = new Uint8Array(size * 2);
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) & (size - 1);
      data[k] = this.data[i];
      binary[k] = this.binary[i]!;
    }
    this.data = data;
    this.binary = binary;
    this.head = 0;
  }
}
