// A compact envelope for the messages of a cross-node ask, the one cluster call whose latency users
// feel: the request, its answer and "not here". Fixed binary fields instead of a JSON header, so a
// node neither stringifies nor parses JSON on that path. Every other message keeps the JSON envelope
// of cluster-message.codec.ts, which dispatches here on the magic. Layout (big-endian):
//
//   "NFXC" | type u8 | rid u48 | n | …fields by type… | body (the rest)
//   req (ask):   id, namespace, room, event (each u16 length + UTF-8), flags u8 (1 = binary), timeout f64
//   res:         ns, room, ev, flags u8 (1 = binary)       (a reply)
//   res (none):  nothing                                   (an action without a reply)
//   absent:      nothing; no body
//
// Like the JSON envelope it comes from outside the process: every length is checked against the
// payload and every field as the JSON validators do, and a bad payload decodes to a reason.
import type { ClusterMessage } from './cluster-message.js';

export const CALL_MAGIC = Buffer.from('NFXC', 'latin1');

const REQ_ASK = 1;
const RES_REPLY = 2;
const RES_NONE = 3;
const ABSENT = 4;
const FIXED = 4 + 1 + 6;
const MAX_RID = 2 ** 48 - 1;
const MAX_FIELD = 0xffff;
const BINARY = 1;

type Req = Extract<ClusterMessage, { t: 'req' }>;
type Res = Extract<ClusterMessage, { t: 'res' }>;

/** The messages this envelope carries, as the cluster exchange builds them (a body may be a string). */
export type CallMessage =
  | (Omit<Req, 'body'> & { body: Buffer | string })
  | (Omit<Res, 'body'> & { body: Buffer | string })
  | Extract<ClusterMessage, { t: 'absent' }>;

/**
 * The compact encoding of `msg`, or undefined when it does not fit (not an ask, a field over 64 KiB, a
 * huge rid). `headroom` bytes are left free in front (a link frame's length prefix goes there, so the
 * frame leaves in one write); the message itself starts after them.
 */
export function encodeCallMessage(msg: CallMessage, headroom = 0): Buffer | undefined {
  if (!(Number.isSafeInteger(msg.rid) && msg.rid >= 0 && msg.rid <= MAX_RID)) return undefined;
  let type: number;
  let fields: string[];
  let flags = -1;
  let timeout = -1;
  let body: Buffer | string = '';
  if (msg.t === 'req') {
    const a = msg.action;
    if (a.kind !== 'ask') return undefined;
    type = REQ_ASK;
    fields = [msg.n, msg.id, a.namespace, a.room, a.event];
    flags = a.binary ? BINARY : 0;
    timeout = a.timeout;
    body = msg.body;
  } else if (msg.t === 'res') {
    const r = msg.reply;
    type = r === undefined ? RES_NONE : RES_REPLY;
    fields = r === undefined ? [msg.n] : [msg.n, r.ns, r.room, r.ev];
    if (r !== undefined) flags = r.bin ? BINARY : 0;
    body = msg.body;
  } else {
    type = ABSENT;
    fields = [msg.n];
  }
  let size = headroom + FIXED + (flags >= 0 ? 1 : 0) + (timeout >= 0 ? 8 : 0);
  const lengths = fields.map(byteLength);
  for (const length of lengths) {
    if (length > MAX_FIELD) return undefined;
    size += 2 + length;
  }
  const bodyLength = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  const out = Buffer.allocUnsafe(size + bodyLength);
  CALL_MAGIC.copy(out, headroom);
  out[headroom + 4] = type;
  out.writeUIntBE(msg.rid, headroom + 5, 6);
  let at = headroom + FIXED;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    const length = lengths[i]!;
    out[at++] = length >>> 8;
    out[at++] = length & 0xff;
    if (length === field.length) {
      // ASCII (byteLength says so): ids, namespaces and events mostly are; a native call costs more than this loop.
      for (let j = 0; j < length; j++) out[at + j] = field.charCodeAt(j);
      at += length;
    } else {
      at += out.write(field, at, 'utf8');
    }
  }
  if (flags >= 0) out[at++] = flags;
  if (timeout >= 0) at = out.writeDoubleBE(timeout, at);
  if (typeof body === 'string') out.write(body, at, 'utf8');
  else body.copy(out, at);
  return out;
}

/** UTF-8 length; short ASCII strings without a native call. */
function byteLength(s: string): number {
  if (s.length > 64) return Buffer.byteLength(s);
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s);
  return s.length;
}

export type CallDecodeResult = { ok: true; msg: ClusterMessage } | { ok: false; reason: string };

/** Decodes a payload that starts with CALL_MAGIC. */
export function decodeCallMessage(payload: Buffer, validNode: (n: string) => boolean): CallDecodeResult {
  if (payload.length < FIXED) return fail('truncated header');
  const type = payload[4]!;
  const rid = payload.readUIntBE(5, 6);
  const reader = new FieldReader(payload, FIXED);
  // The cached sender id passed this same check when it was cached; a failing one is never kept.
  const n = reader.string(SLOT_NODE);
  if (n === undefined) return fail('missing or invalid sender node id');
  if (!(reader.cached && validNode === validatedBy)) {
    if (!validNode(n)) {
      forget(SLOT_NODE);
      return fail('missing or invalid sender node id');
    }
    validatedBy = validNode;
  }
  switch (type) {
    case REQ_ASK: {
      const id = reader.string();
      const namespace = reader.string(SLOT_NAMESPACE);
      const room = reader.string(SLOT_ROOM);
      const event = reader.string(SLOT_EVENT);
      const flags = reader.byte();
      const timeout = reader.double();
      if (id === undefined || namespace === undefined || room === undefined || event === undefined || flags === undefined || timeout === undefined) return fail('req: truncated fields');
      if (!(Number.isFinite(timeout) && timeout > 0)) return fail('req: ask needs a positive timeout');
      const action = { kind: 'ask', namespace, room, event, binary: (flags & BINARY) !== 0, timeout } as const;
      return { ok: true, msg: { t: 'req', n, rid, id, action, body: payload.subarray(reader.at) } };
    }
    case RES_REPLY: {
      const ns = reader.string(SLOT_NAMESPACE);
      const room = reader.string(SLOT_ROOM);
      const ev = reader.string(SLOT_EVENT);
      const flags = reader.byte();
      if (ns === undefined || room === undefined || ev === undefined || flags === undefined) return fail('res: truncated fields');
      return { ok: true, msg: { t: 'res', n, rid, reply: { ns, room, ev, bin: (flags & BINARY) !== 0 }, body: payload.subarray(reader.at) } };
    }
    case RES_NONE:
      return { ok: true, msg: { t: 'res', n, rid, body: payload.subarray(reader.at) } };
    case ABSENT:
      if (reader.at !== payload.length) return fail('absent: unexpected body');
      return { ok: true, msg: { t: 'absent', n, rid } };
    default:
      return fail(`unknown compact message type ${type}`);
  }
}

function fail(reason: string): CallDecodeResult {
  return { ok: false, reason };
}

/**
 * The last string decoded in each of a few fields (sender, namespace, room, event) with its bytes.
 * Those repeat from one message to the next, and comparing a few bytes costs less than a native UTF-8
 * decode; the sender's id is also validated only when it is not the cached one.
 */
const SLOT_NODE = 0;
const SLOT_NAMESPACE = 1;
const SLOT_ROOM = 2;
const SLOT_EVENT = 3;
const MAX_CACHED = 64;
/** Longer than any cached field, so it matches none (an empty field included). */
const NOTHING = Buffer.alloc(MAX_CACHED + 1);
const recentBytes: Buffer[] = [NOTHING, NOTHING, NOTHING, NOTHING];
const recentText: string[] = ['', '', '', ''];
/** The check the cached sender id passed. */
let validatedBy: ((n: string) => boolean) | undefined;

function forget(slot: number): void {
  recentBytes[slot] = NOTHING;
  recentText[slot] = '';
}

/** Reads length-prefixed fields; `undefined` once the payload is too short. */
class FieldReader {
  /** Whether the last `string(slot)` came from the cache. */
  cached = false;

  constructor(
    private readonly payload: Buffer,
    public at: number,
  ) {}

  string(slot = -1): string | undefined {
    const payload = this.payload;
    if (this.at + 2 > payload.length) return undefined;
    const length = (payload[this.at]! << 8) | payload[this.at + 1]!;
    const start = this.at + 2;
    const end = start + length;
    if (end > payload.length) return undefined;
    this.at = end;
    this.cached = false;
    if (slot < 0 || length > MAX_CACHED) return payload.toString('utf8', start, end);
    const bytes = recentBytes[slot]!;
    if (bytes.length === length) {
      let i = 0;
      while (i < length && bytes[i] === payload[start + i]) i++;
      if (i === length) {
        this.cached = true;
        return recentText[slot];
      }
    }
    const text = payload.toString('utf8', start, end);
    // A copy: the payload's memory is not ours to keep.
    recentBytes[slot] = Buffer.from(payload.subarray(start, end));
    recentText[slot] = text;
    return text;
  }

  byte(): number | undefined {
    if (this.at + 1 > this.payload.length) return undefined;
    return this.payload[this.at++];
  }

  double(): number | undefined {
    if (this.at + 8 > this.payload.length) return undefined;
    const value = this.payload.readDoubleBE(this.at);
    this.at += 8;
    return value;
  }
}
