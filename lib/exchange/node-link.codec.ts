// The bytes of a direct node-to-node link (node-link.manager.ts): length-prefixed frames over TCP
// (a 4-byte big-endian length, then the same payload the broker would have carried), and the two
// handshake frames that open it. The dialer's first frame proves it read the acceptor's key on the
// broker; the acceptor answers with its node id, so a dialer that reached a different process on a
// reused address finds out before it sends anything. Frames come from the network: every length is
// bounded before anything is buffered, and a bad frame decodes to a reason, never a throw.

/** "NFXL", then the version: a peer speaking another version is refused, not misread. */
const MAGIC = Buffer.from('NFXL', 'latin1');
export const LINK_VERSION = 1;
const HELLO = 1;
const ACK = 2;

/** Bytes of the length prefix. */
export const FRAME_HEAD = 4;

/** A handshake frame is a few dozen bytes; a socket announcing more before it has authenticated is dropped. */
export const MAX_HANDSHAKE_FRAME = 256;

/** The advertised address: `host:port`, `[v6]:port`. Letters, digits and `.-` for a host name. */
const ADDRESS = /^(?:\[([0-9A-Fa-f:.]{2,45})\]|([A-Za-z0-9.-]{1,253})):(\d{1,5})$/;

export interface LinkAddress {
  host: string;
  port: number;
}

/** Parses `host:port` / `[v6]:port`; undefined when it is not one (or the port is out of range). */
export function parseLinkAddress(at: string): LinkAddress | undefined {
  const m = ADDRESS.exec(at);
  if (m === null) return undefined;
  const port = Number(m[3]);
  if (!(port >= 1 && port <= 65535)) return undefined;
  return { host: m[1] ?? m[2]!, port };
}

/** `host:port`, bracketing an IPv6 host. */
export function formatLinkAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The length prefix of a frame of `length` bytes. */
export function frameHead(length: number): Buffer {
  const head = Buffer.allocUnsafe(FRAME_HEAD);
  head.writeUInt32BE(length, 0);
  return head;
}

/** The dialer's first frame: who it is, and the key the acceptor advertised on the broker. */
export function encodeLinkHello(nodeId: string, key: Buffer): Buffer {
  const id = Buffer.from(nodeId, 'latin1');
  return Buffer.concat([MAGIC, Buffer.from([LINK_VERSION, HELLO, id.length]), id, Buffer.from([key.length]), key]);
}

/** The acceptor's answer once the key matched: its own node id. */
export function encodeLinkAck(nodeId: string): Buffer {
  const id = Buffer.from(nodeId, 'latin1');
  return Buffer.concat([MAGIC, Buffer.from([LINK_VERSION, ACK, id.length]), id]);
}

export type LinkHelloResult = { ok: true; nodeId: string; key: Buffer } | { ok: false; reason: string };
export type LinkAckResult = { ok: true; nodeId: string } | { ok: false; reason: string };

function head(frame: Buffer, type: number): string | undefined {
  if (frame.length < 7 || frame[0] !== MAGIC[0] || frame[1] !== MAGIC[1] || frame[2] !== MAGIC[2] || frame[3] !== MAGIC[3]) return 'not a nestjs-neffos node link handshake';
  if (frame[4] !== LINK_VERSION) return `node link version ${frame[4]} is not ${LINK_VERSION}`;
  if (frame[5] !== type) return `expected handshake frame type ${type}, got ${frame[5]}`;
  return undefined;
}

export function decodeLinkHello(frame: Buffer, validNode: (n: string) => boolean): LinkHelloResult {
  const bad = head(frame, HELLO);
  if (bad !== undefined) return { ok: false, reason: bad };
  const idEnd = 7 + frame[6]!;
  if (idEnd + 1 > frame.length) return { ok: false, reason: 'truncated handshake' };
  const nodeId = frame.toString('latin1', 7, idEnd);
  if (!validNode(nodeId)) return { ok: false, reason: 'invalid node id in handshake' };
  const keyEnd = idEnd + 1 + frame[idEnd]!;
  if (keyEnd !== frame.length) return { ok: false, reason: 'handshake key length does not match the frame' };
  return { ok: true, nodeId, key: frame.subarray(idEnd + 1, keyEnd) };
}

export function decodeLinkAck(frame: Buffer, validNode: (n: string) => boolean): LinkAckResult {
  const bad = head(frame, ACK);
  if (bad !== undefined) return { ok: false, reason: bad };
  const idEnd = 7 + frame[6]!;
  if (idEnd !== frame.length) return { ok: false, reason: 'handshake answer length does not match the frame' };
  const nodeId = frame.toString('latin1', 7, idEnd);
  return validNode(nodeId) ? { ok: true, nodeId } : { ok: false, reason: 'invalid node id in handshake answer' };
}

/**
 * Cuts a byte stream into frames. A frame inside one chunk is handed on as a view of that chunk (no
 * copy); only a frame split across chunks is joined. `max` bounds what a peer can make us buffer.
 */
export class FrameReader {
  private parts: Buffer[] = [];
  private buffered = 0;
  /** Length of the frame being assembled, once its prefix is in; -1 before. */
  private need = -1;

  constructor(public max: number) {}

  /**
   * Feeds a chunk; calls `onFrame` per whole frame until it returns false (the link was dropped: the
   * rest is not read). Returns why the stream is bad, or undefined.
   */
  push(chunk: Buffer, onFrame: (frame: Buffer) => boolean): string | undefined {
    let data = chunk;
    if (this.buffered > 0) {
      this.parts.push(chunk);
      this.buffered += chunk.length;
      if (this.need < 0 && this.buffered < FRAME_HEAD) return undefined;
      if (this.need >= 0 && this.buffered < FRAME_HEAD + this.need) return undefined;
      data = Buffer.concat(this.parts, this.buffered);
      this.parts = [];
      this.buffered = 0;
    }
    let at = 0;
    // Each pass consumes one frame or stops: bounded by the chunk's length.
    while (data.length - at >= FRAME_HEAD) {
      const length = data.readUInt32BE(at);
      if (length > this.max) return `a ${length}-byte frame exceeds the ${this.max}-byte bound`;
      if (data.length - at - FRAME_HEAD < length) {
        this.need = length;
        break;
      }
      const start = at + FRAME_HEAD;
      at = start + length;
      this.need = -1;
      if (!onFrame(data.subarray(start, at))) return undefined;
    }
    if (at < data.length) {
      const rest = data.subarray(at);
      if (rest.length < FRAME_HEAD) this.need = -1;
      this.parts.push(rest);
      this.buffered = rest.length;
    } else {
      this.need = -1;
    }
    return undefined;
  }
}
