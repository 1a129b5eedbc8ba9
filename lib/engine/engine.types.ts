// The engine's public types: handler maps as neffos conn_handler.go:Events / Namespaces (docs/protocol.md §7),
// what a handler may return, and the messages and options of broadcast, to and ask.
import type { BodyField, EventRequest, Payload } from '../protocol/event-map.js';
import type { Message } from '../protocol/index.js';
import type { NSConn } from './namespace-conn.js';

/**
 * What a handler may return: the reply body (string, bytes, or a value sent as JSON), or nothing.
 * Throwing (or rejecting) sends an error reply with the error's message.
 */
export type HandlerResult = string | Buffer | Uint8Array | object | number | boolean | null | undefined | void;

export type EventHandler = (msg: Message, conn: NSConn) => HandlerResult | Promise<HandlerResult>;

/** The events of one namespace, by wire name (`_OnNamespaceConnect` … for the lifecycle hooks). */
export type Events = Readonly<Record<string, EventHandler>>;

/** Every namespace this server serves, by name (`''` is a valid namespace). */
export type Namespaces = Readonly<Record<string, Events>>;

/** A message for many connections; it never carries a token (docs/protocol.md §5.1). */
export interface BroadcastMessage {
  namespace: string;
  /** Only members of this room (default: the whole namespace). */
  room?: string;
  event: string;
  body?: Payload;
  /** Send as a binary frame (default: text). */
  binary?: boolean;
}

/**
 * A `BroadcastMessage` for event `E` of namespace `K` of the namespace map `N` (see `NamespaceMap`):
 * `body` has that event's type, and is required unless it may be `undefined`.
 */
export type NamespaceMessage<N, K extends keyof N, E extends keyof N[K]> = {
  namespace: K;
  room?: string;
  event: E;
  binary?: boolean;
} & BodyField<EventRequest<N[K], E>>;

export interface BroadcastOptions {
  /** Connection id(s) that must not receive it. */
  except?: string | readonly string[];
}

/** A message for one connection (its token-free form, like a broadcast). */
export type TargetedMessage = BroadcastMessage;

export interface AskOptions {
  /** Milliseconds to wait for the reply; defaults to the engine's `askTimeout`. */
  timeout?: number;
  /** Room of the request (default: namespace level). */
  room?: string;
  binary?: boolean;
}

export interface BroadcastFromOptions {
  /** Only to members of this room. */
  room?: string;
  binary?: boolean;
  /** Also deliver to this connection (default: everyone else). */
  includeSelf?: boolean;
}
