import { describe, expect, it } from 'vitest';
import { NeffosEngine } from '../engine/neffos.engine.js';
import { GoCompatExchange } from './go-compat.exchange.js';
import { MemoryBus, MemoryTransport } from './memory.transport.js';

const quiet = { log: () => {}, warn: () => {}, error: () => {} };

describe('GoCompatExchange', () => {
  it('gives a connection opened before attach() finished its Go channel once it has (an engine attached to a server already listening)', async () => {
    const bus = new MemoryBus();
    const exchange = new GoCompatExchange(new MemoryTransport(bus), { prefix: 'App', layout: 'redis' });
    const engine = new NeffosEngine({ path: '/echo', namespaces: { default: {} }, exchange, logger: quiet, pingInterval: 0 });
    try {
      // What the engine does when it registers connections while its exchange still attaches.
      exchange.connectionOpened('early');
      exchange.connectionOpened('gone-early');
      exchange.connectionClosed('gone-early');
      await engine.ready();
      await exchange.settled();
      expect(bus.subscriberCount('App.early.')).toBe(1);
      expect(bus.subscriberCount('App.gone-early.')).toBe(0);
      expect(bus.subscriberCount('App.default.')).toBe(1);
      exchange.connectionClosed('early');
      await exchange.settled();
      expect(bus.subscriberCount('App.early.')).toBe(0);
    } finally {
      await engine.close();
    }
  });
});
