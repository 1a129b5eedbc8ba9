// Ports neffos event.go / neffos.ts reserved event names (docs/protocol.md §3.1).

export const OnNamespaceConnect = '_OnNamespaceConnect';
export const OnNamespaceConnected = '_OnNamespaceConnected';
export const OnNamespaceDisconnect = '_OnNamespaceDisconnect';
export const OnRoomJoin = '_OnRoomJoin';
export const OnRoomJoined = '_OnRoomJoined';
export const OnRoomLeave = '_OnRoomLeave';
export const OnRoomLeft = '_OnRoomLeft';
/** Wildcard handler key: fires for any event of a namespace that has no handler of its own. */
export const OnAnyEvent = '_OnAnyEvent';
/** Unframed WebSocket payloads, and framed ones sent with this event name (docs/protocol.md §2.8). */
export const OnNativeMessage = '_OnNativeMessage';

const systemEvents: ReadonlySet<string> = new Set([
  OnNamespaceConnect,
  OnNamespaceConnected,
  OnNamespaceDisconnect,
  OnRoomJoin,
  OnRoomJoined,
  OnRoomLeave,
  OnRoomLeft,
]);

/** The seven lifecycle events, as Go `IsSystemEvent` defines them (not `_OnAnyEvent`, not `_OnNativeMessage`). */
export function isSystemEvent(event: string): boolean {
  return systemEvents.has(event);
}
