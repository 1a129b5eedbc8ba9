// The up/down state a broker transport reports (ExchangeTransport.onStatus): each transition once,
// however many connection events (retries, errors, both Redis connections) lead to it.

export type TransportStatus = 'up' | 'down';
export type StatusListener = (status: TransportStatus, cause?: Error) => void;

export class TransportStatusTracker {
  private state: TransportStatus | 'starting' = 'starting';
  private readonly listeners: StatusListener[] = [];

  get isUp(): boolean {
    return this.state === 'up';
  }

  /** The error behind the last 'down' (for BrokerUnavailableError). */
  lastCause: Error | undefined;

  onStatus(listener: StatusListener): void {
    this.listeners.push(listener);
  }

  /** Reports `status`; a repeat of the current state is swallowed so listeners log an outage once. */
  set(status: TransportStatus, cause?: Error): void {
    if (status === 'down' && cause) this.lastCause = cause;
    if (this.state === status) return;
    this.state = status;
    for (const listener of this.listeners) {
      try {
        listener(status, status === 'down' ? cause : undefined);
      } catch {
        // A listener's fault must not stop the others or the transport's reconnect handling.
      }
    }
  }
}
