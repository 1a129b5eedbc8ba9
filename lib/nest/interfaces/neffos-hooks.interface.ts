// The lifecycle hooks of a @NeffosController as interfaces, like Nest's `OnModuleInit`: with
// `implements OnNamespaceConnected` the compiler checks the method's name and parameters. Each name is
// also the hook's wire event, a string constant of the protocol layer that users import as a value; a
// TypeScript interface can share a name with a constant only when both are declared in one module, so
// the constants are declared again here with the same values (and literal types), and the root entry
// exports these merged names (lib/index.ts). The protocol layer stays free of engine and Nest types.
import type { NSConn } from '../../engine/index.js';
import * as wire from '../../protocol/index.js';
import type { Message } from '../../protocol/index.js';

/** `_OnNamespaceConnect`; as an interface: a controller method that may refuse a namespace connect. */
export const OnNamespaceConnect = wire.OnNamespaceConnect;
export interface OnNamespaceConnect {
  /** Before the client's namespace connect is accepted; throwing refuses it with the error's text. */
  onNamespaceConnect(msg: Message, conn: NSConn): unknown;
}

/** `_OnNamespaceConnected`; as an interface: runs once the connect is accepted (a welcome emit goes here). */
export const OnNamespaceConnected = wire.OnNamespaceConnected;
export interface OnNamespaceConnected {
  onNamespaceConnected(msg: Message, conn: NSConn): unknown;
}

/** `_OnNamespaceDisconnect`; as an interface: runs when the connection leaves the namespace (or closes). */
export const OnNamespaceDisconnect = wire.OnNamespaceDisconnect;
export interface OnNamespaceDisconnect {
  /** Throwing refuses a disconnect the client asked for; on a close it only runs. */
  onNamespaceDisconnect(msg: Message, conn: NSConn): unknown;
}

/** `_OnRoomJoin`; as an interface: may refuse a room join (`msg.room`) by throwing. */
export const OnRoomJoin = wire.OnRoomJoin;
export interface OnRoomJoin {
  onRoomJoin(msg: Message, conn: NSConn): unknown;
}

/** `_OnRoomJoined`; as an interface: runs once the connection is in the room `msg.room`. */
export const OnRoomJoined = wire.OnRoomJoined;
export interface OnRoomJoined {
  onRoomJoined(msg: Message, conn: NSConn): unknown;
}

/** `_OnRoomLeave`; as an interface: may refuse leaving the room `msg.room` by throwing. */
export const OnRoomLeave = wire.OnRoomLeave;
export interface OnRoomLeave {
  onRoomLeave(msg: Message, conn: NSConn): unknown;
}

/** `_OnRoomLeft`; as an interface: runs once the connection has left the room `msg.room`. */
export const OnRoomLeft = wire.OnRoomLeft;
export interface OnRoomLeft {
  onRoomLeft(msg: Message, conn: NSConn): unknown;
}

/** `_OnNativeMessage`; as an interface: unframed frames on namespace `''`; the return value is sent back framed. */
export const OnNativeMessage = wire.OnNativeMessage;
export interface OnNativeMessage {
  onNativeMessage(msg: Message, conn: NSConn): unknown;
}
