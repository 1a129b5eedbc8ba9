// Ports neffos conn_room.go:Room: one connection's membership of one room.
import type { BodyArg, EventMap, EventName, EventRequest, Payload } from '../protocol/event-map.js';
import type { NSConn } from './namespace-conn.js';

/** `M`: the namespace's event map, as on its `NSConn` (types only). */
export class Room<M extends EventMap<M> = any> {
  // Private: made by the NSConn that joins it.
  private constructor(
    readonly nsConn: NSConn<M>,
    readonly name: string,
  ) {}

  /** @internal */
  static create<M extends EventMap<M>>(nsConn: NSConn<M>, name: string): Room<M> {
    return new Room(nsConn, name);
  }

  /** Sends an event in this room to this connection only (use the engine's broadcast for the whole room). */
  emit<E extends EventName<M>>(event: E, ...body: BodyArg<EventRequest<M, E>>): boolean;
  emit(event: string, body?: Payload): boolean {
    return this.nsConn.emitTo(this.name, event, body, false);
  }

  emitBinary(event: string, body: Buffer | Uint8Array): boolean {
    return this.nsConn.emitTo(this.name, event, body, true);
  }

  /** Asks the client to leave; resolves once it has, rejects with its error text. */
  leave(): Promise<void> {
    return this.nsConn.leaveRoom(this.name);
  }
}
