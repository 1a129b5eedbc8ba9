// A raw `ws` client for byte-exact protocol tests: it collects every frame the server sends and lets a
// test wait for the next one (or for the close) with a timeout. No sleeps: every wait is event-driven.
import type { IncomingHttpHeaders } from 'node:http';
import { expect } from 'vitest';
import { WebSocket } from 'ws';
import { DEFAULT_WAIT_MS, withTimeout } from './wait.js';

export interface Frame {
  data: Buffer;
  binary: boolean;
  /** `data` decoded as UTF-8 (for binary frames too, for convenience). */
  text: string;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

export interface RawClientOptions {
  protocols?: string | string[];
  headers?: Record<string, string>;
  origin?: string;
  /** Defaults to `false`, so message events are never delivered synchronously in one batch. */
  allowSynchronousEvents?: boolean;
  /** Answer pings automatically (default `true`, as browsers and ws do). */
  autoPong?: boolean;
}

type Waiter = { resolve(frame: Frame): void; reject(err: Error): void };

export class RawClient {
  /** Frames received and not consumed yet by `next()`. */
  private readonly inbox: Frame[] = [];
  private readonly waiters: Waiter[] = [];
  /** Every frame ever received, in order (consumed or not). */
  readonly received: Frame[] = [];
  /** The HTTP headers of the 101 response. */
  upgradeHeaders: IncomingHttpHeaders = {};
  private closeInfo: CloseInfo | undefined;
  private readonly closed: Promise<CloseInfo>;
  private tokenCounter = 0;

  private constructor(readonly ws: WebSocket) {
    let markClosed!: (info: CloseInfo) => void;
    this.closed = new Promise((resolve) => (markClosed = resolve));
    ws.on('upgrade', (res) => (this.upgradeHeaders = res.headers));
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const buf = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      const frame: Frame = { data: buf, binary: isBinary, text: buf.toString('utf8') };
      this.received.push(frame);
      const waiter = this.waiters.shift();
      if (waiter !== undefined) waiter.resolve(frame);
      else this.inbox.push(frame);
    });
    // ws reports protocol errors (1002, 1007, 1009 from the peer's close) here and then closes.
    ws.on('error', () => {});
    ws.once('close', (code: number, reason: Buffer) => {
      this.closeInfo = { code, reason: reason.toString('utf8') };
      for (const waiter of this.waiters.splice(0)) {
        waiter.reject(new Error(`connection closed (code ${code}, reason ${JSON.stringify(this.closeInfo.reason)}) while waiting for a frame`));
      }
      markClosed(this.closeInfo);
    });
  }

  private static create(url: string, options: RawClientOptions): WebSocket {
    return new WebSocket(url, options.protocols ?? [], {
      headers: options.headers,
      origin: options.origin,
      perMessageDeflate: false,
      allowSynchronousEvents: options.allowSynchronousEvents ?? false,
      autoPong: options.autoPong ?? true,
    });
  }

  /** Opens a socket; resolves once the upgrade succeeded. */
  static open(url: string, options: RawClientOptions = {}, timeoutMs = DEFAULT_WAIT_MS): Promise<RawClient> {
    const ws = RawClient.create(url, options);
    const client = new RawClient(ws);
    return withTimeout(
      new Promise<RawClient>((resolve, reject) => {
        ws.once('open', () => resolve(client));
        ws.once('unexpected-response', (_req, res) => {
          reject(new Error(`upgrade refused with HTTP ${res.statusCode}`));
          ws.terminate();
        });
        ws.once('error', reject);
      }),
      timeoutMs,
      `opening ${url}`,
      () => ws.terminate(),
    );
  }

  /** Tries an upgrade that the server must refuse; resolves with the HTTP status it answered. */
  static refusedStatus(url: string, options: RawClientOptions = {}, timeoutMs = DEFAULT_WAIT_MS): Promise<number> {
    const ws = RawClient.create(url, options);
    ws.on('error', () => {});
    return withTimeout(
      new Promise<number>((resolve, reject) => {
        ws.once('open', () => {
          ws.terminate();
          reject(new Error(`expected ${url} to refuse the upgrade, but it was accepted`));
        });
        ws.once('unexpected-response', (_req, res) => {
          const status = res.statusCode ?? 0;
          ws.once('close', () => resolve(status));
          ws.terminate();
        });
      }),
      timeoutMs,
      `refused upgrade of ${url}`,
      () => ws.terminate(),
    );
  }

  /**
   * How an upgrade to `url` ends, for upgrades that may be neither accepted nor answered with a status:
   * `'accepted'`, `'HTTP <status>'`, or `'error: <message>'` when the socket was dropped.
   */
  static upgradeOutcome(url: string, options: RawClientOptions = {}, timeoutMs = DEFAULT_WAIT_MS): Promise<string> {
    const ws = RawClient.create(url, options);
    return withTimeout(
      new Promise<string>((resolve) => {
        ws.once('open', () => {
          ws.terminate();
          resolve('accepted');
        });
        ws.once('unexpected-response', (_req, res) => {
          ws.terminate();
          resolve(`HTTP ${res.statusCode}`);
        });
        ws.once('error', (err) => resolve(`error: ${err.message}`));
      }),
      timeoutMs,
      `the outcome of the upgrade to ${url}`,
      () => ws.terminate(),
    );
  }

  get protocol(): string {
    return this.ws.protocol;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Frames already received and not yet consumed. */
  get pending(): readonly Frame[] {
    return this.inbox;
  }

  /** A fresh client-style token (`$1`, `$2`, …). */
  token(): string {
    this.tokenCounter++;
    return `$${this.tokenCounter}`;
  }

  send(data: string | Buffer): void {
    this.ws.send(data, { binary: false });
  }

  sendBinary(data: Buffer | string): void {
    this.ws.send(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, { binary: true });
  }

  /** The next frame from the server; rejects on timeout or when the connection closes first. */
  next(timeoutMs = DEFAULT_WAIT_MS): Promise<Frame> {
    const queued = this.inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.closeInfo !== undefined) {
      return Promise.reject(new Error(`connection already closed (code ${this.closeInfo.code}); no frame will arrive`));
    }
    let waiter!: Waiter;
    const promise = new Promise<Frame>((resolve, reject) => (waiter = { resolve, reject }));
    this.waiters.push(waiter);
    return withTimeout(promise, timeoutMs, 'the next frame', () => {
      const i = this.waiters.indexOf(waiter);
      if (i >= 0) this.waiters.splice(i, 1);
    });
  }

  /** Asserts that the next frame is exactly `expected` (text by default). */
  async expectFrame(expected: string | Buffer, options: { binary?: boolean; timeoutMs?: number } = {}): Promise<Frame> {
    const frame = await this.next(options.timeoutMs);
    const binary = options.binary ?? false;
    if (typeof expected === 'string') expect(frame.text).toBe(expected);
    else expect(frame.data.equals(expected), `frame ${JSON.stringify(frame.text)} equals ${JSON.stringify(expected.toString('utf8'))}`).toBe(true);
    expect(frame.binary, `frame ${JSON.stringify(frame.text)} is ${binary ? 'binary' : 'text'}`).toBe(binary);
    return frame;
  }

  /** Sends `frame` and returns the next frame received. */
  async request(frame: string, timeoutMs?: number): Promise<Frame> {
    this.send(frame);
    return this.next(timeoutMs);
  }

  /** Sends `M` and expects `A<id>` as the very first frame; returns the id. */
  async handshake(): Promise<string> {
    expect(this.received, 'nothing was received before M').toHaveLength(0);
    this.send('M');
    const frame = await this.next();
    expect(frame.binary).toBe(false);
    expect(frame.text.startsWith('A'), `first frame ${JSON.stringify(frame.text)} is A<id>`).toBe(true);
    return frame.text.slice(1);
  }

  /** Connects a namespace the neffos.js way and expects the empty reply. */
  async connectNamespace(namespace: string): Promise<void> {
    const tok = this.token();
    this.send(`${tok};${namespace};;_OnNamespaceConnect;0;0;`);
    await this.expectFrame(`${tok};;;;;;`);
  }

  /** Joins a room the neffos.js way and expects the empty reply. */
  async joinRoom(namespace: string, room: string): Promise<void> {
    const tok = this.token();
    this.send(`${tok};${namespace};${room};_OnRoomJoin;0;0;`);
    await this.expectFrame(`${tok};;;;;;`);
  }

  /** Asks `echo` in `namespace` and expects the body back: proves the connection is alive and in order. */
  async expectEcho(namespace = 'default', body = 'ping'): Promise<void> {
    const tok = this.token();
    this.send(`${tok};${namespace};;echo;0;0;${body}`);
    await this.expectFrame(`${tok};${namespace};;echo;0;0;${body}`);
  }

  /** Resolves with the close code and reason once the connection has closed. */
  whenClosed(timeoutMs = DEFAULT_WAIT_MS): Promise<CloseInfo> {
    return withTimeout(this.closed, timeoutMs, 'the close of the connection');
  }

  /** Closes (if still open) and waits for the close to complete. */
  async close(code?: number): Promise<CloseInfo> {
    if (this.closeInfo !== undefined) return this.closeInfo;
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    else if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code);
    return this.whenClosed().catch((err: unknown) => {
      this.ws.terminate();
      throw err;
    });
  }
}
