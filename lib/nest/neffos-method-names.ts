// The method names with a meaning of their own on a controller: neffos lifecycle hooks (bound by name)
// and Nest lifecycle hooks (never events), and the names one edit away from them, which the start-up
// log warns about (a misspelled hook would otherwise become an event, or do nothing, silently).
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
import type { NeffosEventsMode } from './interfaces/neffos-module-options.interface.js';
import { editDistance } from './nearest-name.js';

/** Nest lifecycle hooks: never events. */
export const NEST_LIFECYCLE_METHODS: ReadonlySet<string> = new Set([
  'onModuleInit',
  'onApplicationBootstrap',
  'onModuleDestroy',
  'beforeApplicationShutdown',
  'onApplicationShutdown',
]);

const LIFECYCLE_EVENTS = [OnNamespaceConnect, OnNamespaceConnected, OnNamespaceDisconnect, OnRoomJoin, OnRoomJoined, OnRoomLeave, OnRoomLeft];

/**
 * Method names that bind to neffos lifecycle events (README, "Controllers"): `onX` and the Go spelling
 * `OnX` both map to `_OnX`, as Go's struct handler does; `onNativeMessage` (lower-case only) to
 * `_OnNativeMessage`. A Map, so a method named like an Object.prototype member finds nothing.
 */
export const SYSTEM_HOOK_METHODS: ReadonlyMap<string, string> = new Map([
  ...LIFECYCLE_EVENTS.flatMap((event): Array<[string, string]> => [
    [`o${event.slice(2)}`, event],
    [event.slice(1), event],
  ]),
  ['onNativeMessage', OnNativeMessage],
]);

/** The hook spellings a near miss is measured against (the Go spellings differ only in case). */
const HOOKS: ReadonlyArray<{ method: string; kind: 'neffos' | 'Nest' }> = [
  ...LIFECYCLE_EVENTS.map((event) => ({ method: `o${event.slice(2)}`, kind: 'neffos' as const })),
  { method: 'onNativeMessage', kind: 'neffos' },
  ...[...NEST_LIFECYCLE_METHODS].map((method) => ({ method, kind: 'Nest' as const })),
];

/**
 * The hooks of a @nestjs/websockets gateway (OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit),
 * kept when a gateway becomes a controller: neffos never calls them, and under the default rule clients
 * could call them as events. What to write instead (README, "Migrating from @WebSocketGateway").
 */
const GATEWAY_HOOKS: ReadonlyMap<string, string> = new Map([
  ['handleConnection', 'onNamespaceConnected'],
  ['handleDisconnect', 'onNamespaceDisconnect'],
  ['afterInit', 'onModuleInit'],
]);

export interface HookNearMiss {
  /** The hook the method name is one edit (ignoring case) away from; for a gateway hook, the one to use instead. */
  hook: string;
  /** `gateway`: the method is a gateway hook of that name, which neffos never calls. */
  kind: 'neffos' | 'Nest' | 'gateway';
}

/** The hook `methodName` looks like a misspelling of (one edit away, ignoring case, and not a hook itself), or the gateway hook it is. */
export function hookNearMiss(methodName: string): HookNearMiss | undefined {
  if (SYSTEM_HOOK_METHODS.has(methodName) || NEST_LIFECYCLE_METHODS.has(methodName)) return undefined;
  const instead = GATEWAY_HOOKS.get(methodName);
  if (instead !== undefined) return { hook: instead, kind: 'gateway' };
  // Cheap pre-filter: an edit changes the length by at most one.
  const found = HOOKS.find((h) => Math.abs(h.method.length - methodName.length) <= 1 && editDistance(h.method, methodName) <= 1);
  return found === undefined ? undefined : { hook: found.method, kind: found.kind };
}

const EVENTS_MODES: ReadonlySet<unknown> = new Set<NeffosEventsMode>(['public-methods', 'decorated']);

export function isEventsMode(value: unknown): value is NeffosEventsMode {
  return EVENTS_MODES.has(value);
}
