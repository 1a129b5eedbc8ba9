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
    expect(reason(envelope({ t: 'fail', n: 'a', rid: 1, err: { name: 'X' } }))).toMatch(/err/);
    expect(reason(envelope({ t: 'q', n: 'a', rid: 1, query: { kind: 'members', namespace: 'n' } }))).toMatch(/members query/);
    expect(reason(envelope({ t: 'qa', n: 'a', rid: 1, answer: [1] }))).toMatch(/answer/);
  });

  it('never throws on arbitrary bytes, with or without the envelope magic', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, magic) => {
        const payload = magic ? Buffer.concat([Buffer.from('NFX1'), Buffer.from(bytes)]) : Buffer.from(bytes);
        expect(() => decodeClusterMessage(payload)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});
