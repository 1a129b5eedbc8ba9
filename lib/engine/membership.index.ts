// Two-way namespace/room ↔ connection index (as socket.io-adapter keeps rooms), so a broadcast
// visits only the recipients instead of filtering every connection through the write guard.
import type { NSConn } from './namespace-conn.js';

const NONE: ReadonlySet<NSConn> = new Set();

export class MembershipIndex {
  private readonly namespaces = new Map<string, Set<NSConn>>();
  private readonly rooms = new Map<string, Map<string, Set<NSConn>>>();

  addNamespace(ns: NSConn): void {
    let set = this.namespaces.get(ns.namespace);
    if (set === undefined) this.namespaces.set(ns.namespace, (set = new Set()));
    set.add(ns);
  }

  removeNamespace(ns: NSConn): void {
    const set = this.namespaces.get(ns.namespace);
    if (set === undefined) return;
    set.delete(ns);
    if (set.size === 0) this.namespaces.delete(ns.namespace);
  }

  addRoom(ns: NSConn, room: string): void {
    let byRoom = this.rooms.get(ns.namespace);
    if (byRoom === undefined) this.rooms.set(ns.namespace, (byRoom = new Map()));
    let set = byRoom.get(room);
    if (set === undefined) byRoom.set(room, (set = new Set()));
    set.add(ns);
  }

  removeRoom(ns: NSConn, room: string): void {
    const byRoom = this.rooms.get(ns.namespace);
    const set = byRoom?.get(room);
    if (byRoom === undefined || set === undefined) return;
    set.delete(ns);
    if (set.size === 0) byRoom.delete(room);
    if (byRoom.size === 0) this.rooms.delete(ns.namespace);
  }

  /** Connections in a namespace, or in one of its rooms when `room` is non-empty. */
  members(namespace: string, room = ''): ReadonlySet<NSConn> {
    if (room === '') return this.namespaces.get(namespace) ?? NONE;
    return this.rooms.get(namespace)?.get(room) ?? NONE;
  }

  /** Names of the rooms of a namespace that have at least one member. */
  roomNames(namespace: string): string[] {
    return [...(this.rooms.get(namespace)?.keys() ?? [])];
  }
}
