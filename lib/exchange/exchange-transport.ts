// The contract between the cluster exchange and a broker (Redis, NATS, in-memory): bytes in, bytes out.

/** A publish/subscribe bus between nodes (Redis, NATS, in-memory). Payloads are opaque bytes. */
export interface ExchangeTransport {
  /** Hands one payload to the broker. Rejects at once (never waits for a reconnect) while the broker is down. */
  publish(channel: string, payload: Uint8Array): Promise<void>;
  /** Delivers every payload published on `channel` (exact name, no patterns) to `handler`, in order per publisher. */
  subscribe(channel: string, handler: (payload: Buffer) => void): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  /** 'down' when the broker connection is lost, 'up' when it is (re)established; each transition once. */
  onStatus(listener: (status: 'up' | 'down', cause?: Error) => void): void;
  readonly isUp: boolean;
  /** Closes the broker connections it created (never a client it was given). */
  close(): Promise<void>;
  /**
   * Drops the broker connections it created at once, without waiting for the broker: for a `close()`
   * that did not finish within its grace (a broker that hangs). Leaves the transport closed.
   */
  destroy?(): void;
}
