// The decoded form of one neffos frame (docs/protocol.md §2.1); ports the wire fields of neffos message.go:Message.

const EMPTY = Buffer.alloc(0);

export interface MessageInit {
  token?: string;
  namespace?: string;
  room?: string;
  event?: string;
  body?: Buffer;
  isError?: boolean;
  isNoOp?: boolean;
  isBinary?: boolean;
  isNative?: boolean;
  isLocal?: boolean;
  isForced?: boolean;
}

/**
 * One neffos message. `body` holds the exact bytes of the frame's body (a view into the received
 * frame, not a copy); `text()` and `json()` read it on demand so the hot path decodes nothing it
 * does not need.
 */
export class Message {
  /** Wait token: a client ask (`$…`), a server ask (digits), or `''` for a plain emit. */
  token: string;
  namespace: string;
  room: string;
  event: string;
  body: Buffer;
  /** The body is an error text (wire flag `is-error` = `1`). */
  isError: boolean;
  /** Wire flag `is-noop`; system requests carrying it are ignored, custom events echo it (docs/protocol.md §2.6). */
  isNoOp: boolean;
  /** Arrived in, or is to be sent as, a binary WebSocket frame. */
  isBinary: boolean;
  /** An unframed payload (docs/protocol.md §2.8). */
  isNative: boolean;
  /** Server-side only, never on the wire: the action was started by this server, not by the client. */
  isLocal: boolean;
  /** Server-side only, never on the wire: a teardown the peer did not ask for (close, forced leave). */
  isForced: boolean;

  constructor(init?: MessageInit) {
    this.token = init?.token ?? '';
    this.namespace = init?.namespace ?? '';
    this.room = init?.room ?? '';
    this.event = init?.event ?? '';
    this.body = init?.body ?? EMPTY;
    this.isError = init?.isError ?? false;
    this.isNoOp = init?.isNoOp ?? false;
    this.isBinary = init?.isBinary ?? false;
    this.isNative = init?.isNative ?? false;
    this.isLocal = init?.isLocal ?? false;
    this.isForced = init?.isForced ?? false;
  }

  /** The decoder's constructor: positional, so the hot path allocates no options object. */
  static fromWire(token: string, namespace: string, room: string, event: string, isError: boolean, isNoOp: boolean, body: Buffer, isBinary: boolean): Message {
    const msg = new Message();
    msg.token = token;
    msg.namespace = namespace;
    msg.room = room;
    msg.event = event;
    msg.isError = isError;
    msg.isNoOp = isNoOp;
    msg.body = body;
    msg.isBinary = isBinary;
    return msg;
  }

  /** The body decoded as UTF-8. */
  text(): string {
    return this.body.toString('utf8');
  }

  /** The body parsed as JSON (what neffos.js `marshal` and Go `neffos.Marshal` produce). */
  json<T = unknown>(): T {
    return JSON.parse(this.body.toString('utf8')) as T;
  }

  /** The error text of an error message, or `undefined`. */
  get error(): string | undefined {
    return this.isError ? this.body.toString('utf8') : undefined;
  }
}
