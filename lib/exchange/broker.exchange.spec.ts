import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../engine/engine.errors.js';
import { NatsExchange } from './nats.exchange.js';
import { RedisExchange } from './redis.exchange.js';

/** Sockets and connection attempts of this process. */
const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'ConnectWrap').length;

describe.each([
  ['RedisExchange', (o: object) => new RedisExchange(o)],
  ['NatsExchange', (o: object) => new NatsExchange(o)],
] as const)('%s with an option it refuses', (_name, create) => {
  it('throws InvalidOptionError before it opens any broker connection', async () => {
    for (const bad of [{ prefix: 'has spaces' }, { nodeId: 'a.b' }, { heartbeatInterval: -1 }, { nodeLink: { port: 70_000 } }, { goCompatible: true, nodeLink: true }]) {
      const before = sockets();
      expect(() => create(bad)).toThrow(InvalidOptionError);
      // A client created anyway would be dialing by the next turn (ioredis and nats.js connect at once).
      await new Promise((resolve) => setImmediate(resolve));
      expect(sockets(), JSON.stringify(bad)).toBe(before);
    }
  });
});
