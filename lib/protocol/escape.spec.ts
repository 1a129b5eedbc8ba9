import { describe, expect, it } from 'vitest';
import { escapeField, unescapeField } from './escape.js';

const M = '@%!semicolon@%!';

describe('escapeField (docs/protocol.md §2.3)', () => {
  it('replaces every ; with the 15-byte marker', () => {
    expect(M.length).toBe(15);
    expect(Buffer.byteLength(M)).toBe(15);
    expect(escapeField('semi;ns')).toBe(`semi${M}ns`);
    expect(escapeField('x;y')).toBe(`x${M}y`);
    expect(escapeField(';')).toBe(M);
    expect(escapeField(';;')).toBe(`${M}${M}`);
    expect(escapeField(';a;b;')).toBe(`${M}a${M}b${M}`);
  });

  it('leaves fields without ; unchanged', () => {
    for (const s of ['', 'default', '_OnNamespaceConnect', 'r1', 'ünï😀', M, '@%!', '；']) {
      expect(escapeField(s)).toBe(s);
    }
  });

  it('does not escape other characters that matter elsewhere on the wire', () => {
    expect(escapeField('$1#@%!\u0000\n,|')).toBe('$1#@%!\u0000\n,|');
  });
});

describe('unescapeField (docs/protocol.md §2.3)', () => {
  it('replaces every marker with ;', () => {
    expect(unescapeField(`semi${M}ns`)).toBe('semi;ns');
    expect(unescapeField(`${M}${M}`)).toBe(';;');
    expect(unescapeField(`${M}a${M}b${M}`)).toBe(';a;b;');
  });

  it('leaves fields without a complete marker unchanged', () => {
    for (const s of ['', 'default', '@%!semicolon@%', '%!semicolon@%!', '@%!SEMICOLON@%!', '@%! semicolon@%!', ';']) {
      expect(unescapeField(s)).toBe(s);
    }
  });

  it('round-trips fields that contain no "@%!"', () => {
    for (const s of ['', 'a', ';', ';;;', 'a;b;c', ';semicolon;', 'semicolon;', ';semicolon', 'x;@%y', '%!;@%', 'ü;😀']) {
      expect(unescapeField(escapeField(s))).toBe(s);
    }
  });

  describe('lossy corners, identical to Go bytes.ReplaceAll and neffos.js (leftmost, non-overlapping)', () => {
    it('a literal marker in a field decodes as ;', () => {
      expect(unescapeField(escapeField(`a${M}b`))).toBe('a;b');
      expect(unescapeField(escapeField(`${M};`))).toBe(';;');
    });

    it('"@%!semicolon" followed by ; decodes differently: the leftmost match straddles the inserted marker', () => {
      // escape: "@%!semicolon" + "@%!semicolon@%!" = "@%!semicolon@%!semicolon@%!"
      // the leftmost match starts at 0, so the result is ";" + "semicolon@%!"
      expect(escapeField('@%!semicolon;')).toBe(`@%!semicolon${M}`);
      expect(unescapeField(escapeField('@%!semicolon;'))).toBe(';semicolon@%!');
    });
  });
});
