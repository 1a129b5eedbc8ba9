// A WebSocket client on a bare TCP socket, for attacks: the upgrade by hand, frames pre-encoded into one
// big Buffer (a flood of a million frames is one socket.write, not a million ws.send calls), reading
// that can be paused (a client that never reads), and a small reader for the server's frames.
import { connect, type Socket } from 'node:net';

/** Generous: on a loaded 2-core machine 10,000 upgrades queue up behind each other. */
const UPGRADE_TIMEOUT_MS = 30_000;
const HEADER_END = Buffer.from('\r\n\r\n');

/** A client frame (FIN set, masked with key 0, so the payload bytes stay as they are). */
export function clientFrame(payload: Buffer | string, binary = false): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const len = body.length;
  const headerLen = len < 126 ? 2 : len < 65_536 ? 4 : 10;
  const frame = Buffer.alloc(headerLen + 4 + len);
  frame[0] = 0x80 | (binary ? 0x2 : 0x1);
  if (len < 126) frame[1] = 0x80 | len;
  else if (len < 65_536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(len, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(len), 2);
  }
  // Bytes headerLen..headerLen+3 are the mask key, left at zero.
  body.copy(frame, headerLen + 4);
  return frame;
}

/** `count` copies of one frame, back to back. */
export function repeated(frame: Buffer, count: number): Buffer {
  const out = Buffer.allocUnsafe(frame.length * count);
  for (let i = 0; i < count; i++) frame.copy(out, i * frame.length);
  return out;
}

/** One frame per payload, back to back. */
export function frames(payloads: Iterable<string>): Buffer {
  return Buffer.concat([...payloads].map((p) => clientFrame(p)));
}

/** Whether a neffos frame's fifth field is `1`, without decoding it. */
function isErrorReply(payload: Buffer): boolean {
  let field = 0;
  for (let i = 0; i < payload.length - 1; i++) {
    if (payload[i] !== 0x3b) continue;
    if (++field === 4) return payload[i + 1] === 0x31 && (i + 2 === payload.length || payload[i + 2] === 0x3b);
  }
  return false;
}

export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

type Waiter = { test: (f: ServerFrame) => boolean; resolve(f: ServerFrame): void; reject(err: Error): void; timer: NodeJS.Timeout };

/** One raw WebSocket connection. Frames the server sends are counted; `next()` waits for one. */
export class WireClient {
  framesReceived = 0;
  /** text frames whose is-error field (the fifth) is `1`: error replies */
  errorReplies = 0;
  closeCode: number | undefined;
  private pending: Buffer = Buffer.alloc(0);
  private readonly waiters: Waiter[] = [];
  readonly closed: Promise<void>;

  private constructor(
    readonly socket: Socket,
    rest: Buffer,
  ) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {});
    socket.once('close', () => {
      for (const w of this.waiters.splice(0)) {
        clearTimeout(w.timer);
        w.reject(new Error(`socket closed (close code ${this.closeCode ?? 'none'}) while waiting for a frame`));
      }
    });
    if (rest.length > 0) this.onData(rest);
  }

  /** Opens a TCP connection and completes the upgrade; rejects with the HTTP status line otherwise. */
  static open(port: number, path = '/echo', headers: Record<string, string> = {}): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.setNoDelay(true);
      let head = Buffer.alloc(0);
      const timer = setTimeout(() => fail(new Error('upgrade timed out')), UPGRADE_TIMEOUT_MS);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      const onData = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf(HEADER_END);
        if (end < 0) return;
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('error', fail);
        const status = head.subarray(0, head.indexOf('\r\n')).toString();
        if (!status.includes(' 101 ')) return fail(new Error(`upgrade refused: ${status}`));
        resolve(new WireClient(socket, head.subarray(end + 4)));
      };
      socket.on('data', onData);
      socket.once('error', fail);
      socket.once('connect', () => {
        const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
        socket.write(
          `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: YWJ1c2UtYmVuY2gta2V5MQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
        );
      });
    });
  }

  /** `M` → `A<id>`, then connect namespace `default`. */
  static async ready(port: number, headers: Record<string, string> = {}): Promise<WireClient> {
    const client = await WireClient.open(port, '/echo', headers);
    try {
      await client.handshake();
      await client.connectNamespace();
    } catch (err) {
      client.socket.destroy();
      throw err;
    }
    return client;
  }

  async handshake(): Promise<void> {
    const ack = this.next((f) => f.opcode === 1);
    this.send(clientFrame('M'));
    const frame = await ack;
    if (frame.payload[0] !== 0x41) throw new Error(`handshake refused: ${frame.payload.toString()}`);
  }

  async connectNamespace(namespace = 'default'): Promise<void> {
    const reply = this.next((f) => f.payload.toString().startsWith('$c;'));
    this.send(clientFrame(`$c;${namespace};;_OnNamespaceConnect;0;0;`));
    const frame = await reply;
    if (frame.payload.toString().split(';')[4] === '1') throw new Error(`namespace connect refused: ${frame.payload.toString()}`);
  }

  send(bytes: Buffer): boolean {
    return this.socket.write(bytes);
  }

  /** Resolves once `bytes` has been handed to the kernel (the server may still be reading it). */
  sendAll(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(bytes, (err) => (err ? reject(err) : resolve())));
  }

  /** Stops reading: the server's replies pile up in its own buffers (a client that never reads). */
  stopReading(): void {
    this.socket.pause();
  }

  next(test: (f: ServerFrame) => boolean = () => true, timeoutMs = 10_000): Promise<ServerFrame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.findIndex((w) => w.timer === timer);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`no matching frame within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push({ test, resolve, reject, timer });
    });
  }

  /** Resolves when `framesReceived` reaches `count` (or rejects after `timeoutMs`). */
  async waitForFrames(count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.framesReceived < count) {
      if (Date.now() > deadline || this.socket.destroyed) throw new Error(`got ${this.framesReceived} of ${count} frames`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    let buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let offset = 0;
    for (;;) {
      if (buf.length - offset < 2) break;
      const opcode = buf[offset]! & 0x0f;
      let len = buf[offset + 1]! & 0x7f;
      let header = 2;
      if (len === 126) {
        if (buf.length - offset < 4) break;
        len = buf.readUInt16BE(offset + 2);
        header = 4;
      } else if (len === 127) {
        if (buf.length - offset < 10) break;
        len = Number(buf.readBigUInt64BE(offset + 2));
        header = 10;
      }
      if (buf.length - offset < header + len) break;
      const payload = buf.subarray(offset + header, offset + header + len);
      offset += header + len;
      if (opcode === 0x8) this.closeCode = len >= 2 ? payload.readUInt16BE(0) : 1005;
      if (opcode === 0x8 || opcode === 0x9 || opcode === 0xa) continue;
      this.framesReceived++;
      if (opcode === 0x1 && isErrorReply(payload)) this.errorReplies++;
      if (this.waiters.length > 0) this.deliver({ opcode, payload: Buffer.from(payload) });
    }
    this.pending = offset === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(offset));
    buf = Buffer.alloc(0);
  }

  private deliver(frame: ServerFrame): void {
    const i = this.waiters.findIndex((w) => w.test(frame));
    if (i < 0) return;
    const [w] = this.waiters.splice(i, 1);
    clearTimeout(w!.timer);
    w!.resolve(frame);
  }
}
