// Handler maps, as neffos conn_handler.go:Events / Namespaces (spec §7): namespace → event → handler.
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
