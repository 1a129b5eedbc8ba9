// Engine options, coerced and validated once (withDefaults); nothing downstream re-defaults them.
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Conn } from './conn.js';
import { InvalidOptionError } from './engine.errors.js';
import {
  OPTION_BAD_BACKPRESSURE,
  OPTION_BAD_EXCHANGE,
  OPTION_BAD_ORIGIN,
  OPTION_BAD_PATH,
  OPTION_BAD_PROTECTED_HEADERS,
  OPTION_BAD_RATE_POLICY,
  OPTION_BAD_SUBPROTOCOLS,
  OPTION_HANDLER_NOT_FUNCTION,
  OPTION_NO_NAMESPACES,
  OPTION_NOT_BOOLEAN,
  OPTION_NOT_FUNCTION,
  OPTION_NOT_POSITIVE,
  OPTION_PATH_WITH_QUERY,
  optionAmount,
} from './engine.messages.js';
import type { EventHandler, Events, Namespaces } from './engine.types.js';
import type { NeffosLogger, StackExchange } from './stack-exchange.js';

export type RateLimitPolicy = 'delay' | 'drop' | 'error' | 'close';

const RATE_POLICIES: ReadonlySet<string> = new Set(['delay', 'drop', 'error', 'close']);

/**
 * `'*'` (any), one exact origin (a string, e.g. from configuration), a list of exact origins, or a
 * function. Origins are compared whole (`https://app.example.com`), never as substrings.
 */
export type OriginPolicy = '*' | string | readonly string[] | ((origin: string | undefined, req: IncomingMessage) => boolean);

/** The policy as the engine checks it: exact origins in a set. */
export type ResolvedOriginPolicy = '*' | ReadonlySet<string> | ((origin: string | undefined, req: IncomingMessage) => boolean);

export interface EngineOptions {
  /** URL path the engine serves, e.g. `/echo`. */
  path: string;
  namespaces: Namespaces;
  /** Connection id for a handshake (default: a random UUID v4, as Go). May be async. */
  idGenerator?: (req: IncomingMessage) => string | Promise<string>;
  /**
   * Runs after the upgrade and before the client's ack is answered. Return `false`, a string, or
   * throw to reject: the client gets `H<message>` and the socket closes with 1008.
   */
  authorize?: (req: IncomingMessage) => boolean | string | void | Promise<boolean | string | void>;
  /** After authorization, before `A<id>` is sent; may force namespace connects. Throw to reject. */
  onConnect?: (conn: Conn) => void | Promise<void>;
  /** After a connection's namespaces and rooms have been torn down. */
  onDisconnect?: (conn: Conn) => void;
  /** Largest accepted frame in bytes; bigger ones close the connection with 1009. Default 1 MiB. */
  maxPayload?: number;
  /** Default timeout of server-initiated asks, connects, joins, leaves and disconnects. Default 10 s. */
  askTimeout?: number;
  /**
   * Time allowed between the upgrade and the end of the handshake (`A<id>` or `H<error>`). Default 10 s;
   * then close 1002 if the client never sent `M`, 1013 if `authorize`/`onConnect` did not finish.
   */
  handshakeTimeout?: number;
  /**
   * Bytes of frames a connection may have waiting behind a pending (async) handler, each frame counted
   * with 256 bytes of overhead (what it costs in memory); past it the connection is closed with 1008.
   * Past an eighth of it (or of `maxQueuedFrames`) the socket is no longer read until the queue drains,
   * so a client that pipelines fast is slowed down by TCP instead of cut off. Default 4 MiB.
   */
  maxQueuedBytes?: number;
  /** Frames a connection may have waiting behind a pending handler; past it, close 1008. Default 10,000. */
  maxQueuedFrames?: number;
  /**
   * Frames (and bytes, counted as for `maxQueuedBytes`) a client may send after `M` while `authorize`,
   * the id generator or `onConnect` still run; past either, close 1008. Clients send nothing before
   * `A<id>`, so the defaults are small: 64 frames, 64 KiB.
   */
  maxHandshakeQueuedFrames?: number;
  maxHandshakeQueuedBytes?: number;
  /**
   * Messages per second one connection may send (a token bucket refilled at this rate, holding up to
   * `messageBurst`). `0` disables. Default 50,000: above what one connection doing one ask at a time
   * reaches on current hardware (~20,000/s here), so honest clients never wait, while a pipelining
   * flooder's share is capped; fairness between connections comes from the per-turn frame budget.
   */
  messageRate?: number;
  /** Messages a connection may send at once before `messageRate` applies. Default: `messageRate`. */
  messageBurst?: number;
  /**
   * What happens to a message over the rate: `delay` (default) keeps it queued and stops reading the
   * socket until the bucket refills, so the client is slowed down by TCP; `drop` skips it; `error`
   * answers an ask with an error reply (other messages are skipped); `close` closes with 1008.
   */
  onRateLimit?: RateLimitPolicy;
  /** Server asks (asks, forced connects, joins, leaves) waiting for a reply on one connection; past it they reject at once. Default 1,000. */
  maxPendingAsks?: number;
  /** Rooms one connection may be in (all namespaces together); past it a join gets an error. Default 1,000. */
  maxRoomsPerConnection?: number;
  /**
   * Longest room name in UTF-8 bytes; a longer join gets an error reply (the connection stays open), so
   * 1,000 rooms cannot hold a MiB-long name each. Default 1,024.
   */
  maxRoomNameLength?: number;
  /** Open connections (handshaking or not) of this engine; past it upgrades get HTTP 503. `0`: no cap. Default 50,000. */
  maxConnections?: number;
  /** Connections still in their handshake (e.g. an async `authorize`); past it upgrades get HTTP 503. `0`: no cap. Default 2,000. */
  maxPendingHandshakes?: number;
  /**
   * Milliseconds an event handler (or a lifecycle hook the client waits on) may take; past it the
   * client gets an error reply and the connection's next frames run. `0` (default) disables.
   */
  handlerTimeout?: number;
  /**
   * Milliseconds `close()` waits for clients to answer the 1001 close (then they are terminated) and
   * for their teardown hooks; and after which the attached HTTP server's connections that would hold
   * its `close()` (e.g. a TCP connection that never sent a byte) are closed. Default 2 s.
   */
  shutdownTimeout?: number;
  /** Ping interval in ms; a peer that misses a whole interval is dropped. `0` disables. Default 30 s. */
  pingInterval?: number;
  /**
   * Bytes queued on a socket past which `onBackpressure` applies, each pending write counted with 256
   * bytes of overhead (a tiny frame costs far more than its length). Past a quarter of it the socket
   * is not read until it drains. Default 8 MiB.
   */
  writeBufferHighWaterMark?: number;
  /** `close` (default) ends a slow consumer with 1013; `drop` skips frames until it catches up. */
  onBackpressure?: 'close' | 'drop';
  /**
   * Allowed `Origin` values: `'*'` (default, any), one origin (`'https://app.example.com'`), a list, or a
   * function. Each origin is validated at start-up and matched exactly. A request without `Origin` (not
   * a browser) passes an origin list.
   */
  origins?: OriginPolicy;
  /** Subprotocols this server speaks; default: echo the first one the client offers. */
  subprotocols?: readonly string[];
  /**
   * Serve the neffos.js browser build (this package's dependency) at `<path>/neffos.js`, with an ETag,
   * like socket.io's `serveClient`: a page imports it without a bundler. Default `false`.
   */
  serveClient?: boolean;
  /**
   * Headers that `X-Websocket-Header-*` query parameters may never set, besides the built-in ones
   * (transport and proxy headers, `authorization`, `proxy-authorization`, `cookie`). A header the HTTP
   * request carries is never changed by the query anyway.
   */
  protectedHeaders?: readonly string[];
  /**
   * Send the text of every thrown error to the client (for development). Default `false`: only errors
   * written for the client — a `NeffosError` such as `ClientError`, a thrown string — are sent as they
   * are; any other error is reported to `onError` with its stack and the client reads `Internal server error`.
   */
  exposeErrors?: boolean;
  /**
   * Failures that have no client to answer: a throwing teardown hook, a native handler, `onDisconnect`.
   * Default: `console.error`. (Handler errors of events become error replies and are not reported here.)
   */
  onError?: (err: unknown, conn?: Conn) => void;
  /**
   * Scale-out: makes this engine one node of a cluster (`ClusterExchange` over the in-memory bus,
   * `RedisExchange`, `NatsExchange`). Broadcasts, `to(id)`, `ask(id)` and `cluster.*` then reach
   * connections on every node. One exchange per engine; the engine closes it on shutdown.
   */
  exchange?: StackExchange;
  /** Operational messages (the exchange's broker outages, dropped bus messages). Default: the console. */
  logger?: NeffosLogger;
}

export interface ResolvedEngineOptions {
  path: string;
  namespaces: Namespaces;
  idGenerator: (req: IncomingMessage) => string | Promise<string>;
  authorize: EngineOptions['authorize'];
  onConnect: EngineOptions['onConnect'];
  onDisconnect: EngineOptions['onDisconnect'];
  maxPayload: number;
  askTimeout: number;
  handshakeTimeout: number;
  maxQueuedBytes: number;
  maxQueuedFrames: number;
  maxHandshakeQueuedFrames: number;
  maxHandshakeQueuedBytes: number;
  /** Tokens per millisecond; 0 when the rate limit is off. */
  messageRate: number;
  messageBurst: number;
  onRateLimit: RateLimitPolicy;
  maxPendingAsks: number;
  maxRoomsPerConnection: number;
  maxRoomNameLength: number;
  /** `Infinity` when there is no cap. */
  maxConnections: number;
  maxPendingHandshakes: number;
  handlerTimeout: number;
  shutdownTimeout: number;
  pingInterval: number;
  writeBufferHighWaterMark: number;
  onBackpressure: 'close' | 'drop';
  origins: ResolvedOriginPolicy;
  subprotocols: readonly string[] | undefined;
  serveClient: boolean;
  /** lower-cased `protectedHeaders` */
  protectedHeaders: ReadonlySet<string> | undefined;
  /** Go native-only mode (docs/protocol.md §2.8): namespace `''` with `_OnNativeMessage` as its only event. */
  nativeOnly: boolean;
  onError: (err: unknown, conn?: Conn) => void;
  exchange: StackExchange | undefined;
  logger: NeffosLogger;
  exposeErrors: boolean;
}

const consoleLogger: NeffosLogger = {
  log: (message) => console.log(`[neffos] ${message}`),
  warn: (message) => console.warn(`[neffos] ${message}`),
  error: (message) => console.error(`[neffos] ${message}`),
};

/** A plain decimal number as text: what an environment variable holds (`MAX_PAYLOAD=65536`). */
const NUMERIC_STRING = /^\s*\d+(\.\d+)?\s*$/;

/** A size, count, time or rate: at least 0 (or 1), whole unless a rate, a time no longer than a Node timer takes. */
function positive(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  // Options often come from configuration as strings; digits are taken as the number they spell.
  const number: unknown = typeof value === 'string' && NUMERIC_STRING.test(value) ? Number(value) : value;
  const { whole, max } = optionAmount(name);
  if (
    typeof number !== 'number' ||
    !Number.isFinite(number) ||
    number < 0 ||
    (!allowZero && number === 0) ||
    (whole && !Number.isInteger(number)) ||
    number > max
  ) {
    throw new InvalidOptionError(OPTION_NOT_POSITIVE(name, value, allowZero));
  }
  return number;
}

/**
 * Copies the handler maps into prototype-free objects: a client names namespaces and events, and
 * "constructor" or "__proto__" must not find Object.prototype's members.
 */
function ownEntriesOnly(namespaces: Namespaces): Namespaces {
  const out: Record<string, Events> = Object.create(null);
  for (const [name, events] of Object.entries(namespaces)) {
    const copy: Record<string, EventHandler> = Object.create(null);
    for (const [event, handler] of Object.entries(events)) {
      if (typeof handler !== 'function') throw new InvalidOptionError(OPTION_HANDLER_NOT_FUNCTION(event, name));
      copy[event] = handler;
    }
    out[name] = copy;
  }
  return out;
}

/**
 * A string is one exact origin, never a substring pattern (`'https://app.example.com'` must not admit
 * `https://app.example.co`). Every origin must be what a browser sends: `scheme://host[:port]`, no path,
 * no trailing slash (or the literal `null` of sandboxed pages).
 */
function originPolicy(policy: OriginPolicy | undefined): ResolvedOriginPolicy {
  if (policy === undefined || policy === '*') return '*';
  if (typeof policy === 'function') return policy;
  const list: readonly unknown[] = typeof policy === 'string' ? [policy] : Array.isArray(policy) ? policy : [policy];
  for (const origin of list) {
    if (typeof origin !== 'string' || (origin !== 'null' && serializedOrigin(origin) !== origin)) {
      throw new InvalidOptionError(OPTION_BAD_ORIGIN(origin, typeof origin === 'string' ? serializedOrigin(origin) : undefined));
    }
  }
  return new Set(list as string[]);
}

/** `new URL(value).origin` when `value` parses as a URL with a host, else undefined. */
function serializedOrigin(value: string): string | undefined {
  try {
    const origin = new URL(value).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

function protectedHeaderSet(names: readonly string[] | undefined): ReadonlySet<string> | undefined {
  if (names === undefined) return undefined;
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string' || n === '')) {
    throw new InvalidOptionError(OPTION_BAD_PROTECTED_HEADERS(names));
  }
  return new Set(names.map((n) => n.toLowerCase()));
}

/** A callback option: a mistyped one (`authorize: true`) would otherwise fail every handshake with a TypeError. */
function callback<T>(name: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== 'function') throw new InvalidOptionError(OPTION_NOT_FUNCTION(name, value));
  return value;
}

/** A flag: `'false'` from an environment variable would otherwise be read as false or true depending on the check. */
function flag(name: string, value: boolean | undefined): boolean {
  if (value !== undefined && typeof value !== 'boolean') throw new InvalidOptionError(OPTION_NOT_BOOLEAN(name, value));
  return value === true;
}

function subprotocolList(value: readonly string[] | undefined): readonly string[] | undefined {
  if (value !== undefined && (!Array.isArray(value) || value.some((p) => typeof p !== 'string' || p === ''))) {
    throw new InvalidOptionError(OPTION_BAD_SUBPROTOCOLS(value));
  }
  return value;
}

/** A broker URL or a settings object (easy to pass from a ConfigService) would only fail at bootstrap, as a TypeError. */
function exchangeOption(exchange: unknown): StackExchange | undefined {
  if (exchange === undefined) return undefined;
  const methods = ['attach', 'publish', 'request', 'query', 'close'] as const;
  if (typeof exchange !== 'object' || exchange === null || methods.some((m) => typeof (exchange as Record<string, unknown>)[m] !== 'function')) {
    throw new InvalidOptionError(OPTION_BAD_EXCHANGE(exchange));
  }
  return exchange as StackExchange;
}

export function withDefaults(options: EngineOptions): ResolvedEngineOptions {
  if (typeof options.path !== 'string' || !options.path.startsWith('/')) {
    throw new InvalidOptionError(OPTION_BAD_PATH(options.path));
  }
  if (/[?#]/.test(options.path)) throw new InvalidOptionError(OPTION_PATH_WITH_QUERY(options.path));
  const names = Object.keys(options.namespaces ?? {});
  if (names.length === 0) throw new InvalidOptionError(OPTION_NO_NAMESPACES);
  const empty = options.namespaces[''];
  const nativeOnly = names.length === 1 && empty !== undefined && Object.keys(empty).join() === '_OnNativeMessage';
  if (options.onBackpressure !== undefined && options.onBackpressure !== 'close' && options.onBackpressure !== 'drop') {
    throw new InvalidOptionError(OPTION_BAD_BACKPRESSURE(options.onBackpressure));
  }
  if (options.onRateLimit !== undefined && !RATE_POLICIES.has(options.onRateLimit)) {
    throw new InvalidOptionError(OPTION_BAD_RATE_POLICY(options.onRateLimit));
  }
  const messageRate = positive('messageRate', options.messageRate, 50_000, true);
  return {
    path: options.path,
    namespaces: ownEntriesOnly(options.namespaces),
    idGenerator: callback('idGenerator', options.idGenerator) ?? (() => randomUUID()),
    authorize: callback('authorize', options.authorize),
    onConnect: callback('onConnect', options.onConnect),
    onDisconnect: callback('onDisconnect', options.onDisconnect),
    maxPayload: positive('maxPayload', options.maxPayload, 1024 * 1024),
    askTimeout: positive('askTimeout', options.askTimeout, 10_000),
    handshakeTimeout: positive('handshakeTimeout', options.handshakeTimeout, 10_000),
    maxQueuedBytes: positive('maxQueuedBytes', options.maxQueuedBytes, 4 * 1024 * 1024),
    maxQueuedFrames: positive('maxQueuedFrames', options.maxQueuedFrames, 10_000),
    maxHandshakeQueuedFrames: positive('maxHandshakeQueuedFrames', options.maxHandshakeQueuedFrames, 64),
    maxHandshakeQueuedBytes: positive('maxHandshakeQueuedBytes', options.maxHandshakeQueuedBytes, 64 * 1024),
    messageRate: messageRate / 1000,
    messageBurst: Math.max(1, positive('messageBurst', options.messageBurst, messageRate || 1)),
    onRateLimit: options.onRateLimit ?? 'delay',
    maxPendingAsks: positive('maxPendingAsks', options.maxPendingAsks, 1_000),
    maxRoomsPerConnection: positive('maxRoomsPerConnection', options.maxRoomsPerConnection, 1_000),
    maxRoomNameLength: positive('maxRoomNameLength', options.maxRoomNameLength, 1_024),
    maxConnections: positive('maxConnections', options.maxConnections, 50_000, true) || Infinity,
    maxPendingHandshakes: positive('maxPendingHandshakes', options.maxPendingHandshakes, 2_000, true) || Infinity,
    handlerTimeout: positive('handlerTimeout', options.handlerTimeout, 0, true),
    shutdownTimeout: positive('shutdownTimeout', options.shutdownTimeout, 2_000),
    pingInterval: positive('pingInterval', options.pingInterval, 30_000, true),
    writeBufferHighWaterMark: positive('writeBufferHighWaterMark', options.writeBufferHighWaterMark, 8 * 1024 * 1024),
    onBackpressure: options.onBackpressure ?? 'close',
    origins: originPolicy(options.origins),
    subprotocols: subprotocolList(options.subprotocols),
    serveClient: flag('serveClient', options.serveClient),
    protectedHeaders: protectedHeaderSet(options.protectedHeaders),
    nativeOnly,
    onError: callback('onError', options.onError) ?? ((err) => console.error('[neffos]', err)),
    exchange: exchangeOption(options.exchange),
    logger: options.logger ?? consoleLogger,
    exposeErrors: flag('exposeErrors', options.exposeErrors),
  };
}
