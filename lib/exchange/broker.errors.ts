// Errors of the broker transports (Redis, NATS): what failed, and what the operator can do about it.
import { NeffosError } from '../engine/engine.errors.js';

/**
 * A publish was refused because the node has lost its broker connection. Cross-node delivery is
 * at-most-once: the message is not queued for the reconnect, so the caller learns at once.
 */
export class BrokerUnavailableError extends NeffosError {
  override name = 'BrokerUnavailableError';
  constructor(
    readonly broker: 'redis' | 'nats',
    override readonly cause?: Error,
  ) {
    super(
      `the ${broker} broker is unreachable (${cause?.message ?? 'not connected yet'}); the node keeps reconnecting ` +
        `and cross-node delivery resumes when it is back; local delivery is unaffected`,
    );
  }
}

/** A transport was used after `close()`. */
export class TransportClosedError extends NeffosError {
  override name = 'TransportClosedError';
  constructor(readonly broker: 'redis' | 'nats') {
    super(`the ${broker} exchange transport is closed; create a new exchange to publish again`);
  }
}

/**
 * A message over the broker's size limit (NATS `max_payload`, 1 MiB by default) was not sent. The
 * broker is fine and nothing else is affected: this is no outage, only this message does not cross.
 */
export class PayloadTooLargeError extends NeffosError {
  override name = 'PayloadTooLargeError';
  constructor(
    readonly broker: 'redis' | 'nats',
    readonly bytes: number,
    readonly max: number,
  ) {
    super(
      `a ${bytes}-byte cross-node message is over the ${broker} server's max_payload (${max} bytes) and was not sent; ` +
        `raise max_payload on the ${broker} servers, or send less across nodes at once (a body: the engine option maxPayload bounds client frames; ` +
        `a presence answer: one node's ids or room names)`,
    );
  }
}
