// The bus envelope: "NFX1", a 32-bit big-endian header length, the header as JSON, then the body's
// raw bytes. Bus payloads are not client frames, so JSON is fine here; but they come from outside
// the process, so every field is checked before anything acts on it, and a foreign or malformed
// payload decodes to a reason instead of throwing. The messages of a cross-node ask take a compact
// binary envelope instead ("NFXC", call-message.codec.ts): they are the hot path of the bus.
import { isSendableCloseCode } from '../engine/engine.errors.js';
import { CALL_MAGIC, decodeCallMessage, encodeCallMessage } from './call-message.codec.js';
import type { ClusterMessage, ClusterMessageType, WireAction, WireError } from './cluster-message.js';
import { parseLinkAddress } from './node-link.codec.js';

const MAGIC = Buffer.from('NFX1', 'latin1');
const HEAD = 8;
const EMPTY = Buffer.alloc(0);
/** A node id also names a channel: keep it to characters every broker accepts in a name. */
export const NODE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A message to encode: its body may still be a string (a handler's text reply, a broadcast body). */
export type OutgoingClusterMessage = ClusterMessage extends infer M ? (M extends { body: Buffer } ? Omit<M, 'body'> & { body: Buffer | string } : M) : never;

/** Why a payload was dropped, coarsely (one log line per kind per interval, see drop-log.ts). */
export type DropKind = 'foreign' | 'malformed' | 'unknown-type' | 'invalid';

export type DecodeResult = { ok: true; msg: ClusterMessage } | { ok: false; kind: DropKind; reason: string };

/** Encodes `msg`; with `headroom`, that many bytes are left free in front of it (see encodeCallMessage). */
export function encodeClusterMessage(msg: OutgoingClusterMessage, headroom = 0): Buffer {
  if (msg.t === 'absent' || msg.t === 'res' || (msg.t === 'req' && msg.action.kind === 'ask')) {
    const compact = encodeCallMessage(msg, headroom);
    if (compact !== undefined) return compact;
  }
  let body: Buffer | string = EMPTY;
  let header: object = msg;
  if ('body' in msg) {
    const { body: b, ...rest } = msg;
    body = b;
    header = rest;
    // An ask's action may still hold its body (the sender skips a copy without it): it rides as the body only.
    if (rest.t === 'req' && 'body' in rest.action) {
      const { body: _inAction, ...action } = rest.action as WireAction & { body?: unknown };
      header = { ...rest, action };
    }
  }
  const json = JSON.stringify(header);
  const headerLength = Buffer.byteLength(json);
  const bodyLength = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  const out = Buffer.allocUnsafe(headroom + HEAD + headerLength + bodyLength);
  const at = headroom + HEAD;
  MAGIC.copy(out, headroom);
  out.writeUInt32BE(headerLength, headroom + 4);
  out.write(json, at, 'utf8');
  if (typeof body === 'string') out.write(body, at + headerLength, 'utf8');
  else body.copy(out, at + headerLength);
  return out;
}

const isNodeId = (n: string): boolean => NODE_ID.test(n);

export function decodeClusterMessage(payload: Buffer): DecodeResult {
  if (payload.length >= 4 && payload[0] === CALL_MAGIC[0] && payload[1] === CALL_MAGIC[1] && payload[2] === CALL_MAGIC[2] && payload[3] === CALL_MAGIC[3]) {
    const compact = decodeCallMessage(payload, isNodeId);
    return compact.ok ? compact : fail(`compact envelope: ${compact.reason}`, 'malformed');
  }
  if (payload.length < HEAD || payload[0] !== MAGIC[0] || payload[1] !== MAGIC[1] || payload[2] !== MAGIC[2] || payload[3] !== MAGIC[3]) {
    return fail('not a nestjs-neffos cluster message (no NFX1 envelope)', 'foreign');
  }
  const headerLength = payload.readUInt32BE(4);
  if (headerLength > payload.length - HEAD) return fail(`header length ${headerLength} exceeds the ${payload.length}-byte payload`, 'malformed');
  let header: unknown;
  try {
    header = JSON.parse(payload.toString('utf8', HEAD, HEAD + headerLength));
  } catch {
    return fail('header is not JSON', 'malformed');
  }
  if (!isObject(header)) return fail('header is not an object', 'malformed');
  const t = header.t;
  if (typeof t !== 'string' || !Object.hasOwn(validators, t)) return fail(`unknown message type ${JSON.stringify(t)}`, 'unknown-type');
  if (typeof header.n !== 'string' || !NODE_ID.test(header.n)) return fail('missing or invalid sender node id');
  const problem = validators[t as ClusterMessageType](header);
  if (problem !== undefined) return fail(`${t}: ${problem}`);
  const body = payload.subarray(HEAD + headerLength);
  if (hasBody(t)) (header as { body: Buffer }).body = body;
  else if (body.length > 0) return fail(`${t}: unexpected body`);
  return { ok: true, msg: header as unknown as ClusterMessage };
}

function hasBody(t: string): boolean {
  return t === 'emit' || t === 'req' || t === 'res';
}

function fail(reason: string, kind: DropKind = 'invalid'): DecodeResult {
  return { ok: false, kind, reason };
}

type Fields = Record<string, unknown>;

function isObject(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isOptString = (v: unknown) => v === undefined || isString(v);
const isRid = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const isTimeout = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** Each returns what is wrong, or undefined. */
const validators: Record<ClusterMessageType, (h: Fields) => string | undefined> = {
  hello: (h) => checkLink(h.link),
  hb: (h) => checkLink(h.link),
  bye: () => undefined,
  emit: (h) => {
    if (!isString(h.ns) || !isString(h.room) || !isString(h.ev) || h.ev === '') return 'ns, room and ev must be strings (ev non-empty)';
    if (typeof h.bin !== 'boolean') return 'bin must be a boolean';
    if (h.except !== undefined && !isStrings(h.except)) return 'except must be a list of ids';
    if (!isOptString(h.to)) return 'to must be an id';
    return undefined;
  },
  req: (h) => {
    if (!isRid(h.rid)) return 'rid must be a non-negative integer';
    if (!isString(h.id)) return 'id must be a string';
    return checkAction(h.action);
  },
  res: (h) => {
    if (!isRid(h.rid)) return 'rid must be a non-negative integer';
    const r = h.reply;
    if (r === undefined) return undefined;
    if (!isObject(r) || !isString(r.ns) || !isString(r.room) || !isString(r.ev) || typeof r.bin !== 'boolean') return 'reply must have ns, room, ev and bin';
    return undefined;
  },
  fail: (h) => (isRid(h.rid) ? checkError(h.err) : 'rid must be a non-negative integer'),
  absent: (h) => (isRid(h.rid) ? undefined : 'rid must be a non-negative integer'),
  q: (h) => {
    if (!isRid(h.rid)) return 'rid must be a non-negative integer';
    const q = h.query;
    if (!isObject(q)) return 'query must be an object';
    switch (q.kind) {
      case 'count':
      case 'connections':
        return undefined;
      case 'rooms':
        return isString(q.namespace) ? undefined : 'rooms query needs a namespace';
      case 'members':
        return isString(q.namespace) && isString(q.room) ? undefined : 'members query needs a namespace and a room';
      default:
        return `unknown query kind ${JSON.stringify(q.kind)}`;
    }
  },
  qa: (h) => {
    if (!isRid(h.rid)) return 'rid must be a non-negative integer';
    const a = h.answer;
    return (Number.isSafeInteger(a) && (a as number) >= 0) || isStrings(a) ? undefined : 'answer must be a count or a list of names';
  },
};

const LINK_KEY = /^[A-Za-z0-9_-]{16,86}$/;

function checkLink(l: unknown): string | undefined {
  if (l === undefined) return undefined;
  if (!isObject(l) || !isString(l.at) || !isString(l.key)) return 'link must have an address and a key';
  if (parseLinkAddress(l.at) === undefined) return `link address ${JSON.stringify(l.at.slice(0, 80))} is not host:port`;
  return LINK_KEY.test(l.key) ? undefined : 'link key must be base64url';
}

function checkAction(a: unknown): string | undefined {
  if (!isObject(a)) return 'action must be an object';
  switch (a.kind) {
    case 'ask':
      if (!isString(a.namespace) || !isString(a.room) || !isString(a.event) || typeof a.binary !== 'boolean') return 'ask needs namespace, room, event and binary';
      return isTimeout(a.timeout) ? undefined : 'ask needs a positive timeout';
    case 'join':
    case 'leave':
      if (!isString(a.namespace) || !isString(a.room)) return `${a.kind} needs namespace and room`;
      return isTimeout(a.timeout) ? undefined : `${a.kind} needs a positive timeout`;
    case 'disconnect':
      if (!isString(a.namespace)) return 'disconnect needs a namespace';
      return isTimeout(a.timeout) ? undefined : 'disconnect needs a positive timeout';
    case 'close':
      // Conn.close throws on a code no close frame carries (1005, 1006…): refuse it here, not in the handler.
      if (a.code !== undefined && !isSendableCloseCode(a.code)) return 'close code must be one a close frame can carry (1000-1014 but 1004-1006, or 3000-4999)';
      return isOptString(a.reason) ? undefined : 'close reason must be a string';
    default:
      return `unknown action ${JSON.stringify(a.kind)}`;
  }
}

function checkError(e: unknown): string | undefined {
  if (!isObject(e) || !isString(e.name) || !isString(e.message)) return 'err must have a name and a message';
  const err = e as Partial<Record<keyof WireError, unknown>>;
  if (!isOptString(err.event) || !isOptString(err.connectionId) || !isOptString(err.namespace) || !isOptString(err.room)) return 'err fields must be strings';
  if (err.timeoutMs !== undefined && typeof err.timeoutMs !== 'number') return 'err.timeoutMs must be a number';
  if ((err.max !== undefined && typeof err.max !== 'number') || (err.bytes !== undefined && typeof err.bytes !== 'number')) return 'err.max and err.bytes must be numbers';
  return undefined;
}
