// The three buses the in-process cluster specs run on, each starting (and stopping) its own broker.
import type { ExchangeTransport } from '../../lib/exchange/exchange-transport.js';
import { MemoryBus, MemoryTransport } from '../../lib/exchange/memory.transport.js';
import { NatsTransport } from '../../lib/exchange/nats.transport.js';
import { RedisTransport } from '../../lib/exchange/redis.transport.js';
import { type NatsBroker, type RedisBroker, startNats, startRedis } from '../utils/brokers.js';

export interface TransportKind {
  name: string;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  /** A new transport on this kind's bus (valid between setUp and tearDown). */
  transport(): ExchangeTransport;
}

/** In-memory bus, real Redis, real NATS; call once per spec file (each list holds its own brokers). */
export function transportKinds(): TransportKind[] {
  let bus: MemoryBus;
  let redis: RedisBroker;
  let nats: NatsBroker;
  return [
    { name: 'in-memory bus', setUp: async () => void (bus = new MemoryBus()), tearDown: async () => {}, transport: () => new MemoryTransport(bus) },
    { name: 'redis', setUp: async () => void (redis = await startRedis()), tearDown: () => redis.stop(), transport: () => new RedisTransport({ url: redis.url }) },
    { name: 'nats', setUp: async () => void (nats = await startNats()), tearDown: () => nats.stop(), transport: () => new NatsTransport({ servers: nats.url }) },
  ];
}
