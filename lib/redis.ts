// Subpath `nestjs-neffos/redis`: its own entry, so only apps that scale out over Redis load ioredis
// (an optional peer dependency).
export { RedisExchange } from './exchange/redis.exchange.js';
export type { RedisExchangeOptions } from './exchange/redis.exchange.js';
export { BrokerUnavailableError } from './exchange/broker.errors.js';
