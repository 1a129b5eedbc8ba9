// `nestjs-neffos/redis`: scale-out over Redis pub/sub with ioredis (two broker connections per node).
import type { Redis } from 'ioredis';

import { BrokerExchange, type BrokerExchangeOptions, checkBrokerOptions } from './broker.exchange.js';
import { RedisTransport } from './redis.transport.js';

export interface RedisExchangeOptions extends BrokerExchangeOptions {
  /** `redis://[:password@]host:port[/db]`; default `redis://127.0.0.1:6379`. Ignored when `client` is given. */
  url?: string;
  /** Your ioredis client: we publish on it and subscribe on a `duplicate()` of it; we never close it. */
  client?: Redis;
}

/**
 * Makes several nodes act as one neffos server over Redis: broadcasts, `to(id)`, asks, remote
 * joins/leaves/closes and presence cross nodes. Each node holds two Redis connections whatever its
 * client count.
 *
 * @example
 * NeffosModule.forRoot({ path: '/echo', exchange: new RedisExchange({ url: 'redis://10.0.0.5:6379', prefix: 'chat' }) })
 */
export class RedisExchange extends BrokerExchange {
  constructor(options: RedisExchangeOptions = {}) {
    const { url, client, ...rest } = options;
    checkBrokerOptions(rest);
    super(new RedisTransport({ url, client, connectionName: `neffos:${rest.prefix ?? 'neffos'}` }), rest, 'redis');
  }
}
