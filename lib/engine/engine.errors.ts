// Typed failures of the engine. Each carries the close code to use when it ends a connection, and
// its message says what to do about it.

export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  InternalError: 1011,
  TryAgainLater: 1013,
} as const;

export class NeffosError extends Error {
  override name = 'NeffosError';
}

/** A server-initiated ask, connect, join, leave or disconnect got no reply in time. */
export class AskTimeoutError extends NeffosError {
  override name = 'AskTimeoutError';
  constructor(
    readonly event: string,
    readonly timeoutMs: number,
  ) {
    super(`no reply to "${event}" within ${timeoutMs} ms; raise the timeout (option askTimeout or { timeout }) or make the client answer`);
  }
}

/** The connection closed before the action could complete; pending asks reject with this. */
export class ConnectionClosedError extends NeffosError {
  override name = 'ConnectionClosedError';
  constructor(readonly connectionId: string) {
    super(`connection "${connectionId}" is closed`);
  }
}

/** The peer answered with an error reply; `message` is the peer's own text. */
export class RemoteError extends NeffosError {
  override name = 'RemoteError';
}

/** The namespace is not registered on this server, or this connection is not connected to it. */
export class BadNamespaceError extends NeffosError {
  override name = 'BadNamespaceError';
  constructor(readonly namespace: string) {
    super(`namespace "${namespace}" is not registered on this server or not connected on this connection`);
  }
}

/** No connection with that id is on this server (or, with an exchange, on any node). */
export class ConnectionNotFoundError extends NeffosError {
  override name = 'ConnectionNotFoundError';
  constructor(readonly connectionId: string) {
    super(`no connection with id "${connectionId}"`);
  }
}

/** The connection has not joined that room. */
export class BadRoomError extends NeffosError {
  override name = 'BadRoomError';
  constructor(
    readonly namespace: string,
    readonly room: string,
  ) {
    super(`room "${room}" of namespace "${namespace}" is not joined by this connection`);
  }
}

/** Thrown by `authorize`/`onConnect`-style hooks to reject a handshake with a message the client sees. */
export class HandshakeRejectedError extends NeffosError {
  override name = 'HandshakeRejectedError';
}

/** An option value the engine cannot work with; thrown once, at construction. */
export class InvalidOptionError extends NeffosError {
  override name = 'InvalidOptionError';
}

/** The text an error reply carries for a thrown value. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}
