import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeField, unescapeField } from './escape.js';
import { decodeMessage } from './message.decoder.js';
import { encodeEmptyReply, encodeFrame, type FrameFields } from './message.encoder.js';

const NUM_RUNS = 500;
const SEP = 0x3b;

/**
 * Namespace/room/event round-trip exactly unless they contain `@%!`. The protocol's lossy corner (docs/protocol.md §2.3) is a
 * literal `@%!semicolon@%!`, but a field like `@%!semicolon;` is lossy too: escaping gives
 * `@%!semicolon@%!semicolon@%!`, whose leftmost marker straddles the inserted one (see escape.spec.ts).
 * Without `@%!` in the field, no marker can start anywhere but at an inserted one.
 */
const noMarkerStart = (s: string): boolean => !s.includes('@%!');

/** Full-range well-formed Unicode (no lone surrogates), with `;` and marker pieces mixed in often. */
const escapedField = fc
  .oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
    {
      weight: 2,
      arbitrary: fc
        .array(fc.constantFrom(';', '@%', '%!', '@', '%', '!', 'semicolon', 'a', 'ü', '😀'), { maxLength: 10 })
        .map((parts) => parts.join('')),
    },
  )
  .filter(noMarkerStart);

/** Wait tokens never contain `;` (docs/protocol.md §2.3, §4.1); otherwise opaque. */
const token = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 24 }),
    fc.constantFrom('', '$1', '1795375266447183880', '$523871.23450000003', '#1', 'neffos(0x1)'),
  )
  .filter((s) => !s.includes(';'));

const bodyBytes = fc
  .oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.array(fc.constantFrom(0x00, SEP, 0x31, 0x30, 0xff, 0x80), { maxLength: 16 }).map((a) => Uint8Array.from(a)),
  )
  .map((u8) => Buffer.from(u8));

const frameFields = fc.record({
  token,
  namespace: escapedField,
  room: escapedField,
  event: escapedField,
  isError: fc.boolean(),
  isNoOp: fc.boolean(),
  body: bodyBytes,
});

/** Arbitrary bytes, biased towards separators so that many inputs have six or more. */
const arbitraryBytes = fc
  .oneof(
    fc.uint8Array({ maxLength: 96 }),
    fc.array(fc.oneof(fc.constant(SEP), fc.constant(SEP), fc.constant(0x31), fc.integer({ min: 0, max: 255 })), {
      maxLength: 48,
    }),
  )
  .map((a) => Buffer.from(Uint8Array.from(a)));

const arbitraryStringFrame = fc
  .oneof(
    fc.string({ unit: 'binary', maxLength: 64 }),
    fc.string({ unit: 'grapheme', maxLength: 32 }),
    fc.array(fc.constantFrom(';', '1', '0', '@%!semicolon@%!', '$', 'M', 'ü', '😀', '\u0000'), { maxLength: 20 }).map(
      (p) => p.join(''),
    ),
  )
  .map((s) => Buffer.from(s, 'utf8'));

function separatorPositions(b: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) if (b[i] === SEP) out.push(i);
  return out;
}

describe('codec properties (fast-check)', () => {
  it('decode(encode(x)) == x for arbitrary fields, Buffer body, both frame types', () => {
    fc.assert(
      fc.property(frameFields, fc.boolean(), (x: FrameFields & { body: Buffer }, isBinary) => {
        const msg = decodeMessage(encodeFrame(x), isBinary);
        expect(msg).toBeDefined();
        expect(msg!.token).toBe(x.token);
        expect(msg!.namespace).toBe(x.namespace);
        expect(msg!.room).toBe(x.room);
        expect(msg!.event).toBe(x.event);
        expect(msg!.isError).toBe(x.isError);
        expect(msg!.isNoOp).toBe(x.isNoOp);
        expect(msg!.body.equals(x.body)).toBe(true);
        expect(msg!.isBinary).toBe(isBinary);
        expect(msg!.isNative).toBe(false);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('decode(encode(x)) == x with a string body (written as UTF-8)', () => {
    fc.assert(
      fc.property(frameFields, fc.string({ unit: 'binary', maxLength: 48 }), (x, body) => {
        const msg = decodeMessage(encodeFrame({ ...x, body }), false)!;
        expect(msg.text()).toBe(body);
        expect(msg.body.equals(Buffer.from(body, 'utf8'))).toBe(true);
        expect([msg.token, msg.namespace, msg.room, msg.event]).toEqual([x.token, x.namespace, x.room, x.event]);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('encode(decode(encode(x))) == encode(x) byte for byte', () => {
    fc.assert(
      fc.property(frameFields, (x) => {
        const bytes = encodeFrame(x);
        expect(encodeFrame(decodeMessage(bytes, true)!).equals(bytes)).toBe(true);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('string and Buffer bodies encode to the same bytes', () => {
    fc.assert(
      fc.property(frameFields, fc.string({ unit: 'binary', maxLength: 48 }), (x, body) => {
        expect(encodeFrame({ ...x, body }).equals(encodeFrame({ ...x, body: Buffer.from(body, 'utf8') }))).toBe(true);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('the encoded header has exactly six separators; the rest is the body verbatim', () => {
    fc.assert(
      fc.property(frameFields, (x) => {
        const bytes = encodeFrame(x);
        const seps = separatorPositions(bytes);
        expect(seps.length).toBeGreaterThanOrEqual(6);
        expect(bytes.subarray(seps[5]! + 1).equals(x.body)).toBe(true);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('the empty reply decodes to its token with every other field empty', () => {
    fc.assert(
      fc.property(token, (t) => {
        const msg = decodeMessage(Buffer.from(encodeEmptyReply(t), 'utf8'), false)!;
        expect(msg.token).toBe(t);
        expect([msg.namespace, msg.room, msg.event, msg.isError, msg.isNoOp, msg.body.length]).toEqual([
          '',
          '',
          '',
          false,
          false,
          0,
        ]);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('unescape(escape(s)) == s for fields without "@%!", and escape(s) has no ;', () => {
    fc.assert(
      fc.property(escapedField, (s) => {
        expect(escapeField(s).includes(';')).toBe(false);
        expect(unescapeField(escapeField(s))).toBe(s);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  describe('decode on arbitrary input', () => {
    it('never throws on arbitrary bytes, for both isBinary values', () => {
      fc.assert(
        fc.property(arbitraryBytes, fc.boolean(), (b, isBinary) => {
          expect(() => decodeMessage(b, isBinary)).not.toThrow();
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('never throws on arbitrary strings (as UTF-8 Buffers), for both isBinary values', () => {
      fc.assert(
        fc.property(arbitraryStringFrame, fc.boolean(), (b, isBinary) => {
          expect(() => decodeMessage(b, isBinary)).not.toThrow();
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('follows the Go split rule on arbitrary bytes: undefined iff fewer than six separators', () => {
      fc.assert(
        fc.property(arbitraryBytes, fc.boolean(), (b, isBinary) => {
          const seps = separatorPositions(b);
          const msg = decodeMessage(b, isBinary);
          if (seps.length < 6) {
            expect(msg).toBeUndefined();
            return;
          }
          expect(msg).toBeDefined();
          const [s1, s2, s3, s4, s5, s6] = seps as [number, number, number, number, number, number];
          const isOne = (a: number, z: number) => z - a === 1 && b[a] === 0x31;
          expect(msg!.token).toBe(b.toString('utf8', 0, s1));
          expect(msg!.isError).toBe(isOne(s4 + 1, s5));
          expect(msg!.isNoOp).toBe(isOne(s5 + 1, s6));
          expect(msg!.isBinary).toBe(isBinary);
          // the body is every byte after the sixth separator, as a view of the input
          expect(msg!.body.equals(b.subarray(s6 + 1))).toBe(true);
          expect(msg!.body.buffer).toBe(b.buffer);
          expect(msg!.body.byteOffset).toBe(b.byteOffset + s6 + 1);
          // namespace, room and event are the unescaped UTF-8 text between their separators
          expect(msg!.namespace).toBe(unescapeField(b.toString('utf8', s1 + 1, s2)));
          expect(msg!.room).toBe(unescapeField(b.toString('utf8', s2 + 1, s3)));
          expect(msg!.event).toBe(unescapeField(b.toString('utf8', s3 + 1, s4)));
          expect(msg!.token.includes(';')).toBe(false);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('the same bytes parse identically as text and as binary', () => {
      fc.assert(
        fc.property(arbitraryStringFrame, (b) => {
          const t = decodeMessage(b, false);
          const bin = decodeMessage(b, true);
          expect(t === undefined).toBe(bin === undefined);
          if (t && bin) {
            expect([bin.token, bin.namespace, bin.room, bin.event, bin.isError, bin.isNoOp]).toEqual([
              t.token,
              t.namespace,
              t.room,
              t.event,
              t.isError,
              t.isNoOp,
            ]);
            expect(bin.body.equals(t.body)).toBe(true);
          }
        }),
        { numRuns: NUM_RUNS },
      );
    });
  });
});
