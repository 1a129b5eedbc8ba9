// Typed failures of the cluster exchange, and the mapping of engine errors across nodes: a remote
// call rejects with the same class the local call would have thrown on the holding node.
import {
  AskTimeoutError,
  BadNamespaceError,
  BadRoomError,
  ClientError,
  ConnectionClosedError,
  ConnectionNotFoundError,
  HandlerTimeoutError,
  InvalidOptionError,
  NeffosError,
  RemoteError,
  RoomNameTooLongError,
  TooManyPendingAsksError,
  TooManyRoomsError,
} from '../engine/engine.errors.js';
import type { WireError } from './cluster-message.js';

/** The broker is unreachable: cross-node calls fail at once instead of waiting for a reconnect. */
export class ExchangeUnavailableError extends NeffosError {
  override name = 'ExchangeUnavailableError';
  constructor(override readonly cause?: Error) {
    super(`the exchange's broker is unreachable${cause ? ` (${cause.message})` : ''}; cross-node calls fail until it is back (local delivery goes on)`);
  }
}

/**
 * The direct link to the node that was to answer closed while the call waited (the node crashed, or
 * the socket was cut). Its answer may have been lost with the socket, so the call fails now instead
 * of at its timeout; the action may or may not have run there (at-most-once, as over the broker).
 * An `ExchangeUnavailableError`, so code handling broker outages handles this too.
 */
export class NodeLinkClosedError extends ExchangeUnavailableError {
  override name = 'NodeLinkClosedError';
  constructor(
    readonly node: string,
    reason: string,
  ) {
    super(new Error(reason));
    this.message =
      `the direct link to node ${node} closed (${reason}) while this call waited for its answer; the action may or may not have run there. ` +
      'Calls started now go through the broker until the link is back';
  }
}

/** The exchange was used before `attach` (it is bound by the engine) or after `close`. */
export class ExchangeNotAttachedError extends NeffosError {
  override name = 'ExchangeNotAttachedError';
  constructor(state: 'unattached' | 'closed') {
    super(state === 'closed' ? 'the exchange is closed (its engine shut down)' : 'the exchange is not attached to an engine yet; pass it as the engine option `exchange` (or NeffosModule.forRoot({ exchange }))');
  }
}

/** An error class the other node threw that this node does not know; keeps its name and text. */
export class RemoteNodeError extends NeffosError {
  override name = 'RemoteNodeError';
  constructor(
    readonly remoteName: string,
    message: string,
  ) {
    super(message);
  }
}

// Every engine error a local join, leave, disconnect, close or ask can reject with crosses as its own
// class (with the fields its constructor takes); only classes this layer cannot know (the app's own,
// Nest's) arrive as RemoteNodeError, with their name in `remoteName` and their text.
export function toWireError(err: unknown): WireError {
  if (err instanceof AskTimeoutError || err instanceof HandlerTimeoutError) return { name: err.name, message: err.message, event: err.event, timeoutMs: err.timeoutMs };
  if (err instanceof TooManyPendingAsksError) return { name: err.name, message: err.message, connectionId: err.connectionId, max: err.max };
  if (err instanceof TooManyRoomsError) return { name: err.name, message: err.message, max: err.max };
  if (err instanceof RoomNameTooLongError) return { name: err.name, message: err.message, bytes: err.bytes, max: err.max };
  if (err instanceof ConnectionClosedError || err instanceof ConnectionNotFoundError) return { name: err.name, message: err.message, connectionId: err.connectionId };
  if (err instanceof BadRoomError) return { name: err.name, message: err.message, namespace: err.namespace, room: err.room };
  if (err instanceof BadNamespaceError) return { name: err.name, message: err.message, namespace: err.namespace };
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

export function fromWireError(w: WireError): Error {
  switch (w.name) {
    case 'AskTimeoutError':
      return new AskTimeoutError(w.event ?? '', w.timeoutMs ?? 0);
    case 'ConnectionClosedError':
      return new ConnectionClosedError(w.connectionId ?? '');
    case 'ConnectionNotFoundError':
      return new ConnectionNotFoundError(w.connectionId ?? '');
    case 'BadRoomError':
      return new BadRoomError(w.namespace ?? '', w.room ?? '');
    case 'BadNamespaceError':
      return new BadNamespaceError(w.namespace ?? '');
    case 'RemoteError':
      return new RemoteError(w.message);
    case 'HandlerTimeoutError':
      return new HandlerTimeoutError(w.event ?? '', w.timeoutMs ?? 0);
    case 'TooManyPendingAsksError':
      return new TooManyPendingAsksError(w.connectionId ?? '', w.max ?? 0);
    case 'TooManyRoomsError':
      return new TooManyRoomsError(w.max ?? 0);
    case 'RoomNameTooLongError':
      return new RoomNameTooLongError(w.bytes ?? 0, w.max ?? 0);
    case 'ClientError':
      return new ClientError(w.message);
    case 'InvalidOptionError':
      return new InvalidOptionError(w.message);
    default:
      return new RemoteNodeError(w.name, w.message);
  }
}
