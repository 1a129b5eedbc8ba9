import { describe, expect, it } from 'vitest';
import { handshakeFrames } from './fixtures/wire-frames.js';
import { encodeAck, encodeAckRejection, isAckRequest } from './handshake.js';
import { decodeMessage } from './message.decoder.js';

const buf = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('isAckRequest (docs/protocol.md §1.2, §1.5)', () => {
  it('accepts the captured client ack', () => {
    expect(isAckRequest(buf(handshakeFrames.ackRequest.frame))).toBe(true);
    expect(isAckRequest(Buffer.from([0x4d]))).toBe(true);
  });

  it.each(['M', 'Mxyz', 'M;default;;ev;0;0;', 'M\u0000'])('first byte M => true: %j', (frame) => {
    expect(isAckRequest(buf(frame))).toBe(true);
  });

  it.each([
    ['empty frame', ''],
    ['lowercase m', 'm'],
    ['client A (spoofing, docs/protocol.md §1.5)', 'A123'],
    ['captured server ack', handshakeFrames.ackSeqId.frame],
    ['client H', 'Hbye'],
    ['captured rejection', handshakeFrames.rejection.frame],
    ['leading space', ' M'],
    ['a data frame', '$1;default;;_OnNamespaceConnect;0;0;'],
    ['NUL then M', '\u0000M'],
    ['fullwidth M', 'Ｍ'],
  ])('%s => false', (_name, frame) => {
    expect(isAckRequest(buf(frame))).toBe(false);
  });

  it('looks at the first byte of the view, not of the underlying memory', () => {
    const backing = buf('xMy');
    expect(isAckRequest(backing.subarray(1))).toBe(true);
    expect(isAckRequest(backing.subarray(0, 2))).toBe(false);
    expect(isAckRequest(backing.subarray(1, 1))).toBe(false);
  });
});

describe('encodeAck / encodeAckRejection (docs/protocol.md §1.2)', () => {
  it('encodeAck is "A" + id, as captured', () => {
    expect(encodeAck('conn1')).toBe(handshakeFrames.ackSeqId.frame);
    expect(encodeAck('ef6418a2-e7d6-472c-933c-34627ca5cd48')).toBe(handshakeFrames.ackUuid.frame);
    expect(encodeAck('f89f5192-d131-4dbb-b40c-52f13306df7f')).toBe('Af89f5192-d131-4dbb-b40c-52f13306df7f');
    expect(encodeAck('')).toBe('A');
    expect(encodeAck('ünï😀')).toBe('Aünï😀');
  });

  it('encodeAckRejection is "H" + reason, as captured', () => {
    expect(encodeAckRejection('rejected by OnConnect')).toBe(handshakeFrames.rejection.frame);
    expect(encodeAckRejection('a;b;c;d;e;f;g')).toBe('Ha;b;c;d;e;f;g');
    expect(encodeAckRejection('')).toBe('H');
  });

  it('ack frames are never mistaken for an ack request', () => {
    expect(isAckRequest(buf(encodeAck('M')))).toBe(false);
    expect(isAckRequest(buf(encodeAckRejection('M')))).toBe(false);
  });

  it('an ack without six separators is not a message frame', () => {
    expect(decodeMessage(buf(encodeAck('conn1')), false)).toBeUndefined();
    expect(decodeMessage(buf(encodeAckRejection('rejected by OnConnect')), false)).toBeUndefined();
  });
});
