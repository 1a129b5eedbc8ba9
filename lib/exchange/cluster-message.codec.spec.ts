import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeClusterMessage, encodeClusterMessage, type OutgoingClusterMessage } from './cluster-message.codec.js';

function roundTrip(msg: OutgoingClusterMessage) {
  const decoded = decodeClusterMessage(encodeClusterMessage(msg));
  if (!decoded.ok) throw new Error(decoded.reason);
  return decoded.msg;
}

function envelope(header: unknown, body = Buffer.alloc(0)): Buffer {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length);
  return Buffer.concat([Buffer.from('NFX1'), len, json, body]);
}

function reason(payload: Buffer): string {
  const decoded = decodeClusterMessage(payload);
  if (decoded.ok) throw new Error(`decoded ${JSON.stringify(decoded.msg)}`);
  return decoded.reason;
}

describe('cluster message codec', () => {
  it('round-trips an emit with exact binary bytes, exclusions and a target', () => {
    const body = Buffer.from([0, 0xff, 0x3b, 0x0a, 0x80, 0x7f]);
    const msg = roundTrip({ t: 'emit', n: 'node-A', ns: 'chat;x', room: 'r\n1', ev: 'ev', bin: true, except: ['a', 'b;c'], to: 'id', body });
    expect(msg).toEqual({ t: 'emit', n: 'node-A', ns: 'chat;x', room: 'r\n1', ev: 'ev', bin: true, except: ['a', 'b;c'], to: 'id', body });
  });

  it('writes a string body as UTF-8 bytes', () => {
    const msg = roundTrip({ t: 'emit', n: 'a', ns: '', room: '', ev: 'e', bin: false, body: 'héllo ✓' });
    expect(msg.t === 'emit' && msg.body.toString('utf8')).toBe('héllo ✓');
  });

  it('round-trips requests, outcomes, failures, absences, queries and answers', () => {
    const ask = { kind: 'ask', namespace: 'ns', room: '', event: 'q', binary: false, timeout: 500 } as const;
    expect(roundTrip({ t: 'req', n: 'a', rid: 7, id: 'c1', action: ask, body: 'question' })).toEqual({ t: 'req', n: 'a', rid: 7, id: 'c1', action: ask, body: Buffer.from('question') });
    expect(roundTrip({ t: 'req', n: 'a', rid: 8, id: 'c1', action: { kind: 'close', code: 4000, reason: 'bye' }, body: Buffer.alloc(0) })).toMatchObject({ action: { kind: 'close', code: 4000, reason: 'bye' } });
    expect(roundTrip({ t: 'res', n: 'b', rid: 7, reply: { ns: 'ns', room: '', ev: 'q', bin: true }, body: Buffer.from([1, 2]) })).toEqual({ t: 'res', n: 'b', rid: 7, reply: { ns: 'ns', room: '', ev: 'q', bin: true }, body: Buffer.from([1, 2]) });
    expect(roundTrip({ t: 'fail', n: 'b', rid: 7, err: { name: 'AskTimeoutError', message: 'late', event: 'q', timeoutMs: 5 } })).toMatchObject({ err: { name: 'AskTimeoutError', timeoutMs: 5 } });
    expect(roundTrip({ t: 'absent', n: 'b', rid: 9 })).toEqual({ t: 'absent', n: 'b', rid: 9 });
    expect(roundTrip({ t: 'q', n: 'a', rid: 1, query: { kind: 'members', namespace: 'ns', room: 'r' } })).toMatchObject({ query: { kind: 'members', room: 'r' } });
    expect(roundTrip({ t: 'qa', n: 'b', rid: 1, answer: ['x', 'y'] })).toMatchObject({ answer: ['x', 'y'] });
    expect(roundTrip({ t: 'qa', n: 'b', rid: 2, answer: 3 })).toMatchObject({ answer: 3 });
    expect(roundTrip({ t: 'hb', n: 'b' })).toEqual({ t: 'hb', n: 'b' });
  });

  it('sends the messages of an ask in the compact envelope, with exact fields and bytes', () => {
    const ask = { kind: 'ask', namespace: 'nś;1', room: 'r\n', event: 'q✓', binary: true, timeout: 1234.5 } as const;
    const body = Buffer.from([0, 0xff, 0x3b, 0x0a]);
    const req = encodeClusterMessage({ t: 'req', n: 'node-A', rid: 2 ** 40 + 3, id: 'c-1', action: ask, body });
    expect(req.subarray(0, 4).toString()).toBe('NFXC');
    expect(decodeClusterMessage(req)).toEqual({ ok: true, msg: { t: 'req', n: 'node-A', rid: 2 ** 40 + 3, id: 'c-1', action: ask, body } });
    const res = encodeClusterMessage({ t: 'res', n: 'b', rid: 7, reply: { ns: 'ns', room: '', ev: 'q', bin: false }, body: 'héllo' });
    expect(res.subarray(0, 4).toString()).toBe('NFXC');
    expect(decodeClusterMessage(res)).toEqual({ ok: true, msg: { t: 'res', n: 'b', rid: 7, reply: { ns: 'ns', room: '', ev: 'q', bin: false }, body: Buffer.from('héllo') } });
    expect(roundTrip({ t: 'res', n: 'b', rid: 8, body: Buffer.alloc(0) })).toEqual({ t: 'res', n: 'b', rid: 8, body: Buffer.alloc(0) });
    expect(encodeClusterMessage({ t: 'absent', n: 'b', rid: 9 }).subarray(0, 4).toString()).toBe('NFXC');
    // Other requests, and an ask with a field too long for 16 bits, keep the JSON envelope.
    expect(encodeClusterMessage({ t: 'req', n: 'a', rid: 1, id: 'c', action: { kind: 'close' }, body: Buffer.alloc(0) }).subarray(0, 4).toString()).toBe('NFX1');
    const long = { ...ask, event: 'e'.repeat(70_000) };
    const fallback = encodeClusterMessage({ t: 'req', n: 'a', rid: 1, id: 'c', action: long, body: 'x' });
    expect(fallback.subarray(0, 4).toString()).toBe('NFX1');
    expect(roundTrip({ t: 'req', n: 'a', rid: 1, id: 'c', action: long, body: 'x' })).toMatchObject({ action: { event: long.event } });
    // The exchange hands over an ask's action with its body still in it: the JSON envelope carries it once, as the body.
    const withBody = { ...long, body: 'x' };
    const json = encodeClusterMessage({ t: 'req', n: 'a', rid: 1, id: 'c', action: withBody, body: 'x' });
    expect(json.equals(fallback)).toBe(true);
    expect(decodeClusterMessage(json)).toEqual({ ok: true, msg: { t: 'req', n: 'a', rid: 1, id: 'c', action: long, body: Buffer.from('x') } });
  });

  it('decodes repeated and changing compact fields exactly (the recent-field cache never serves a stale or unchecked value)', () => {
    const word = fc.oneof(fc.constantFrom('', 'a', 'ab', 'chat', 'nś', 'q✓'), fc.string({ maxLength: 70 }));
    const nodeId = fc.constantFrom('a', 'b', 'node-1', 'node_2', 'x'.repeat(64));
    fc.assert(
      fc.property(fc.array(fc.tuple(nodeId, word, word, word, fc.boolean()), { minLength: 1, maxLength: 8 }), (msgs) => {
        for (const [n, namespace, room, event, isReq] of msgs) {
          const msg = isReq
            ? ({ t: 'req', n, rid: 1, id: 'c', action: { kind: 'ask', namespace, room, event, binary: false, timeout: 5 }, body: Buffer.from('b') } as const)
            : ({ t: 'res', n, rid: 2, reply: { ns: namespace, room, ev: event, bin: true }, body: Buffer.from('r') } as const);
          expect(decodeClusterMessage(encodeClusterMessage(msg))).toEqual({ ok: true, msg });
        }
      }),
    );
    // An invalid sender is refused every time, not only the first (a refused id is never cached).
    const bad = Buffer.from(encodeClusterMessage({ t: 'absent', n: 'ab', rid: 1 }));
    bad[bad.length - 1] = '.'.charCodeAt(0);
    expect(reason(bad)).toMatch(/node id/);
    expect(reason(bad)).toMatch(/node id/);
    expect(decodeClusterMessage(encodeClusterMessage({ t: 'absent', n: 'ab', rid: 1 }))).toMatchObject({ ok: true });
    expect(reason(bad)).toMatch(/node id/);
  });

  it('names what is wrong with a malformed compact payload', () => {
    const good = encodeClusterMessage({ t: 'req', n: 'a', rid: 1, id: 'c', action: { kind: 'ask', namespace: 'n', room: '', event: 'e', binary: false, timeout: 5 }, body: '' });
    expect(reason(good.subarray(0, 8))).toMatch(/compact envelope: truncated header/);
    expect(reason(good.subarray(0, good.length - 3))).toMatch(/compact envelope: req: truncated fields/);
    const badTimeout = Buffer.from(good);
    badTimeout.writeDoubleBE(-1, good.length - 8);
    expect(reason(badTimeout)).toMatch(/positive timeout/);
    const badNode = Buffer.from(good);
    badNode[13] = '.'.charCodeAt(0);
    expect(reason(badNode)).toMatch(/node id/);
    const badType = Buffer.from(good);
    badType[4] = 99;
    expect(reason(badType)).toMatch(/unknown compact message type 99/);
    expect(reason(Buffer.concat([encodeClusterMessage({ t: 'absent', n: 'b', rid: 9 }), Buffer.from('x')]))).toMatch(/absent: unexpected body/);
    expect(decodeClusterMessage(badType)).toMatchObject({ ok: false, kind: 'malformed' });
  });

  it('names what is wrong with foreign or malformed payloads', () => {
    expect(reason(Buffer.from(';default;;chat;0;0;a Go neffos frame'))).toMatch(/no NFX1 envelope/);
    expect(reason(Buffer.from('NFX1'))).toMatch(/no NFX1 envelope/);
    expect(reason(Buffer.concat([Buffer.from('NFX1'), Buffer.from([0, 0, 1, 0]), Buffer.from('{}')]))).toMatch(/exceeds/);
    expect(reason(envelope('{not json'))).toMatch(/not JSON/);
    expect(reason(envelope('[1]'))).toMatch(/not an object/);
    expect(reason(envelope({ t: 'boom', n: 'a' }))).toMatch(/unknown message type "boom"/);
    expect(reason(envelope({ t: 'toString', n: 'a' }))).toMatch(/unknown message type/);
    expect(reason(envelope({ t: 'hb' }))).toMatch(/node id/);
    expect(reason(envelope({ t: 'hb', n: 'a.b' }))).toMatch(/node id/);
    expect(reason(envelope({ t: 'hb', n: 'a' }, Buffer.from('x')))).toMatch(/unexpected body/);
    expect(reason(envelope({ t: 'emit', n: 'a', ns: 'x', room: '', ev: '', bin: false }))).toMatch(/ev non-empty/);
    expect(reason(envelope({ t: 'emit', n: 'a', ns: 'x', room: '', ev: 'e', bin: 'yes' }))).toMatch(/bin/);
    expect(reason(envelope({ t: 'emit', n: 'a', ns: 'x', room: '', ev: 'e', bin: false, except: [1] }))).toMatch(/except/);
    expect(reason(envelope({ t: 'req', n: 'a', rid: -1, id: 'c', action: { kind: 'close' } }))).toMatch(/rid/);
    expect(reason(envelope({ t: 'req', n: 'a', rid: 1, id: 'c', action: { kind: 'explode' } }))).toMatch(/unknown action/);
    expect(reason(envelope({ t: 'req', n: 'a', rid: 1, id: 'c', action: { kind: 'ask', namespace: 'n', room: '', event: 'e', binary: false, timeout: 0 } }))).toMatch(/timeout/);
    expect(reason(envelope({ t: 'req', n: 'a', rid: 1, id: 'c', action: { kind: 'close', code: 99 } }))).toMatch(/close code/);
    // In range, but no close frame carries it (Conn.close would throw while handling the request).
    for (const code of [1005, 1006, 1015, 2000]) expect(reason(envelope({ t: 'req', n: 'a', rid: 1, id: 'c', action: { kind: 'close', code } }))).toMatch(/close code/);
    expect(decodeClusterMessage(envelope({ t: 'req', n: 'a', rid: 1, id: 'c', action: { kind: 'close', code: 4001 } }))).toMatchObject({ ok: true });
    expect(reason(envelope({ t: 'fail', n: 'a', rid: 1, err: { name: 'X' } }))).toMatch(/err/);
    expect(reason(envelope({ t: 'q', n: 'a', rid: 1, query: { kind: 'members', namespace: 'n' } }))).toMatch(/members query/);
    expect(reason(envelope({ t: 'qa', n: 'a', rid: 1, answer: [1] }))).toMatch(/answer/);
  });

  it('never throws on arbitrary bytes, with or without the envelope magic', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom('', 'NFX1', 'NFXC'), (bytes, magic) => {
        const payload = Buffer.concat([Buffer.from(magic), Buffer.from(bytes)]);
        expect(() => decodeClusterMessage(payload)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});
