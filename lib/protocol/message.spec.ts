import { describe, expect, it } from 'vitest';
import { decodeMessage } from './message.decoder.js';
import { Message } from './message.js';

describe('Message', () => {
  it('defaults every field', () => {
    const msg = new Message();
    expect(msg.token).toBe('');
    expect(msg.namespace).toBe('');
    expect(msg.room).toBe('');
    expect(msg.event).toBe('');
    expect(msg.body.length).toBe(0);
    expect(msg.isError).toBe(false);
    expect(msg.isNoOp).toBe(false);
    expect(msg.isBinary).toBe(false);
    expect(msg.isNative).toBe(false);
    expect(msg.error).toBeUndefined();
    expect(msg.text()).toBe('');
  });

  it('keeps the given fields', () => {
    const body = Buffer.from('b');
    const msg = new Message({
      token: '$1',
      namespace: 'ns',
      room: 'r',
      event: 'ev',
      body,
      isError: true,
      isNoOp: true,
      isBinary: true,
      isNative: true,
    });
    expect(msg).toMatchObject({ token: '$1', namespace: 'ns', room: 'r', event: 'ev', isError: true, isNoOp: true });
    expect(msg.isBinary).toBe(true);
    expect(msg.isNative).toBe(true);
    expect(msg.body).toBe(body);
  });

  describe('text()', () => {
    it('decodes the body as UTF-8', () => {
      expect(new Message({ body: Buffer.from('héllo; 😀') }).text()).toBe('héllo; 😀');
    });

    it('reads only the body view of a decoded frame', () => {
      const msg = decodeMessage(Buffer.from('$2;default;;echo;0;0;hello;world'), false)!;
      expect(msg.text()).toBe('hello;world');
    });
  });

  describe('json()', () => {
    it('parses the body as JSON (neffos.marshal / Go neffos.Marshal)', () => {
      const value = { user: 'ünï', n: 3, list: [1, 'a;b'], nested: { ok: true } };
      const msg = decodeMessage(Buffer.from(`;default;;chat;0;0;${JSON.stringify(value)}`), false)!;
      expect(msg.json()).toEqual(value);
      expect(msg.json<typeof value>().list[1]).toBe('a;b');
    });

    it('parses JSON scalars', () => {
      expect(new Message({ body: Buffer.from('"s"') }).json()).toBe('s');
      expect(new Message({ body: Buffer.from('42') }).json()).toBe(42);
      expect(new Message({ body: Buffer.from('null') }).json()).toBeNull();
    });

    it('throws on a body that is not JSON', () => {
      expect(() => new Message({ body: Buffer.from('not json') }).json()).toThrow(SyntaxError);
      expect(() => new Message().json()).toThrow(SyntaxError);
    });
  });

  describe('error', () => {
    it('is the body text of an error message', () => {
      const msg = decodeMessage(Buffer.from('$3;default;;fail;1;0;bad thing'), false)!;
      expect(msg.error).toBe('bad thing');
    });

    it('keeps ; in the error text', () => {
      expect(new Message({ isError: true, body: Buffer.from('a;b') }).error).toBe('a;b');
    });

    it('is undefined when is-error is not set, whatever the body', () => {
      expect(new Message({ body: Buffer.from('bad thing') }).error).toBeUndefined();
      expect(decodeMessage(Buffer.from('$3;default;;fail;0;0;bad thing'), false)!.error).toBeUndefined();
      expect(decodeMessage(Buffer.from('$3;default;;fail;true;0;bad thing'), false)!.error).toBeUndefined();
    });

    it('is the empty string for an error message with an empty body', () => {
      // Go treats this as success and neffos.js rejects with undefined (docs/protocol.md §2.4); the codec only reports it.
      expect(new Message({ isError: true }).error).toBe('');
    });
  });
});
