// A neffos client for tests, speaking the wire protocol itself (docs/protocol.md §1–§4) over
// `ws`: no neffos.js, so none of its quirks (namespaces listed at dial, events dropped right after a
// connect reply in Node, asks that never time out). Frames are handled synchronously in arrival
// order: a namespace is registered the moment its connect reply is read, so an event the server
// writes right after it is never lost.
import { WebSocket } from 'ws';
import {
  Message,
  OnNamespaceConnect,
  OnNamespaceDisconnect,
  OnRoomJoin,
  OnRoomLeave,
  decodeMessage,
  encodeEmptyReply,
  encodeFields,
  ERR_BAD_NAMESPACE,
} from '../protocol/index.js';
import type { EventName, NamespaceEvents, NamespaceMap } from '../protocol/event-map.js';
import { toWireBody } from './test-body.js';
import { TestNamespace, type NamespaceLink, type ServerAskHandler, type WaitOptions } from './test-namespace.js';
import { DialRejectedError, ReplyError, TestConnectionClosedError, TestTimeoutError } from './testing.errors.js';

/** Client tokens start with `$` (docs/protocol.md §4.1): replies to this client's asks carry them back. */
const DOLLAR = 0x24;

export interface ClientOptions {
  /** HTTP headers of the upgrade request (what `authorize(req)` and `@HandshakeRequest()` see). */
  headers?: Record<string, string>;
  /** Query parameters added to the URL. */
  query?: Record<string, string>;
  /** Namespaces the server may force this client into (`conn.connect(ns)`); default: any. */
  namespaces?: readonly string[];
  /** Subprotocols offered in the upgrade. */
  protocols?: string | string[];
  /** The `Origin` header (browsers send one; Node clients do not). */
  origin?: string;
  /** Default timeout of every wait, in ms (dial, connect, ask, nextEvent …). Default 5000. */
  timeout?: number;
}

interface PendingRequest {
  what: string;
  namespace: string;
  event: string;
  onReply?: (reply: Message) => void;
  resolve(msg: Message): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * A test client connection. `N` is the app's namespace map (see `NamespaceMap`), given to
 * `dial<App>()`: `connect('chat')` then checks the namespace name and returns a `TestNamespace` typed
 * with that namespace's event map. When the directions differ, `N` types what the client sends and
 * `SN` what the server sends (`dial<ClientApp, ServerApp>()`). Untyped (`NeffosTestClient` is
 * `NeffosTestClient<any>`) by default.
 */
export class NeffosTestClient<N extends NamespaceMap<N> = any, SN extends NamespaceMap<SN> = N> {
  /** The connection id the server sent (`A<id>`). */
  id = '';
  readonly defaultTimeout: number;
  private readonly connected = new Map<string, TestNamespace>();
  private readonly pending = new Map<string, PendingRequest>();
  private readonly serverConnectWaiters = new Map<string, Array<(ns: TestNamespace) => void>>();
  private readonly clientAskHandlers = new Map<string, ServerAskHandler>();
  private tokenCounter = 0;
  /** What the namespaces use of this client; not part of the client's own API. */
  private readonly link: NamespaceLink;
  private closeInfo: { code: number; reason: string } | undefined;
  private readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(
    private readonly ws: WebSocket,
    readonly url: string,
    private readonly options: ClientOptions,
  ) {
    this.defaultTimeout = options.timeout ?? 5_000;
    this.link = {
      defaultTimeout: this.defaultTimeout,
      send: (namespace, room, event, body, binary, token) => this.send(namespace, room, event, body, binary, token),
      request: (namespace, room, event, body, binary, timeoutMs, onReply) => this.request(namespace, room, event, body, binary, timeoutMs, onReply),
      forget: (namespace) => this.connected.delete(namespace),
    };
    let markClosed!: (info: { code: number; reason: string }) => void;
    this.closed = new Promise((resolve) => (markClosed = resolve));
    ws.on('error', () => {}); // reported through 'close' and the pending waits
    ws.once('close', (code: number, reason: Buffer) => {
      const info = { code, reason: reason.toString('utf8') };
      this.closeInfo = info;
      for (const [token, p] of this.pending) {
        this.pending.delete(token);
        clearTimeout(p.timer);
        p.reject(new TestConnectionClosedError(p.what, code, info.reason));
      }
      for (const ns of [...this.connected.values()]) ns.drop(info);
      markClosed(info);
    });
  }

  /**
   * Opens the WebSocket, sends the ack `M` and resolves once the server answered `A<id>`; rejects with
   * a `DialRejectedError` on `H<reason>` or a refused upgrade.
   * @internal use `dial()`
   */
  static async open(url: string, options: ClientOptions): Promise<NeffosTestClient> {
    const ws = new WebSocket(withQuery(url, options.query), options.protocols ?? [], {
      headers: options.headers,
      origin: options.origin,
      perMessageDeflate: false,
    });
    const client = new NeffosTestClient(ws, url, options);
    const timeoutMs = client.defaultTimeout;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new TestTimeoutError(`the handshake of ${url} (A<id> after M)`, timeoutMs));
      }, timeoutMs);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        reject(err);
      };
      ws.once('unexpected-response', (_req, res) => {
        fail(new DialRejectedError(url, res.statusMessage ?? '', res.statusCode));
        ws.terminate();
      });
      // Why a socket closed before it opened (ECONNREFUSED, a DNS failure): the close alone says only 1006.
      let socketError: Error | undefined;
      ws.once('error', (err: Error) => (socketError ??= err));
      ws.once('open', () => ws.send('M'));
      ws.once('close', (code: number, reason: Buffer) =>
        fail(new TestConnectionClosedError(`the handshake of ${url}${socketError === undefined ? '' : ` (${socketError.message})`}`, code, reason.toString('utf8'))),
      );
      ws.once('message', (data: Buffer, isBinary: boolean) => {
        const text = data.toString('utf8');
        if (!isBinary && text.startsWith('A')) {
          client.id = text.slice(1);
          ws.on('message', (frame: Buffer, binary: boolean) => client.onFrame(frame, binary));
          clearTimeout(timer);
          resolve();
        } else {
          fail(new DialRejectedError(url, !isBinary && text.startsWith('H') ? text.slice(1) : `unexpected first frame ${JSON.stringify(text)}`));
          ws.close();
        }
      });
    });
    return client;
  }

  /** Namespaces this client is connected to. */
  get namespaces(): ReadonlyMap<string, TestNamespace> {
    return this.connected;
  }

  get isClosed(): boolean {
    return this.closeInfo !== undefined;
  }

  /** A connected namespace, or `undefined`. */
  namespace<K extends EventName<N> | EventName<SN>>(name: K): TestNamespace<NamespaceEvents<N, K>, NamespaceEvents<SN, K>> | undefined {
    return this.connected.get(name);
  }

  /** Connects to a namespace; rejects with the server's error text (`bad namespace`, a refusing `onNamespaceConnect`). */
  async connect<K extends EventName<N> | EventName<SN>>(namespace: K, options?: WaitOptions): Promise<TestNamespace<NamespaceEvents<N, K>, NamespaceEvents<SN, K>>> {
    const existing = this.connected.get(namespace);
    if (existing !== undefined) return existing;
    await this.request(namespace, '', OnNamespaceConnect, undefined, false, options?.timeout ?? this.defaultTimeout, (reply) => {
      if (!reply.isError) this.register(namespace);
    });
    return this.connected.get(namespace) ?? this.register(namespace);
  }

  /** Resolves once the server forced this client into `namespace` (`conn.connect(ns)` in `onConnect`). */
  waitServerConnect<K extends EventName<N> | EventName<SN>>(namespace: K, options?: WaitOptions): Promise<TestNamespace<NamespaceEvents<N, K>, NamespaceEvents<SN, K>>> {
    const existing = this.connected.get(namespace);
    if (existing !== undefined) return Promise.resolve(existing);
    const what = `the server to connect this client to namespace "${namespace}"`;
    if (this.closeInfo !== undefined) return Promise.reject(new TestConnectionClosedError(what, this.closeInfo.code, this.closeInfo.reason));
    const timeoutMs = options?.timeout ?? this.defaultTimeout;
    return new Promise<TestNamespace>((resolve, reject) => {
      const waiters = this.serverConnectWaiters.get(namespace) ?? [];
      this.serverConnectWaiters.set(namespace, waiters);
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(done), 1);
        reject(new TestTimeoutError(what, timeoutMs));
      }, timeoutMs);
      const done = (ns: TestNamespace): void => {
        clearTimeout(timer);
        resolve(ns);
      };
      waiters.push(done);
      void this.closed.then((info) => {
        if (waiters.includes(done)) {
          clearTimeout(timer);
          reject(new TestConnectionClosedError(what, info.code, info.reason));
        }
      });
    });
  }

  /**
   * Answers the server's asks of `event` in any namespace that has no handler of its own for it
   * (see `TestNamespace.onAsk`).
   */
  onAsk(event: string, handler: ServerAskHandler): this {
    this.clientAskHandlers.set(event, handler);
    return this;
  }

  /**
   * Sends `data` as one unframed WebSocket message, as a plain WebSocket client would: the server hands
   * it to `onNativeMessage` of namespace `""` (which this client must have connected) and answers there.
   * Text for a string, binary for bytes. Framing is not checked: this is also the way to send a frame
   * the test builds itself.
   */
  sendNative(data: string | Uint8Array): void {
    this.write(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength), typeof data !== 'string');
  }

  /** Closes the connection (code 1000 by default) and resolves once it is closed. */
  async close(code = 1000, reason = ''): Promise<void> {
    if (this.closeInfo !== undefined) return;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code, reason);
    else this.ws.terminate();
    const timer = setTimeout(() => this.ws.terminate(), this.defaultTimeout);
    await this.closed;
    clearTimeout(timer);
  }

  /** Resolves with the close code and reason once the connection has closed (e.g. closed by the server). */
  whenClosed(options?: WaitOptions): Promise<{ code: number; reason: string }> {
    const timeoutMs = options?.timeout ?? this.defaultTimeout;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TestTimeoutError(`the connection to ${this.url} to close`, timeoutMs)), timeoutMs);
    });
    return Promise.race([this.closed, timeout]).finally(() => clearTimeout(timer));
  }

  private send(namespace: string, room: string, event: string, body: unknown, binary: boolean, token = ''): void {
    this.write(encodeFields(token, namespace, room, event, false, false, toWireBody(body)), binary);
  }

  private request(namespace: string, room: string, event: string, body: unknown, binary: boolean, timeoutMs: number, onReply?: (reply: Message) => void): Promise<Message> {
    const what = describeRequest(namespace, room, event);
    if (this.closeInfo !== undefined) return Promise.reject(new TestConnectionClosedError(what, this.closeInfo.code, this.closeInfo.reason));
    this.tokenCounter++;
    const token = `$${this.tokenCounter}`;
    return new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(new TestTimeoutError(what, timeoutMs));
      }, timeoutMs);
      this.pending.set(token, { what, namespace, event, onReply, resolve, reject, timer });
      this.send(namespace, room, event, body, binary, token);
    });
  }

  private write(frame: Buffer | string, binary: boolean): void {
    if (this.ws.readyState !== WebSocket.OPEN) throw new Error(`cannot send on ${this.url}: the connection is ${this.closeInfo === undefined ? 'not open' : 'closed'}`);
    this.ws.send(frame, { binary });
  }

  private register(namespace: string): TestNamespace {
    const ns = TestNamespace.create(namespace, this.link);
    this.connected.set(namespace, ns);
    for (const resolve of this.serverConnectWaiters.get(namespace)?.splice(0) ?? []) resolve(ns);
    return ns;
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    const msg = decodeMessage(data, isBinary);
    if (msg === undefined) {
      // An unframed (native) message: it belongs to namespace "" (docs/protocol.md §2.8).
      this.connected.get('')?.deliver(new Message({ body: data, isBinary, isNative: true }));
      return;
    }
    if (msg.token.charCodeAt(0) === DOLLAR) {
      const p = this.pending.get(msg.token);
      if (p !== undefined) {
        this.pending.delete(msg.token);
        clearTimeout(p.timer);
        p.onReply?.(msg);
        if (msg.isError) p.reject(new ReplyError(p.event, p.namespace, msg.text()));
        else p.resolve(msg);
        return;
      }
      // A reply that arrived after its wait timed out: nobody awaits it any more.
      if (Number(msg.token.slice(1)) <= this.tokenCounter) return;
    } else if (msg.token !== '') {
      this.onServerRequest(msg);
      return;
    }
    this.connected.get(msg.namespace)?.deliver(msg);
  }

  /** A frame with a server token: a server-initiated connect, disconnect, join or leave, or an ask. */
  private onServerRequest(msg: Message): void {
    const { token, namespace, room } = msg;
    const ns = this.connected.get(namespace);
    switch (msg.event) {
      case OnNamespaceConnect:
        if (ns === undefined && this.options.namespaces !== undefined && !this.options.namespaces.includes(namespace)) {
          this.write(encodeFields(token, namespace, '', OnNamespaceConnect, true, false, ERR_BAD_NAMESPACE), false);
          return;
        }
        if (ns === undefined) this.register(namespace);
        this.write(encodeEmptyReply(token), false);
        return;
      case OnNamespaceDisconnect:
        ns?.drop({ code: 1000, reason: `the server disconnected namespace "${namespace}"` });
        this.write(encodeEmptyReply(token), false);
        return;
      case OnRoomJoin:
      case OnRoomLeave:
        if (ns === undefined) {
          this.write(encodeFields(token, namespace, room, msg.event, true, false, ERR_BAD_NAMESPACE), false);
          return;
        }
        if (msg.event === OnRoomJoin) ns.addRoom(room);
        else ns.removeRoom(room);
        this.write(encodeEmptyReply(token), false);
        return;
    }
    if (ns === undefined) return; // neffos clients drop frames of namespaces they are not in
    const handler = ns.askHandler(msg.event) ?? this.clientAskHandlers.get(msg.event);
    if (handler === undefined) {
      ns.deliver(msg);
      return;
    }
    void (async () => {
      let frame: Buffer;
      let binary = msg.isBinary; // a reply keeps the frame type of the ask; error replies are text
      try {
        const body = await handler(msg, ns);
        frame = encodeFields(token, namespace, room, msg.event, false, false, toWireBody(body));
      } catch (err) {
        frame = encodeFields(token, namespace, room, msg.event, true, false, err instanceof Error ? err.message : String(err));
        binary = false;
      }
      if (this.ws.readyState === WebSocket.OPEN) this.ws.send(frame, { binary });
    })();
  }
}

function describeRequest(namespace: string, room: string, event: string): string {
  const where = `namespace "${namespace}"${room === '' ? '' : `, room "${room}"`}`;
  switch (event) {
    case OnNamespaceConnect:
      return `the reply to connecting ${where}`;
    case OnNamespaceDisconnect:
      return `the reply to disconnecting ${where}`;
    case OnRoomJoin:
      return `the reply to joining room "${room}" in namespace "${namespace}"`;
    case OnRoomLeave:
      return `the reply to leaving room "${room}" in namespace "${namespace}"`;
    default:
      return `the reply to ask "${event}" in ${where}`;
  }
}

function withQuery(url: string, query: Record<string, string> | undefined): string {
  if (query === undefined || Object.keys(query).length === 0) return url;
  const u = new URL(url);
  for (const [k, v] of Object.entries(query)) u.searchParams.append(k, v);
  return u.toString();
}
