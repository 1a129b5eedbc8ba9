import { describe, expect, it } from 'vitest';
import { frameBytes, wireFrames, type WireFrameFixture } from './fixtures/wire-frames.js';
import { decodeMessage } from './message.decoder.js';
import { encodeFrame } from './message.encoder.js';
import type { Message } from './message.js';

const buf = (s: string): Buffer => Buffer.from(s, 'utf8');

function decodeOk(frame: Buffer | string, isBinary = false): Message {
  const msg = decodeMessage(typeof frame === 'string' ? buf(frame) : frame, isBinary);
  expect(msg, `expected ${JSON.stringify(frame.toString())} to decode`).toBeDefined();
  return msg!;
}

function fieldsOf(msg: Message) {
  return {
    token: msg.token,
    namespace: msg.namespace,
    room: msg.room,
    event: msg.event,
    isError: msg.isError,
    isNoOp: msg.isNoOp,
  };
}

describe('decodeMessage: captured wire frames', () => {
  it('has a sizeable fixture set covering both directions and frame types', () => {
    expect(wireFrames.length).toBeGreaterThanOrEqual(20);
    expect(wireFrames.some((f) => f.direction === 'C->S')).toBe(true);
    expect(wireFrames.some((f) => f.direction === 'S->C')).toBe(true);
    expect(wireFrames.filter((f) => f.binary).length).toBeGreaterThanOrEqual(2);
    expect(wireFrames.some((f) => f.reencode === 'emptyReply')).toBe(true);
    expect(new Set(wireFrames.map((f) => `${f.source} ${f.name}`)).size).toBe(wireFrames.length);
  });

  it.each(wireFrames.filter((f) => f.hex !== undefined).map((f) => [f.name, f] as const))(
    'binary fixture hex matches its text form: %s',
    (_name, f: WireFrameFixture) => {
      expect(Buffer.from(f.hex!, 'hex').equals(buf(f.frame))).toBe(true);
    },
  );

  it.each(wireFrames.map((f) => [`${f.direction} ${f.name} (${f.source})`, f] as const))(
    'decodes %s',
    (_name, f: WireFrameFixture) => {
      const bytes = frameBytes(f);
      const msg = decodeOk(bytes, f.binary);
      const { body, ...expectedHeader } = f.expected;
      expect(fieldsOf(msg)).toEqual(expectedHeader);
      expect(msg.body.equals(buf(body))).toBe(true);
      expect(msg.isBinary).toBe(f.binary);
      expect(msg.isNative).toBe(false);
    },
  );

  it('keeps NUL bytes in a binary body', () => {
    const f = wireFrames.find((x) => x.binary && x.direction === 'C->S')!;
    const msg = decodeOk(frameBytes(f), true);
    expect([...msg.body]).toEqual([0x62, 0x69, 0x6e, 0x00, 0x3b, 0x62, 0x6f, 0x64, 0x79]);
  });

  it('parses text and binary frames the same way, only isBinary differs', () => {
    for (const f of wireFrames) {
      const asText = decodeOk(frameBytes(f), false);
      const asBinary = decodeOk(frameBytes(f), true);
      expect(fieldsOf(asBinary)).toEqual(fieldsOf(asText));
      expect(asBinary.body.equals(asText.body)).toBe(true);
      expect(asText.isBinary).toBe(false);
      expect(asBinary.isBinary).toBe(true);
    }
  });
});

describe('decodeMessage: the Go split rule (docs/protocol.md §2.4)', () => {
  it.each([
    ['empty frame', ''],
    ['ack request', 'M'],
    ['ack', 'Aconn1'],
    ['rejection', 'Hrejected by OnConnect'],
    ['no separator', 'hello world'],
    ['1 separator', 'a;b'],
    ['2 separators', ';;'],
    ['3 separators', ';;;'],
    ['4 separators', ';;;;'],
    ['5 separators', ';;;;;'],
    ['5 separators: valid in neffos.js, invalid in Go', ';default;;ev;0;0'],
    ['5 separators, token and body-like tail', '$1;default;;echo;0;0hello'],
    ['native JSON payload', '{"a":1}'],
  ])('%s => undefined', (_name, frame) => {
    expect(decodeMessage(buf(frame), false)).toBeUndefined();
    expect(decodeMessage(buf(frame), true)).toBeUndefined();
  });

  it('accepts exactly six separators (all fields empty)', () => {
    const msg = decodeOk(';;;;;;');
    expect(fieldsOf(msg)).toEqual({ token: '', namespace: '', room: '', event: '', isError: false, isNoOp: false });
    expect(msg.body.length).toBe(0);
  });

  it('the seventh and later separators belong to the body', () => {
    expect(decodeOk(';;;;;;;').body.toString()).toBe(';');
    expect(decodeOk(';;;;;;;;;;;;').body.toString()).toBe(';;;;;;');
    expect(decodeOk('t;n;r;e;0;0;;a;;b;').body.toString()).toBe(';a;;b;');
  });

  it('a body that looks like a whole frame stays the body', () => {
    const msg = decodeOk('$1;ns;;ev;0;0;$2;other;room;ev2;1;1;inner');
    expect(fieldsOf(msg)).toEqual({
      token: '$1',
      namespace: 'ns',
      room: '',
      event: 'ev',
      isError: false,
      isNoOp: false,
    });
    expect(msg.text()).toBe('$2;other;room;ev2;1;1;inner');
  });

  describe('flags are true only for exactly "1"', () => {
    it.each([
      ['1', true],
      ['0', false],
      ['', false],
      ['true', false],
      ['01', false],
      ['10', false],
      ['11', false],
      [' 1', false],
      ['1 ', false],
      ['2', false],
      ['I', false],
      ['\u0661', false], // ARABIC-INDIC DIGIT ONE
    ])('%j => %s', (flag, expected) => {
      const asError = decodeOk(`$1;ns;;ev;${flag};0;body`);
      expect(asError.isError).toBe(expected);
      expect(asError.isNoOp).toBe(false);
      const asNoOp = decodeOk(`$1;ns;;ev;0;${flag};body`);
      expect(asNoOp.isNoOp).toBe(expected);
      expect(asNoOp.isError).toBe(false);
      // A non-canonical flag never leaks into the neighbouring fields.
      expect(asError.event).toBe('ev');
      expect(asNoOp.text()).toBe('body');
    });

    it('both flags set', () => {
      const msg = decodeOk('$1;ns;;ev;1;1;body');
      expect(msg.isError).toBe(true);
      expect(msg.isNoOp).toBe(true);
    });

    it('the empty reply has empty flags, which read as false', () => {
      const msg = decodeOk('$1;;;;;;');
      expect(msg.isError).toBe(false);
      expect(msg.isNoOp).toBe(false);
    });
  });

  it('does not interpret the token (no unescape, no neffos(0x / "!" handling)', () => {
    expect(decodeOk('a@%!semicolon@%!b;ns;;ev;0;0;').token).toBe('a@%!semicolon@%!b');
    expect(decodeOk('neffos(0xabc(1));ns;;ev;0;0;').token).toBe('neffos(0xabc(1))');
    expect(decodeOk('R!795372103028946731;ns;;ev;0;0;').token).toBe('R!795372103028946731');
    expect(decodeOk('$523871.23450000003;ns;;ev;0;0;').token).toBe('$523871.23450000003');
  });

  it('unescapes namespace, room and event but never the body (docs/protocol.md §2.3)', () => {
    const msg = decodeOk('$1;a@%!semicolon@%!b;r@%!semicolon@%!;@%!semicolon@%!e;0;0;x@%!semicolon@%!y');
    expect(msg.namespace).toBe('a;b');
    expect(msg.room).toBe('r;');
    expect(msg.event).toBe(';e');
    expect(msg.text()).toBe('x@%!semicolon@%!y');
  });

  it('does not unescape an error text either', () => {
    const msg = decodeOk('$1;ns;;ev;1;0;bad@%!semicolon@%!thing');
    expect(msg.error).toBe('bad@%!semicolon@%!thing');
  });

  it('never sets isNative: framed _OnNativeMessage is just an event name at this layer', () => {
    const msg = decodeOk(';;;_OnNativeMessage;0;0;framed-native');
    expect(msg.isNative).toBe(false);
    expect(msg.event).toBe('_OnNativeMessage');
  });
});

describe('decodeMessage: the body is a view of the input', () => {
  it('shares the input memory (no copy)', () => {
    const frame = buf('$2;default;;echo;0;0;hello;world');
    const msg = decodeOk(frame);
    expect(msg.body.buffer).toBe(frame.buffer);
    expect(msg.body.byteOffset).toBe(frame.byteOffset + '$2;default;;echo;0;0;'.length);
    expect(msg.body.length).toBe('hello;world'.length);
    frame[frame.length - 1] = 0x44; // 'D'
    expect(msg.text()).toBe('hello;worlD');
  });

  it('respects the byteOffset of a frame that is itself a slice of a larger buffer', () => {
    const backing = Buffer.from('GARBAGE;;;;;;;$9;ns;r;ev;0;1;payload;tail;GARBAGE', 'utf8');
    const start = 'GARBAGE;;;;;;;'.length;
    const end = backing.length - ';GARBAGE'.length;
    const frame = backing.subarray(start, end);
    const msg = decodeOk(frame, true);
    expect(fieldsOf(msg)).toEqual({ token: '$9', namespace: 'ns', room: 'r', event: 'ev', isError: false, isNoOp: true });
    expect(msg.text()).toBe('payload;tail');
    expect(msg.body.buffer).toBe(backing.buffer);
    expect(msg.body.byteOffset).toBe(backing.byteOffset + start + '$9;ns;r;ev;0;1;'.length);
  });

  it('an empty body is an empty view at the end of the frame', () => {
    const frame = buf('$1;default;;_OnNamespaceConnect;0;0;');
    const msg = decodeOk(frame);
    expect(msg.body.length).toBe(0);
    expect(msg.body.buffer).toBe(frame.buffer);
    expect(msg.body.byteOffset).toBe(frame.byteOffset + frame.length);
  });
});

describe('unicode round-trips byte-exactly (docs/protocol.md §2.4)', () => {
  const cases = [
    { namespace: 'пространство', room: 'комната', event: 'событие', body: 'тело; с ;точкой' },
    { namespace: '名前空間', room: '部屋', event: 'イベント', body: '本文；全角セミコロン' },
    { namespace: 'ns😀', room: '🏠', event: '👋🏽', body: '🇬🇷;🇯🇵' },
    { namespace: 'é', room: 'e\u0301', event: 'ﬁ', body: '\u200b\ufeff\u2028' },
    { namespace: 'a;ü', room: 'β;γ', event: ';😀;', body: '\u0000\u007f\u0080' },
  ];

  it.each(cases)('decodes ns=$namespace room=$room event=$event', (c) => {
    const esc = (s: string) => s.replaceAll(';', '@%!semicolon@%!');
    const frame = buf(`$1;${esc(c.namespace)};${esc(c.room)};${esc(c.event)};0;0;${c.body}`);
    const msg = decodeOk(frame);
    expect(msg.namespace).toBe(c.namespace);
    expect(msg.room).toBe(c.room);
    expect(msg.event).toBe(c.event);
    expect(msg.body.equals(buf(c.body))).toBe(true);
    expect(msg.text()).toBe(c.body);
    // and back, byte for byte
    expect(encodeFrame(msg).equals(frame)).toBe(true);
    expect(encodeFrame({ ...c, token: '$1', isError: false, isNoOp: false }).equals(frame)).toBe(true);
  });

  it('a multi-byte character is never split: 0x3B cannot occur inside a UTF-8 sequence', () => {
    // U+FF1B FULLWIDTH SEMICOLON is EF BC 9B: no 0x3B byte, so it is not a separator.
    const msg = decodeMessage(buf('$1;ns\uff1bx;;ev;0;0;b'), false);
    expect(msg?.namespace).toBe('ns\uff1bx');
    expect(decodeMessage(buf('\uff1b\uff1b\uff1b\uff1b\uff1b\uff1b'), false)).toBeUndefined();
  });

  it('passes arbitrary non-UTF-8 bytes in the body through untouched', () => {
    const body = Buffer.from([0xff, 0xfe, 0x00, 0x3b, 0xc3, 0x28, 0x80]);
    const frame = Buffer.concat([buf(';ns;;bin;0;0;'), body]);
    const msg = decodeOk(frame, true);
    expect(msg.body.equals(body)).toBe(true);
  });
});

describe('decodeMessage: names are decoded once and reused (the name cache)', () => {
  it('a name seen before decodes to the same text, with the token and body of each frame', () => {
    const a = decodeOk('$1;chat;lobby;say;0;0;x');
    const b = decodeOk('$2;chat;lobby;say;0;0;y');
    expect([a.token, a.namespace, a.room, a.event, a.text()]).toEqual(['$1', 'chat', 'lobby', 'say', 'x']);
    expect([b.token, b.namespace, b.room, b.event, b.text()]).toEqual(['$2', 'chat', 'lobby', 'say', 'y']);
  });

  it('never confuses names: 2000 distinct names (colliding slots included) decode exactly, twice over', () => {
    const names = Array.from({ length: 2000 }, (_, i) => `ev${i}${'x'.repeat(i % 7)}`);
    for (let round = 0; round < 2; round++) {
      const wrong = names.filter((n, i) => decodeOk(`$${i};ns${i % 3};${n}r;${n};0;0;`).event !== n || decodeOk(`$${i};ns;${n}r;${n};0;0;`).room !== `${n}r`);
      expect(wrong).toEqual([]);
    }
  });

  it('same length, same bytes but one: a different name', () => {
    expect(decodeOk('$1;ns;;abcd;0;0;').event).toBe('abcd');
    expect(decodeOk('$1;ns;;abce;0;0;').event).toBe('abce');
    expect(decodeOk('$1;ns;;abcd;0;0;').event).toBe('abcd');
  });

  it('cached names stay unescaped and unicode-exact; long names bypass the cache', () => {
    for (let i = 0; i < 2; i++) {
      expect(decodeOk('$1;a@%!semicolon@%!b;;é✓;0;0;').namespace).toBe('a;b');
      expect(decodeOk('$1;a@%!semicolon@%!b;;é✓;0;0;').event).toBe('é✓');
      const long = 'n'.repeat(100);
      expect(decodeOk(`$1;${long};;${long}x;0;0;`).event).toBe(`${long}x`);
    }
  });

  it('separators far into a long field are still found (native search past the scanned prefix)', () => {
    const longEvent = 'e'.repeat(5000);
    const msg = decodeOk(`$1;ns;;${longEvent};0;0;body;more`);
    expect(msg.event).toBe(longEvent);
    expect(msg.text()).toBe('body;more');
    expect(decodeMessage(buf('x'.repeat(5000)), false)).toBeUndefined();
    expect(decodeMessage(buf(`${'x'.repeat(5000)};;;;;`), false)).toBeUndefined();
  });
});
