import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../engine/engine.errors.js';
import { decodeClusterMessage, encodeClusterMessage } from './cluster-message.codec.js';
import { MemoryBus, MemoryTransport } from './memory.transport.js';
import { NatsExchange } from './nats.exchange.js';
import {
  FrameReader,
  decodeLinkAck,
  decodeLinkHello,
  encodeLinkAck,
  encodeLinkHello,
  formatLinkAddress,
  frameHead,
  parseLinkAddress,
} from './node-link.codec.js';
import { resolveNodeLink } from './node-link.manager.js';
import { ClusterExchange } from './cluster.exchange.js';
import { RedisExchange } from './redis.exchange.js';

const anyNode = () => true;

function framed(payloads: Buffer[]): Buffer {
  return Buffer.concat(payloads.flatMap((p) => [frameHead(p.length), p]));
}

describe('node link frames', () => {
  it('cuts a stream into the same frames however it is chunked (views of one chunk, joins across chunks)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }), (bodies, cuts) => {
        const payloads = bodies.map((b) => Buffer.from(b));
        const stream = framed(payloads);
        const reader = new FrameReader(1024);
        const got: Buffer[] = [];
        let at = 0;
        for (let i = 0; at < stream.length; i++) {
          const next = Math.min(stream.length, at + cuts[i % cuts.length]!);
          expect(reader.push(stream.subarray(at, next), (f) => (got.push(Buffer.from(f)), true))).toBeUndefined();
          at = next;
        }
        expect(got).toEqual(payloads);
      }),
    );
  });

  it('refuses a frame announced over the bound before buffering it, and stops when told to', () => {
    const reader = new FrameReader(10);
    expect(reader.push(frameHead(11), () => true)).toMatch(/11-byte frame exceeds the 10-byte bound/);
    const stopping = new FrameReader(10);
    const seen: string[] = [];
    stopping.push(framed([Buffer.from('a'), Buffer.from('b')]), (f) => (seen.push(f.toString()), false));
    expect(seen).toEqual(['a']);
  });

  it('handshake frames round-trip and reject what is not theirs', () => {
    const key = Buffer.alloc(16, 9);
    expect(decodeLinkHello(encodeLinkHello('node-1', key), anyNode)).toEqual({ ok: true, nodeId: 'node-1', key });
    expect(decodeLinkAck(encodeLinkAck('node-2'), anyNode)).toEqual({ ok: true, nodeId: 'node-2' });
    expect(decodeLinkHello(encodeLinkAck('node-2'), anyNode)).toMatchObject({ ok: false, reason: /expected handshake frame type 1/ });
    expect(decodeLinkHello(Buffer.from('GET / HTTP/1.1'), anyNode)).toMatchObject({ ok: false, reason: /not a nestjs-neffos node link/ });
    const otherVersion = encodeLinkHello('n', key);
    otherVersion[4] = 2;
    expect(decodeLinkHello(otherVersion, anyNode)).toMatchObject({ ok: false, reason: /version 2/ });
    expect(decodeLinkHello(encodeLinkHello('n', key).subarray(0, 12), anyNode)).toMatchObject({ ok: false });
    expect(decodeLinkHello(encodeLinkHello('bad id', key), (n) => /^\w+$/.test(n))).toMatchObject({ ok: false, reason: /invalid node id/ });
  });

  it('addresses: host:port and [v6]:port, nothing else', () => {
    expect(parseLinkAddress('10.0.0.5:7070')).toEqual({ host: '10.0.0.5', port: 7070 });
    expect(parseLinkAddress('node-b.internal:1')).toEqual({ host: 'node-b.internal', port: 1 });
    expect(parseLinkAddress('[::1]:65535')).toEqual({ host: '::1', port: 65535 });
    for (const bad of ['10.0.0.5', '10.0.0.5:0', 'h:70000', '::1:80', 'a b:1', 'h:port']) expect(parseLinkAddress(bad)).toBeUndefined();
    expect(formatLinkAddress('::1', 80)).toBe('[::1]:80');
    expect(formatLinkAddress('127.0.0.1', 80)).toBe('127.0.0.1:80');
  });
});

describe('the link advert in hello and heartbeat messages', () => {
  it('round-trips, and a hello without one still decodes (nodes without links, older nodes)', () => {
    const link = { at: '127.0.0.1:4000', key: Buffer.alloc(16, 1).toString('base64url') };
    expect(decodeClusterMessage(encodeClusterMessage({ t: 'hb', n: 'a', link }))).toEqual({ ok: true, msg: { t: 'hb', n: 'a', link } });
    expect(decodeClusterMessage(encodeClusterMessage({ t: 'hello', n: 'a' }))).toEqual({ ok: true, msg: { t: 'hello', n: 'a' } });
  });

  it('a malformed advert makes the message invalid', () => {
    const bad = (link: unknown) => decodeClusterMessage(encodeClusterMessage({ t: 'hello', n: 'a', link } as never));
    expect(bad({ at: 'nowhere', key: 'AAAAAAAAAAAAAAAAAAAAAA' })).toMatchObject({ ok: false, reason: /not host:port/ });
    expect(bad({ at: '1.2.3.4:5', key: 'short' })).toMatchObject({ ok: false, reason: /base64url/ });
    expect(bad('1.2.3.4:5')).toMatchObject({ ok: false, reason: /address and a key/ });
  });
});

describe('the nodeLink option', () => {
  it('is off unless given; true means 127.0.0.1 on any free port', () => {
    expect(resolveNodeLink(undefined)).toBeUndefined();
    expect(resolveNodeLink(false)).toBeUndefined();
    expect(resolveNodeLink(true)).toEqual({ host: '127.0.0.1', port: 0, advertise: undefined });
    expect(resolveNodeLink({ host: '0.0.0.0', port: 7070, advertise: '10.0.0.5:7070' })).toEqual({ host: '0.0.0.0', port: 7070, advertise: '10.0.0.5:7070' });
  });

  it('refuses what cannot work, saying what to do', () => {
    expect(() => resolveNodeLink({ host: '0.0.0.0' })).toThrow(/set nodeLink.advertise/);
    expect(() => resolveNodeLink({ port: 70_000 })).toThrow(/0-65535/);
    expect(() => resolveNodeLink({ advertise: 'somewhere' })).toThrow(/"host:port"/);
    expect(() => new ClusterExchange(new MemoryTransport(new MemoryBus()), { nodeLink: { port: -1 } })).toThrow(InvalidOptionError);
  });

  it('cannot be combined with goCompatible (Go nodes have no links)', () => {
    expect(() => new RedisExchange({ goCompatible: true, nodeLink: true })).toThrow(/nodeLink cannot be combined with goCompatible/);
    expect(() => new NatsExchange({ goCompatible: true, nodeLink: { port: 0 } })).toThrow(InvalidOptionError);
  });
});
