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
