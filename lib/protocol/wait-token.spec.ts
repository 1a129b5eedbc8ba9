import { describe, expect, it } from 'vitest';
import { decodeMessage } from './message.decoder.js';
import { encodeFrame } from './message.encoder.js';
import { mayBeServerReply, ServerTokenSource } from './wait-token.js';

// Tokens seen on the wire (docs/protocol.md Appendix A) and in the docs/protocol.md §4.1 table.
const clientTokens = [
  '$1',
  '$17',
  '$1795375269364568744', // Go client
  '$9987000000000989921739', // neffos.js on Node
  '$99880000000007262669',
  '$523871.23450000003', // neffos.js in a browser (HEAD)
  '$1234.5', // neffos.js npm in a browser
  '$',
];
const serverTokens = ['1795375266447183880', '1795371920920468038', '1', '0'];

describe('mayBeServerReply (Go IsWait(false), docs/protocol.md §3.3 step 4 and §4.2)', () => {
  it.each([...serverTokens, '#1', 'R795372103028946731', 'abc', 'neffos(0x1)'])('%j => true', (t) =>
    expect(mayBeServerReply(t)).toBe(true),
  );
  it.each([...clientTokens, ''])('%j => false', (t) => expect(mayBeServerReply(t)).toBe(false));
});

describe('ServerTokenSource (docs/protocol.md §4.1)', () => {
  const draws = (source: ServerTokenSource, n: number): string[] => Array.from({ length: n }, () => source.next());

  it('default prefix: decimal digits only, never reserved by clients, unique over 10000 draws', () => {
    const tokens = draws(new ServerTokenSource(), 10_000);
    const bad = tokens.filter(
      (t) =>
        !/^[0-9]+$/.test(t) ||
        t.startsWith('$') ||
        t.startsWith('#') ||
        t.startsWith('neffos(0x') ||
        !mayBeServerReply(t),
    );
    expect(bad).toEqual([]);
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('explicit prefix: tokens start with it, are digits, and are unique over 10000 draws', () => {
    const tokens = draws(new ServerTokenSource('42'), 10_000);
    expect(tokens.filter((t) => !/^42[0-9]+$/.test(t))).toEqual([]);
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('tokens of one source are strictly increasing as numbers (so unique), over 20000 draws', () => {
    const tokens = draws(new ServerTokenSource('7'), 20_000);
    const notIncreasing = tokens.filter((t, i) => i > 0 && BigInt(t) <= BigInt(tokens[i - 1]!));
    expect(notIncreasing).toEqual([]);
  });

  it('a prefix of zeros is fine (still digits, still unique)', () => {
    const tokens = draws(new ServerTokenSource('0'), 1000);
    for (const t of tokens) expect(t).toMatch(/^0[0-9]+$/);
    expect(new Set(tokens).size).toBe(1000);
  });

  it('sources with different prefixes do not collide', () => {
    const a = draws(new ServerTokenSource('1'), 5000);
    const b = draws(new ServerTokenSource('2'), 5000);
    expect(new Set([...a, ...b]).size).toBe(10_000);
  });

  it('tokens survive a trip through a frame and come back as possible server replies', () => {
    const token = new ServerTokenSource().next();
    const frame = encodeFrame({
      token,
      namespace: 'default',
      room: 'r2',
      event: '_OnRoomJoin',
      isError: false,
      isNoOp: false,
      body: '',
    });
    const msg = decodeMessage(frame, false)!;
    expect(msg.token).toBe(token);
    expect(mayBeServerReply(msg.token)).toBe(true);
  });

  it.each(['$1', '#1', 'abc', '12a', 'a12', ' 12', '12 ', '1\n', '-1', '1.5', '1e3', '１２', '\u0661', 'neffos(0x1'])(
    'rejects the non-digit prefix %j with a TypeError',
    (prefix) => {
      expect(() => new ServerTokenSource(prefix)).toThrow(TypeError);
    },
  );

  it('rejects an empty prefix with a TypeError', () => {
    expect(() => new ServerTokenSource('')).toThrow(TypeError);
  });
});
