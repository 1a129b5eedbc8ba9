// One TCP socket of the direct node link, from its handshake to its close, on either side: the
// dialer sends its node id and the acceptor's key, the acceptor checks the key (constant-time) and
// answers with its own node id; from then on both sides send length-prefixed frames. A socket that
// does not finish the handshake in time, announces a frame over the bound, or sends garbage is
// destroyed; the manager (node-link.manager.ts) hears of it once, through `onClose`.
import type { Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { NODE_ID } from './cluster-message.codec.js';
import { FRAME_HEAD, FrameReader, MAX_HANDSHAKE_FRAME, decodeLinkAck, decodeLinkHello, encodeLinkAck, encodeLinkHello, frameHead } from './node-link.codec.js';

const isNodeId = (n: string): boolean => NODE_ID.test(n);

export interface NodeLinkHooks {
  /** The handshake is done: frames may flow both ways. */
  opened(link: NodeLinkConnection): void;
  /** One payload from the peer (the same bytes its broker publish would have carried). */
  frame(payload: Buffer, from: string): void;
  /** The socket is gone; `opened` says whether it had finished its handshake. */
  closed(link: NodeLinkConnection, opened: boolean, reason: string): void;
  /** A peer misbehaved (bad handshake, oversized frame): one drop-log line per kind. */
  dropped(kind: string, line: string): void;
}

export interface NodeLinkSettings {
  nodeId: string;
  /** Acceptor: our own key, which the dialer must present. Dialer: the peer's key, which we present. */
  key: Buffer;
  maxFrame: number;
  handshakeMs: number;
  /** Above this many bytes queued on the socket, `send` refuses and the caller uses the broker. */
  maxBacklog: number;
}

export class NodeLinkConnection {
  /** The peer's node id: known up front when dialing, from its handshake when accepting. */
  peer: string | undefined;
  private state: 'handshake' | 'open' | 'closed' = 'handshake';
  private readonly reader = new FrameReader(MAX_HANDSHAKE_FRAME);
  private timer: NodeJS.Timeout | undefined;
  private reason = 'closed by the peer';
  private readonly onFrame = (frame: Buffer): boolean => this.receive(frame);

  constructor(
    readonly socket: Socket,
    readonly role: 'dial' | 'accept',
    private readonly settings: NodeLinkSettings,
    private readonly hooks: NodeLinkHooks,
    expectedPeer?: string,
  ) {
    this.peer = expectedPeer;
    socket.setNoDelay(true);
    this.timer = setTimeout(() => this.fail('handshake-timeout', `did not complete its handshake within ${settings.handshakeMs} ms`), settings.handshakeMs);
    socket.on('data', (chunk: Buffer) => {
      const bad = this.reader.push(chunk, this.onFrame);
      if (bad !== undefined) this.fail('oversized', bad);
    });
    socket.on('error', (err: Error) => {
      this.reason = err.message;
    });
    socket.on('close', () => this.onClose());
    if (role === 'dial') socket.once('connect', () => this.write(encodeLinkHello(settings.nodeId, settings.key)));
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /**
   * Sends one payload that was encoded after FRAME_HEAD free bytes (`framed`): the length goes there and
   * the frame leaves in one write. False (nothing sent) when the link is not open or is backed up.
   */
  sendFramed(framed: Buffer): boolean {
    const length = framed.length - FRAME_HEAD;
    // `writable` turns false at destroy(), before 'close' tells us: a write then would be lost silently.
    if (this.state !== 'open' || !this.socket.writable || this.socket.writableLength > this.settings.maxBacklog || length > this.settings.maxFrame) return false;
    framed.writeUInt32BE(length, 0);
    this.socket.write(framed);
    return true;
  }

  destroy(reason: string): void {
    if (this.state === 'closed') return;
    this.reason = reason;
    this.socket.destroy();
  }

  /** A handshake frame (rare: a prefix of its own is fine). */
  private write(payload: Buffer): void {
    this.socket.cork();
    this.socket.write(frameHead(payload.length));
    this.socket.write(payload);
    this.socket.uncork();
  }

  private receive(frame: Buffer): boolean {
    if (this.state === 'open') {
      this.hooks.frame(frame, this.peer!);
      return this.state === 'open';
    }
    if (this.state === 'closed') return false;
    return this.role === 'accept' ? this.acceptHello(frame) : this.acceptAck(frame);
  }

  private acceptHello(frame: Buffer): boolean {
    const hello = decodeLinkHello(frame, isNodeId);
    if (!hello.ok) return this.fail('handshake', hello.reason);
    const mine = this.settings.key;
    if (hello.key.length !== mine.length || !timingSafeEqual(hello.key, mine)) return this.fail('auth', `node ${hello.nodeId} presented a wrong key`);
    if (hello.nodeId === this.settings.nodeId) return this.fail('handshake', 'a node cannot link to itself (two nodes share a nodeId?)');
    this.peer = hello.nodeId;
    this.write(encodeLinkAck(this.settings.nodeId));
    return this.open();
  }

  private acceptAck(frame: Buffer): boolean {
    const ack = decodeLinkAck(frame, isNodeId);
    if (!ack.ok) return this.fail('handshake', ack.reason);
    // The advertised address may now be served by another process (a restart on a reused port).
    if (ack.nodeId !== this.peer) return this.fail('handshake', `expected node ${this.peer} at this address, reached node ${ack.nodeId}`);
    return this.open();
  }

  private open(): boolean {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.reader.max = this.settings.maxFrame;
    this.state = 'open';
    this.hooks.opened(this);
    return this.state === 'open';
  }

  private fail(kind: string, why: string): false {
    const who = this.peer !== undefined ? `node ${this.peer}` : `${this.socket.remoteAddress ?? 'unknown'}:${this.socket.remotePort ?? '?'}`;
    const line = `exchange: dropped the direct-link socket ${this.role === 'accept' ? 'from' : 'to'} ${who}: ${why}`;
    // A dialer's failed handshake is a failed dial: the manager logs it once per failure streak.
    if (this.role === 'accept' || this.state === 'open') this.hooks.dropped(`link-${kind}`, line);
    this.destroy(why);
    return false;
  }

  private onClose(): void {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    clearTimeout(this.timer);
    this.timer = undefined;
    this.hooks.closed(this, wasOpen, this.reason);
  }
}
