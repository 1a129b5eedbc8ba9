// Frames of one connection waiting behind a pending handler (or the handshake), in arrival order, with
// the bytes they hold counted against maxQueuedBytes. Conn only pushes, shifts and drops it, so a queue
// with other budgets or another data structure can replace it here alone.

export interface QueuedFrame {
  readonly data: Buffer;
  readonly binary: boolean;
}

export class InboundQueue {
  private readonly frames: QueuedFrame[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get length(): number {
    return this.frames.length;
  }

  /** Appends a frame; false (and nothing appended) when it would take the queue past its byte budget. */
  push(data: Buffer, binary: boolean): boolean {
    if (this.bytes + data.length > this.maxBytes) return false;
    this.bytes += data.length;
    this.frames.push({ data, binary });
    return true;
  }

  /** The oldest frame, removed; undefined when empty. */
  shift(): QueuedFrame | undefined {
    const frame = this.frames.shift();
    if (frame !== undefined) this.bytes -= frame.data.length;
    return frame;
  }
}
