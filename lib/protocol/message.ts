// The decoded form of one neffos frame (docs/protocol.md §2.1); ports the wire fields of neffos message.go:Message.
import { BodyNotJsonError } from './protocol.errors.js';

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
 * does not need. `T` is the body's declared type (from an event map, see `EventMap`), what `json()`
 * returns; it exists only at compile time.
 */
export class Message<T = unknown> {
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
  // The received frame, when a reply can reuse its header bytes (ASCII, flags `0;0;`), with the
  // header's length and the fields as decoded, to see that none has changed since. Private (#): not
  // part of what a message is, so never copied, compared or serialized with it.
  #wireFrame: Buffer | undefined;
  #wireHeadLength: number;
  #wireToken: string;
  #wireNamespace: string;
  #wireRoom: string;
  #wireEvent: string;

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
    this.#wireFrame = undefined;
    this.#wireHeadLength = 0;
    this.#wireToken = '';
    this.#wireNamespace = '';
    this.#wireRoom = '';
    this.#wireEvent = '';
  }

  /**
   * @internal The decoder's constructor: positional, so the hot path allocates no options object. `headLength`
   * > 0 marks `frame`'s header as reusable for the reply (see `encodeReply`).
   */
  static fromWire(token: string, namespace: string, room: string, event: string, isError: boolean, isNoOp: boolean, body: Buffer, isBinary: boolean, frame?: Buffer, headLength = 0): Message {
    const msg = new Message();
    msg.token = token;
    msg.namespace = namespace;
    msg.room = room;
    msg.event = event;
    msg.isError = isError;
    msg.isNoOp = isNoOp;
    msg.body = body;
    msg.isBinary = isBinary;
    if (headLength > 0) {
      msg.#wireFrame = frame;
      msg.#wireHeadLength = headLength;
      msg.#wireToken = token;
      msg.#wireNamespace = namespace;
      msg.#wireRoom = room;
      msg.#wireEvent = event;
    }
    return msg;
  }

  /**
   * @internal The received frame whose first `receivedHeadLength` bytes a success reply to this
   * message may start with as they are: undefined unless the header was reusable and no field of this
   * message has changed since it was decoded.
   */
  reusableFrame(): Buffer | undefined {
    if (
      this.#wireFrame === undefined ||
      this.isNoOp ||
      this.token !== this.#wireToken ||
      this.namespace !== this.#wireNamespace ||
      this.room !== this.#wireRoom ||
      this.event !== this.#wireEvent
    ) {
      return undefined;
    }
    return this.#wireFrame;
  }

  /** @internal see reusableFrame */
  get receivedHeadLength(): number {
    return this.#wireHeadLength;
  }

  /** The body decoded as UTF-8. */
  text(): string {
    return this.body.toString('utf8');
  }

  /**
   * The body parsed as JSON (what neffos.js `marshal` and Go `neffos.Marshal` produce), typed as the
   * message's declared body `T`. On a typed message a type argument may only narrow `T`; on an
   * untyped one (`T` unknown) it is an unchecked cast, as with `JSON.parse`. A body declared `string`
   * is sent as is, not as JSON: read it with `text()`.
   */
  json<R extends T = T>(): R {
    try {
      return JSON.parse(this.body.toString('utf8')) as R;
    } catch (err) {
      throw new BodyNotJsonError(this.event, this.namespace, err);
    }
  }

  /** The error text of an error message, or `undefined`. */
  get error(): string | undefined {
    return this.isError ? this.body.toString('utf8') : undefined;
  }
}
