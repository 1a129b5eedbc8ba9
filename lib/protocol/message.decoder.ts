// Ports neffos message.go:deserializeInput with the Go split rule (docs/protocol.md §2.4): at least six `;`
// separators, and the body is everything after the sixth, `;` included. Works on the received bytes
// directly: no JSON, no regex, the body is a view.
import { unescapeField } from './escape.js';
import { Message } from './message.js';

const SEP = 0x3b; // ';'
const ONE = 0x31; // '1'

function field(frame: Buffer, start: number, end: number): string {
  return start === end ? '' : frame.toString('utf8', start, end);
}

function flag(frame: Buffer, start: number, end: number): boolean {
  return end - start === 1 && frame[start] === ONE;
}

/**
 * Decodes one neffos frame (text or binary; both are parsed the same way). Returns `undefined` for a
 * frame with fewer than six separators: the caller decides whether that is a native message or noise.
 * Never throws.
 */
export function decodeMessage(frame: Buffer, isBinary: boolean): Message | undefined {
  const s1 = frame.indexOf(SEP);
  if (s1 < 0) return undefined;
  const s2 = frame.indexOf(SEP, s1 + 1);
  if (s2 < 0) return undefined;
  const s3 = frame.indexOf(SEP, s2 + 1);
  if (s3 < 0) return undefined;
  const s4 = frame.indexOf(SEP, s3 + 1);
  if (s4 < 0) return undefined;
  const s5 = frame.indexOf(SEP, s4 + 1);
  if (s5 < 0) return undefined;
  const s6 = frame.indexOf(SEP, s5 + 1);
  if (s6 < 0) return undefined;

  return Message.fromWire(
    field(frame, 0, s1),
    unescapeField(field(frame, s1 + 1, s2)),
    unescapeField(field(frame, s2 + 1, s3)),
    unescapeField(field(frame, s3 + 1, s4)),
    flag(frame, s4 + 1, s5),
    flag(frame, s5 + 1, s6),
    frame.subarray(s6 + 1),
    isBinary,
  );
}
