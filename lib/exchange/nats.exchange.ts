// `nestjs-neffos/nats`: scale-out over NATS core pub/sub with @nats-io/transport-node (one connection per node).
import type { NatsConnection } from '@nats-io/transport-node';

import { BrokerExchange, type BrokerExchangeOptions, checkBrokerOptions } from './broker.exchange.js';
import { NatsTransport } from './nats.transport.js';

export interface NatsExchangeOptions extends BrokerExchangeOptions {
  /** `nats://host:port`, or several servers of a NATS cluster; default `nats://127.0.0.1:4222`. Ignored with `connection`. */
  servers?: string | string[];
  /** Your NATS connection: used as is, never drained or closed by us. */
  connection?: NatsConnection;
}

/**
 * Makes several nodes act as one neffos server over NATS: broadcasts, `to(id)`, asks, remote
 * joins/leaves/closes and presence cross nodes. Each node holds one NATS connection whatever its
 * client count.
 *
 * @example
 * NeffosModule.forRoot({ path: '/echo', exchange: new NatsExchange({ servers: 'nats://10.0.0.5:4222', prefix: 'chat' }) })
 */
export class NatsExchange extends BrokerExchange {
  constructor(options: NatsExchangeOptions = {}) {
    const { servers, connection, ...rest } = options;
    checkBrokerOptions(rest);
    super(new NatsTransport({ servers, connection, name: `neffos:${rest.prefix ?? 'neffos'}` }), rest, 'nats');
  }
}
