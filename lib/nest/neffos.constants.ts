// Metadata keys of this package, and the few Nest keys we read. Nest's keys come from its public
// `@nestjs/common/constants` subpath, imported here only, so a rename upstream breaks one file.
export {
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  INTERCEPTORS_METADATA,
  PIPES_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants.js';

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

/** Method names that bind to neffos lifecycle events (DESIGN.md; both spellings, as Go's struct handler). */
export const SYSTEM_HOOK_METHODS: Readonly<Record<string, string>> = {
  onNamespaceConnect: '_OnNamespaceConnect',
  onNamespaceConnected: '_OnNamespaceConnected',
  onNamespaceDisconnect: '_OnNamespaceDisconnect',
  onRoomJoin: '_OnRoomJoin',
  onRoomJoined: '_OnRoomJoined',
  onRoomLeave: '_OnRoomLeave',
  onRoomLeft: '_OnRoomLeft',
  onNativeMessage: '_OnNativeMessage',
  OnNamespaceConnect: '_OnNamespaceConnect',
  OnNamespaceConnected: '_OnNamespaceConnected',
  OnNamespaceDisconnect: '_OnNamespaceDisconnect',
  OnRoomJoin: '_OnRoomJoin',
  OnRoomJoined: '_OnRoomJoined',
  OnRoomLeave: '_OnRoomLeave',
  OnRoomLeft: '_OnRoomLeft',
};
