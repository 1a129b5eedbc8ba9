import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frameBytes, wireFrames, type WireFrameFixture } from './fixtures/wire-frames.js';
import { decodeMessage } from './message.decoder.js';
import { encodeEmptyReply, encodeFields, encodeFrame, encodeReply, type FrameFields } from './message.encoder.js';
import { Message } from './message.js';

const buf = (s: string): Buffer => Buffer.from(s, 'utf8');

function fields(over: Partial<FrameFields> = {}): FrameFields {
  return { token: '', namespace: 'default', room: '', event: 'chat', isError: false, isNoOp: false, body: '', ...over };
}

const frames = wireFrames.filter((f) => f.reencode === 'frame');
const emptyReplies = wireFrames.filter((f) => f.reencode === 'emptyReply');

describe('encode(decode(frame)) reproduces captured frames byte for byte', () => {
  it.each(frames.map((f) => [`${f.direction} ${f.name} (${f.source})`, f] as const))(
    'encodeFrame: %s',
    (_name, f: WireFrameFixture) => {
      const bytes = frameBytes(f);
      const msg = decodeMessage(bytes, f.binary)!;
      expect(msg).toBeDefined();
      const out = encodeFrame(msg);
      expect(out.toString('hex')).toBe(bytes.toString('hex'));
    },
  );

  it.each(frames.map((f) => [f.name, f] as const))(
    'encodeFrame from the expected fields, body as string and as Buffer: %s',
    (_name, f: WireFrameFixture) => {
      const bytes = frameBytes(f);
      expect(encodeFrame({ ...f.expected }).equals(bytes)).toBe(true);
      expect(encodeFrame({ ...f.expected, body: buf(f.expected.body) }).equals(bytes)).toBe(true);
    },
  );

  it.each(emptyReplies.map((f) => [`${f.direction} ${f.name} (${f.source})`, f] as const))(
    'encodeEmptyReply: %s',
    (_name, f: WireFrameFixture) => {
      const bytes = frameBytes(f);
      const msg = decodeMessage(bytes, f.binary)!;
      expect(encodeEmptyReply(msg.token)).toBe(f.frame);
      expect(buf(encodeEmptyReply(msg.token)).equals(bytes)).toBe(true);
    },
  );

  it.each(emptyReplies.map((f) => [f.name, f] as const))(
    'encodeFrame does NOT reproduce an empty reply (it writes the flags as 0/0): %s',
    (_name, f: WireFrameFixture) => {
      const msg = decodeMessage(frameBytes(f), f.binary)!;
      expect(encodeFrame(msg).toString()).toBe(`${msg.token};;;;0;0;`);
      // ...which is a different frame that still decodes to the same fields
      const again = decodeMessage(encodeFrame(msg), false)!;
      expect({ ...again, body: again.text() }).toEqual({ ...msg, body: msg.text(), isBinary: false });
    },
  );
});

describe('encodeFrame', () => {
  it('writes the docs/protocol.md §2.1 examples (Go TestMessageSerialization)', () => {
    expect(encodeFrame(fields({ body: 'text' })).toString()).toBe(';default;;chat;0;0;text');
    expect(encodeFrame(fields({ room: 'room1', body: 'text' })).toString()).toBe(';default;room1;chat;0;0;text');
    expect(encodeFrame(fields({ isError: true, body: 'error message' })).toString()).toBe(
      ';default;;chat;1;0;error message',
    );
    expect(encodeFrame(fields({ body: 'a body with many ; delimeters; like that;' })).toString()).toBe(
      ';default;;chat;0;0;a body with many ; delimeters; like that;',
    );
    expect(encodeFrame(fields({ token: '1', isNoOp: true, body: 'body' })).toString()).toBe(
      '1;default;;chat;0;1;body',
    );
    expect(
      encodeFrame(fields({ token: '0', room: 'room1', event: '_OnNamespaceConnect' })).toString(),
    ).toBe('0;default;room1;_OnNamespaceConnect;0;0;');
  });

  it('always writes the flags as 0/1', () => {
    const flagsOf = (isError: boolean, isNoOp: boolean) =>
      encodeFrame(fields({ isError, isNoOp })).toString().split(';').slice(4, 6).join(';');
    expect(flagsOf(false, false)).toBe('0;0');
    expect(flagsOf(true, false)).toBe('1;0');
    expect(flagsOf(false, true)).toBe('0;1');
    expect(flagsOf(true, true)).toBe('1;1');
  });

  it('escapes ; in namespace, room and event (docs/protocol.md §2.3 lab example)', () => {
    const out = encodeFrame({
      token: '$17',
      namespace: 'semi;ns',
      room: '',
      event: 'x;y',
      isError: false,
      isNoOp: false,
      body: 'b;ody',
    });
    expect(out.toString()).toBe('$17;semi@%!semicolon@%!ns;;x@%!semicolon@%!y;0;0;b;ody');
  });

  it('escapes every ; including leading, trailing and adjacent ones', () => {
    const out = encodeFrame(fields({ namespace: ';a;;b;', room: ';', event: ';;' })).toString();
    const M = '@%!semicolon@%!';
    expect(out).toBe(`;${M}a${M}${M}b${M};${M};${M}${M};0;0;`);
  });

  it('escapes neither the token nor the body nor an error text', () => {
    expect(encodeFrame(fields({ token: 'tok', body: 'a;b' })).toString()).toBe('tok;default;;chat;0;0;a;b');
    expect(encodeFrame(fields({ isError: true, body: 'bad;thing' })).toString()).toBe(
      ';default;;chat;1;0;bad;thing',
    );
  });

  it('copies a Buffer body verbatim, NUL and invalid UTF-8 included', () => {
    const body = Buffer.from([0x00, 0xff, 0x3b, 0xfe, 0xc3, 0x28, 0x00]);
    const out = encodeFrame(fields({ token: '$8', event: 'binary', body }));
    const head = buf('$8;default;;binary;0;0;');
    expect(out.equals(Buffer.concat([head, body]))).toBe(true);
  });

  it('does not alias the Buffer body (the output is a fresh buffer)', () => {
    const body = buf('payload');
    const out = encodeFrame(fields({ body }));
    body.fill(0x78);
    expect(out.toString()).toBe(';default;;chat;0;0;payload');
  });

  it('writes a string body as UTF-8', () => {
    const out = encodeFrame(fields({ body: 'héllo 😀' }));
    expect(out.equals(buf(';default;;chat;0;0;héllo 😀'))).toBe(true);
  });

  it('string and Buffer bodies give identical bytes, also with unicode headers', () => {
    const f = fields({ token: '$1', namespace: '名前;空間', room: 'комната', event: '👋', body: 'тело;😀' });
    expect(encodeFrame(f).equals(encodeFrame({ ...f, body: buf(f.body as string) }))).toBe(true);
  });

  it('encodes a body that is a view into a larger buffer (only the view)', () => {
    const backing = buf('xxxxPAYLOADyyyy');
    const out = encodeFrame(fields({ body: backing.subarray(4, 11) }));
    expect(out.toString()).toBe(';default;;chat;0;0;PAYLOAD');
  });

  it('handles an all-empty frame', () => {
    expect(
      encodeFrame({ token: '', namespace: '', room: '', event: '', isError: false, isNoOp: false, body: '' }).toString(),
    ).toBe(';;;;0;0;');
    expect(
      encodeFrame({
        token: '',
        namespace: '',
        room: '',
        event: '',
        isError: false,
        isNoOp: false,
        body: Buffer.alloc(0),
      }).toString(),
    ).toBe(';;;;0;0;');
  });
});

describe('encodeEmptyReply (docs/protocol.md §2.2)', () => {
  it('is the token followed by six separators', () => {
    expect(encodeEmptyReply('$1')).toBe('$1;;;;;;');
    expect(encodeEmptyReply('1795371920920468038')).toBe('1795371920920468038;;;;;;');
    expect(encodeEmptyReply('$523871.23450000003')).toBe('$523871.23450000003;;;;;;');
  });

  it('decodes back to the token with every other field empty and both flags false', () => {
    const msg = decodeMessage(buf(encodeEmptyReply('$99')), false)!;
    expect(msg.token).toBe('$99');
    expect([msg.namespace, msg.room, msg.event, msg.text()]).toEqual(['', '', '', '']);
    expect(msg.isError).toBe(false);
    expect(msg.isNoOp).toBe(false);
  });

  it('keeps a unicode token byte-exact', () => {
    expect(buf(encodeEmptyReply('$tök😀')).equals(buf('$tök😀;;;;;;'))).toBe(true);
  });
});

describe('encodeReply: the success reply to a received message', () => {
  const expected = (msg: ReturnType<typeof decodeMessage> & object, body: Buffer | string): Buffer =>
    encodeFields(msg.token, msg.namespace, msg.room, msg.event, false, msg.isNoOp, body);

  it.each([
    '$1;default;;echo;0;0;hello',
    '$12;chat;lobby;say;0;0;',
    '$3;a@%!semicolon@%!b;r;ev;0;0;x', // escaped name: the raw bytes are what encoding gives back
    '$4;ns;;ev;1;0;was an error', // flags other than 0;0; are encoded, not copied
    '$5;ns;;ev;0;1;noop',
    '$6;ns;;ev;;;empty flags',
    '$7;ns;;ev;00;0;long flag',
    '$8;nś;;évent;0;0;unicode',
    '7;ns;;ev;0;0;server token',
  ])('is byte for byte what encoding its fields gives: %s', (frame) => {
    for (const body of ['reply', Buffer.from([0, 0x3b, 0xff]), '', 'ünï']) {
      const msg = decodeMessage(buf(frame), false)!;
      expect(encodeReply(msg, body).equals(expected(msg, body))).toBe(true);
    }
  });

  it('a field changed after decoding is encoded, not copied from the received header', () => {
    const changes: Array<(m: Message) => void> = [
      (m) => (m.token = '$99'),
      (m) => (m.namespace = 'other'),
      (m) => (m.room = 'r'),
      (m) => (m.event = 'renamed'),
      (m) => (m.isNoOp = true),
    ];
    for (const change of changes) {
      const msg = decodeMessage(buf('$1;default;;echo;0;0;hello'), false)!;
      change(msg);
      expect(encodeReply(msg, 'b').toString()).toBe(expected(msg, 'b').toString());
    }
  });

  it('a message built in code (not received) is encoded from its fields', () => {
    const msg = new Message({ token: '$2', namespace: 'ns', event: 'ev' });
    expect(encodeReply(msg, 'b').toString()).toBe('$2;ns;;ev;0;0;b');
  });

  it('the reply is a new buffer: the received frame is not written to', () => {
    const frame = buf('$1;default;;echo;0;0;hello');
    const before = Buffer.from(frame);
    const reply = encodeReply(decodeMessage(frame, false)!, 'a much longer body than before');
    expect(frame.equals(before)).toBe(true);
    expect(reply.toString()).toBe('$1;default;;echo;0;0;a much longer body than before');
  });
});

describe('encodeReply equals encoding the decoded fields, for any received frame (property)', () => {
  const part = fc.oneof(fc.string({ unit: 'grapheme-ascii' }), fc.string({ unit: 'grapheme' }), fc.constantFrom('@%!semicolon@%!', 'a@%!semicolon@%!semicolon@%!', '@%!')).map((s) => s.replaceAll(';', ''));
  const flagText = fc.constantFrom('0', '1', '', '00', 'x');

  it('holds over 500 random frames and bodies', () => {
    fc.assert(
      fc.property(part, part, part, part, flagText, flagText, fc.oneof(fc.string(), fc.uint8Array().map((u) => Buffer.from(u))), (token, ns, room, event, e, n, body) => {
        const msg = decodeMessage(buf(`${token};${ns};${room};${event};${e};${n};tail`), false)!;
        const want = encodeFields(msg.token, msg.namespace, msg.room, msg.event, false, msg.isNoOp, body);
        return encodeReply(msg, body).equals(want);
      }),
      { numRuns: 500 },
    );
  });
});
