// Every text the engine writes: close reasons, error replies, handshake rejections, option and
// startup errors. One home (as @nestjs/schedule's schedule.messages.ts), so tests import the words
// instead of copying them.
import { MAX_TIMER_MS } from './deadline-queue.js';

// ---- close reasons (the close frame's reason; the protocol allows 123 bytes) ------------------------

export const CLOSE_FIRST_FRAME_NOT_ACK = 'neffos: the first frame must be the text ack "M"';
export const CLOSE_NO_ACK_WITHIN = (ms: number): string => `neffos: no ack "M" within ${ms} ms`;
export const CLOSE_HANDSHAKE_TOO_SLOW = (ms: number): string => `neffos: authorize/onConnect did not finish within ${ms} ms`;
export const CLOSE_QUEUE_FULL = 'neffos: too many messages queued behind a pending handler (maxQueuedBytes)';
export const CLOSE_WRITE_BUFFER_FULL = 'neffos: write buffer over writeBufferHighWaterMark';
export const CLOSE_QUEUE_TOO_MANY_FRAMES = 'neffos: too many messages queued behind a pending handler (maxQueuedFrames)';
export const CLOSE_HANDSHAKE_QUEUE_FULL = 'neffos: too many messages before the handshake completed (maxHandshakeQueuedFrames/Bytes)';
export const CLOSE_RATE_LIMITED = 'neffos: messages faster than the rate limit (messageRate)';
export const CLOSE_SHUTTING_DOWN = 'server shutting down';

// ---- handshake rejections (`H<text>`) ------------------------------------------------------------

/** Sent when a hook rejects without a text of its own (or `throw new Error('')`). */
export const REJECTED = 'rejected';
export const UNAUTHORIZED = 'unauthorized';
export const NO_CONNECTION_ID = 'the connection id generator returned no id';
/** A value for a log line: its type and, when JSON can show it, its JSON (never throws: a BigInt, a cycle). */
function shown(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  return `${typeof value} ${json ?? String(value)}`;
}

export const ID_NOT_A_STRING = (value: unknown): string =>
  `idGenerator returned ${shown(value)}, not a string: every handshake is refused (the client reads "${NO_CONNECTION_ID}"). ` +
  'Return a string, e.g. String(user.id); return an empty string only to refuse a connection on purpose. Logged once.';
export const NEAR_MISS_PATH = (requested: string, served: string): string =>
  `an upgrade to ${JSON.stringify(requested)} was refused with 404: neffos serves ${JSON.stringify(served)}, matched exactly ` +
  `(case and trailing slash included); dial ${JSON.stringify(served)}. Logged once per path.`;

// ---- error replies (`is-error=1` bodies) -----------------------------------------------------------

/**
 * What a client reads for an error not written for it (a bug, a database error): the stack goes to
 * `onError`, not over the wire. The same words as Nest's gateways.
 */
export const INTERNAL_ERROR = 'Internal server error';

/** For a thrown value that neither JSON nor String can print (e.g. a revoked Proxy). */
export const UNPRINTABLE_ERROR = 'error (unprintable thrown value)';
export const RATE_LIMITED = 'rate limit exceeded (messageRate); slow down';
export const TOO_MANY_ROOMS = (max: number): string => `too many rooms on this connection (maxRoomsPerConnection ${max})`;
export const ROOM_NAME_TOO_LONG = (bytes: number, max: number): string => `room name of ${bytes} bytes is too long (maxRoomNameLength ${max})`;
export const HANDLER_TIMED_OUT = (event: string, ms: number): string => `handler of "${event}" did not finish within ${ms} ms (handlerTimeout)`;
export const UNKNOWN_EVENT = (event: string, namespace: string): string => `unknown event "${event}" in namespace "${namespace}"`;

// ---- errors thrown to server code ----------------------------------------------------------------------

export const ASK_TIMED_OUT = (event: string, timeoutMs: number): string =>
  `no reply to "${event}" within ${timeoutMs} ms; raise the timeout (option askTimeout or { timeout }) or make the client answer`;
export const CONNECTION_CLOSED = (connectionId: string): string => `connection "${connectionId}" is closed`;
export const BAD_NAMESPACE = (namespace: string): string =>
  `namespace "${namespace}" is not registered on this server or not connected on this connection`;
export const CONNECTION_NOT_FOUND = (connectionId: string): string => `no connection with id "${connectionId}"`;
export const BAD_ROOM = (namespace: string, room: string): string => `room "${room}" of namespace "${namespace}" is not joined by this connection`;
export const TOO_MANY_PENDING_ASKS = (connectionId: string, max: number): string =>
  `connection "${connectionId}" already has ${max} asks waiting for a reply (maxPendingAsks); await some first or raise the option`;
export const ALREADY_ATTACHED = 'this engine is already attached to an HTTP server; create one engine per server';
export const TEARDOWN_HOOKS_STUCK = (connections: number, graceMs: number): string =>
  `neffos: the teardown hooks of ${connections} connection(s) were still running ${graceMs} ms after their sockets were terminated; shutdown goes on without them`;

// ---- option errors (thrown once, by the constructor) -------------------------------------------------

const BYTE_OPTIONS: ReadonlySet<string> = new Set(['maxPayload', 'writeBufferHighWaterMark', 'maxQueuedBytes', 'maxHandshakeQueuedBytes', 'maxRoomNameLength']);
const COUNT_UNITS: ReadonlyMap<string, string> = new Map([
  ['maxQueuedFrames', 'frames'],
  ['maxHandshakeQueuedFrames', 'frames'],
  ['messageRate', 'messages per second'],
  ['messageBurst', 'messages'],
  ['maxPendingAsks', 'asks'],
  ['maxRoomsPerConnection', 'rooms'],
  ['maxConnections', 'connections'],
  ['maxPendingHandshakes', 'handshakes'],
]);

function unitOf(name: string): string {
  return BYTE_OPTIONS.has(name) ? 'bytes' : (COUNT_UNITS.get(name) ?? 'milliseconds');
}

export { MAX_TIMER_MS };

/**
 * What a numeric option may hold besides its sign: bytes, counts and times are whole numbers (a rate
 * may be a fraction, 0.5 a second), and a time fits a Node timer (handshakeTimeout: 3e9 would close
 * every handshake at once).
 */
export function optionAmount(name: string): { whole: boolean; max: number } {
  const unit = unitOf(name);
  return { whole: unit !== 'messages per second', max: unit === 'milliseconds' ? MAX_TIMER_MS : Infinity };
}

export const OPTION_NOT_POSITIVE = (name: string, value: unknown, allowZero: boolean): string => {
  const { whole, max } = optionAmount(name);
  return (
    `option ${name} must be a ${allowZero ? 'non-negative' : 'positive'} ${whole ? 'whole ' : ''}number of ${unitOf(name)}` +
    (max < Infinity ? ` up to ${max} (the longest Node timer, about 24.8 days)` : '') +
    ', got ' +
    (typeof value === 'string' ? `the string ${JSON.stringify(value)} (write a number such as ${exampleOf(name)}, or a string of digits such as '${exampleOf(name)}')` : String(value))
  );
};

function exampleOf(name: string): string {
  const unit = unitOf(name);
  return unit === 'bytes' ? '65536' : unit === 'milliseconds' ? '30000' : '100';
}
export const CLOSE_CODE_NOT_SENDABLE = (code: unknown): string =>
  `close code ${String(code)} cannot be sent in a close frame; use 1000-1003, 1007-1014 or an application code 3000-4999 (1005 and 1006 only describe a close that had no frame)`;
export const OPTION_BAD_PATH = (path: unknown): string => `option path must start with "/", got ${JSON.stringify(path)}`;
export const OPTION_PATH_WITH_QUERY = (path: string): string =>
  `option path is matched against the request's path alone, so ${JSON.stringify(path)} (with a query or fragment) would never match; use ${JSON.stringify(path.replace(/[?#].*$/s, '') || '/')}`;
/** What a value is, for an option of another type: a string quoted, else its type. */
const kindOf = (value: unknown): string =>
  typeof value === 'string' ? `the string ${JSON.stringify(value)}` : value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
const FUNCTION_EXAMPLES: Readonly<Record<string, string>> = {
  idGenerator: '(req) => id',
  authorize: '(req) => boolean | string',
  onConnect: '(conn) => { … }',
  onDisconnect: '(conn) => { … }',
  onError: '(err, conn) => { … }',
  eventNameMapper: "trimPrefix('On')",
};
export const OPTION_NOT_FUNCTION = (name: string, value: unknown): string =>
  `option ${name} must be a function${FUNCTION_EXAMPLES[name] === undefined ? '' : ` such as ${FUNCTION_EXAMPLES[name]}`}, got ${kindOf(value)}`;
export const OPTION_NOT_BOOLEAN = (name: string, value: unknown): string =>
  `option ${name} must be true or false, got ${kindOf(value)}` +
  (typeof value === 'string' ? ` (a string, even "false", is not a boolean; from an environment variable write ${name}: process.env.X === 'true')` : '');
export const OPTION_BAD_SUBPROTOCOLS = (value: unknown): string =>
  `option subprotocols must be an array of subprotocol names (e.g. ['chat']), got ${typeof value === 'string' ? `the string ${JSON.stringify(value)}` : JSON.stringify(value) ?? String(value)}`;
export const OPTION_NO_NAMESPACES = 'option namespaces must name at least one namespace';
export const OPTION_BAD_ORIGIN = (value: unknown, parsed: string | undefined): string =>
  `option origins: ${JSON.stringify(value)} is not an origin; an origin is scheme://host[:port] with no path or trailing slash, matched exactly` +
  (typeof value === 'string' && value.includes(',') ? ' (several origins go in an array)' : parsed !== undefined && parsed !== value ? ` (did you mean ${JSON.stringify(parsed)}?)` : '');
export const OPTION_BAD_PROTECTED_HEADERS = (value: unknown): string =>
  `option protectedHeaders must be an array of header names (e.g. ['x-user-id']), got ${JSON.stringify(value)}`;
export const OPTION_BAD_EXCHANGE = (value: unknown): string =>
  `option exchange must be an exchange object (new RedisExchange({ url }) from 'nestjs-neffos/redis', new NatsExchange({ servers }) from 'nestjs-neffos/nats', ` +
  `or a ClusterExchange), not its settings; got ${typeof value === 'string' ? JSON.stringify(value) : value === null ? 'null' : typeof value === 'object' ? 'an object that is not one' : `a ${typeof value}`}`;
export const OPTION_BAD_BACKPRESSURE = (value: unknown): string => `option onBackpressure must be "close" or "drop", got ${JSON.stringify(value)}`;
export const OPTION_BAD_RATE_POLICY = (value: unknown): string =>
  `option onRateLimit must be "delay", "drop", "error" or "close", got ${JSON.stringify(value)}`;
export const OPTION_HANDLER_NOT_FUNCTION = (event: string, namespace: string): string =>
  `handler of event "${event}" in namespace "${namespace}" must be a function`;
export const ASK_TIMEOUT_INVALID = (timeout: number): string =>
  `ask timeout must be a positive finite number of milliseconds, got ${timeout}`;

/** What a value is, for a body that cannot be sent: a function is most often a method returned instead of called. */
const unsendableKind = (value: unknown): string =>
  typeof value === 'function'
    ? `a function${value.name ? ` (${value.name})` : ''}; return its result instead (a method returned without calling it?)`
    : typeof value === 'symbol'
      ? 'a symbol'
      : typeof value === 'bigint'
        ? 'a bigint (JSON has no bigint; send it as a string)'
        : 'an object JSON cannot encode';
export const BODY_NOT_SERIALIZABLE = (context: string, value: unknown, cause: string | undefined): string =>
  `${context} must be a string, bytes (Buffer, Uint8Array) or a JSON value; got ${unsendableKind(value)}${cause === undefined ? '' : ` (${cause})`}`;
