// Ports neffos message.go:deserializeInput with the Go split rule (docs/protocol.md §2.4): at least six `;`
// separators, and the body is everything after the sixth, `;` included. Works on the received bytes
// directly: no JSON, no regex, the body is a view.
import { unescapeField } from './escape.js';
import { Message } from './message.js';

const SEP = 0x3b; // ';'
const ONE = 0x31; // '1'
const ZERO = 0x30; // '0'
/** Header fields are short: past this many bytes a separator is searched natively (memchr), not byte by byte. */
const SCAN_LIMIT = 64;

/** Buffer's own UTF-8 slicer: what `toString('utf8', start, end)` calls after checking its arguments. */
type Utf8Slicer = Buffer & { utf8Slice(start: number, end: number): string };

function field(frame: Buffer, start: number, end: number): string {
  return start === end ? '' : (frame as Utf8Slicer).utf8Slice(start, end);
}

function flag(frame: Buffer, start: number, end: number): boolean {
  return end - start === 1 && frame[start] === ONE;
}

/**
 * Namespace, room and event names by their bytes: the same few names arrive on every frame, so each is
 * decoded and unescaped once instead of once per frame (no string allocated for a known name).
 * Direct-mapped and bounded: a collision replaces the entry; a long name is not cached.
 */
const NAME_SLOTS = 256;
const NAME_MAX_BYTES = 32;
const nameBytes: Array<Uint8Array | undefined> = new Array<Uint8Array | undefined>(NAME_SLOTS).fill(undefined);
const nameStrings: string[] = new Array<string>(NAME_SLOTS).fill('');

function name(frame: Buffer, start: number, end: number): string {
  const length = end - start;
  if (length === 0) return '';
  if (length > NAME_MAX_BYTES) return unescapeField(field(frame, start, end));
  let hash = length;
  for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + frame[i]!) | 0;
  const slot = hash & (NAME_SLOTS - 1);
  const known = nameBytes[slot];
  if (known !== undefined && known.length === length && sameBytes(known, frame, start)) return nameStrings[slot]!;
  const decoded = unescapeField(field(frame, start, end));
  // An own copy: a view would keep the whole received frame (or a pooled 8 KiB slab) alive.
  nameBytes[slot] = Uint8Array.prototype.slice.call(frame, start, end);
  nameStrings[slot] = decoded;
  return decoded;
}

function sameBytes(known: Uint8Array, frame: Buffer, start: number): boolean {
  for (let i = 0; i < known.length; i++) if (known[i] !== frame[start + i]) return false;
  return true;
}

/** Set by nextSep when a byte it passed may not be ASCII: the header is then not reused for a reply. */
let notAscii = false;

/** The next `;` at or after `from`, or -1. A JS scan for the short header fields: no native call per field. */
function nextSep(frame: Buffer, from: number): number {
  const stop = Math.min(frame.length, from + SCAN_LIMIT);
  for (let i = from; i < stop; i++) {
    const byte = frame[i]!;
    if (byte === SEP) return i;
    if (byte > 0x7f) notAscii = true;
  }
  notAscii = true;
  return stop === frame.length ? -1 : frame.indexOf(SEP, stop);
}

/**
 * Decodes one neffos frame (text or binary; both are parsed the same way). Returns `undefined` for a
 * frame with fewer than six separators: the caller decides whether that is a native message or noise.
 * Never throws.
 */
export function decodeMessage(frame: Buffer, isBinary: boolean): Message | undefined {
  notAscii = false;
  const s1 = nextSep(frame, 0);
  if (s1 < 0) return undefined;
  const s2 = nextSep(frame, s1 + 1);
  if (s2 < 0) return undefined;
  const s3 = nextSep(frame, s2 + 1);
  if (s3 < 0) return undefined;
  const s4 = nextSep(frame, s3 + 1);
  if (s4 < 0) return undefined;
  const s5 = nextSep(frame, s4 + 1);
  if (s5 < 0) return undefined;
  const s6 = nextSep(frame, s5 + 1);
  if (s6 < 0) return undefined;
  // An ASCII header with flags "0;0;" is what a success reply to it starts with, byte for byte.
  const reusable = !notAscii && s5 === s4 + 2 && frame[s4 + 1] === ZERO && s6 === s5 + 2 && frame[s5 + 1] === ZERO;

  return Message.fromWire(
    field(frame, 0, s1),
    name(frame, s1 + 1, s2),
    name(frame, s2 + 1, s3),
    name(frame, s3 + 1, s4),
    flag(frame, s4 + 1, s5),
    flag(frame, s5 + 1, s6),
    frame.subarray(s6 + 1),
    isBinary,
    frame,
    reusable ? s6 + 1 : 0,
  );
}
