// Holds what a connection writes until its peer has read a namespace connect reply (docs/protocol.md
// §10.21): neffos.js in Node drops events that share a socket read with that reply, whatever the delay
// between the two writes. A ping sent right after the reply is the barrier: a peer answers a ping when
// it reads it (RFC 6455 section 5.5.2), so once its pong is back the reply has been read, and the held
// frames reach a later read. Another connect reply written meanwhile queues its own barrier behind them.

interface HeldFrame {
  frame: Buffer | string;
  binary: boolean;
}

/** The frames waiting behind `awaiting` (a ping payload), and further barriers among them. */
export class WriteHold {
  private readonly queue: (HeldFrame | string)[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** the payload of the ping whose pong releases the frames */
    private awaiting: string,
    private readonly timeout: number,
    private readonly onTimeout: () => void,
  ) {
    this.arm();
  }

  /** Bytes held; the connection releases everything past its write budget instead of holding more. */
  get heldBytes(): number {
    return this.bytes;
  }

  hold(frame: Buffer | string, binary: boolean): void {
    this.queue.push({ frame, binary });
    this.bytes += typeof frame === 'string' ? Buffer.byteLength(frame) : frame.length;
  }

  /** Another barrier: frames held after it wait for the pong of `payload` too. */
  addBarrier(payload: string): void {
    this.queue.push(payload);
  }

  isAwaiting(payload: string): boolean {
    return payload === this.awaiting;
  }

  /**
   * The awaited pong arrived (or the wait timed out): writes the frames up to the next barrier and
   * pings it. Returns true when nothing is held any more.
   */
  release(write: (frame: Buffer | string, binary: boolean) => void, ping: (payload: string) => void): boolean {
    clearTimeout(this.timer);
    while (this.queue.length > 0) {
      const next = this.queue.shift()!;
      if (typeof next === 'string') {
        this.awaiting = next;
        ping(next);
        this.arm();
        return false;
      }
      this.bytes -= typeof next.frame === 'string' ? Buffer.byteLength(next.frame) : next.frame.length;
      write(next.frame, next.binary);
    }
    return true;
  }

  /** Writes everything held at once, barriers ignored (the connection closes, or holds too much). */
  flush(write: (frame: Buffer | string, binary: boolean) => void): void {
    clearTimeout(this.timer);
    for (const next of this.queue.splice(0)) if (typeof next !== 'string') write(next.frame, next.binary);
    this.bytes = 0;
  }

  /** Stops the timer; the frames are dropped with the connection. */
  discard(): void {
    clearTimeout(this.timer);
    this.queue.length = 0;
  }

  private arm(): void {
    this.timer = setTimeout(this.onTimeout, this.timeout);
    this.timer.unref();
  }
}
