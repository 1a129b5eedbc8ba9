// Subpath `nestjs-neffos/nats`: its own entry, so only apps that scale out over NATS load
// @nats-io/transport-node (an optional peer dependency).
export { NatsExchange } from './exchange/nats.exchange.js';
export type { NatsExchangeOptions } from './exchange/nats.exchange.js';
export { BrokerUnavailableError, PayloadTooLargeError } from './exchange/broker.errors.js';
