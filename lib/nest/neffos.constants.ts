// Metadata keys of this package, and the few Nest keys we read. Nest's keys come from its public
// `@nestjs/common/constants` subpath, imported here only, so a rename upstream breaks one file.
export {
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  INTERCEPTORS_METADATA,
  PIPES_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants.js';

import {
  OnNamespaceConnect,
  OnNamespaceConnected,
  OnNamespaceDisconnect,
  OnNativeMessage,
  OnRoomJoin,
  OnRoomJoined,
  OnRoomLeave,
  OnRoomLeft,
} from '../protocol/index.js';

export const NEFFOS_CONTROLLER_METADATA = 'neffos:controller';
export const NEFFOS_EVENT_METADATA = 'neffos:event';
export const NEFFOS_IGNORE_METADATA = 'neffos:ignore';

/** Nest lifecycle hooks: never events. */
export const NEST_LIFECYCLE_METHODS: ReadonlySet<string> = new Set([
  'onModuleInit',
  'onApplicationBootstrap',
  'onModuleDestroy',
  'beforeApplicationShutdown',
  'onApplicationShutdown',
]);

/**
 * Method names that bind to neffos lifecycle events (DESIGN.md): `onX` and the Go spelling `OnX` both
 * map to `_OnX`, as Go's struct handler does; `onNativeMessage` (lower-case only) to `_OnNativeMessage`.
 * A Map, so a method named like an Object.prototype member finds nothing.
 */
export const SYSTEM_HOOK_METHODS: ReadonlyMap<string, string> = new Map([
  ...[OnNamespaceConnect, OnNamespaceConnected, OnNamespaceDisconnect, OnRoomJoin, OnRoomJoined, OnRoomLeave, OnRoomLeft].flatMap(
    (event): Array<[string, string]> => [
      [`o${event.slice(2)}`, event],
      [event.slice(1), event],
    ],
  ),
  ['onNativeMessage', OnNativeMessage],
]);
