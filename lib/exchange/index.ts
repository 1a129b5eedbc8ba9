// The scale-out pieces that need no broker client library: the cluster exchange over any transport,
// the in-process bus, and their errors. Redis and NATS live in their own entries.
export { ClusterExchange, type ClusterExchangeOptions } from './cluster.exchange.js';
export type { ExchangeTransport } from './exchange-transport.js';
export { ExchangeNotAttachedError, ExchangeUnavailableError, NodeLinkClosedError, RemoteNodeError } from './exchange.errors.js';
export type { NodeLinkOptions } from './node-link.manager.js';
export { MemoryBus, MemoryTransport } from './memory.transport.js';
