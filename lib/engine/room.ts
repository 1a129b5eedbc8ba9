// Ports neffos conn_room.go:Room: one connection's membership of one room.
import type { HandlerResult } from './engine.types.js';
import type { NSConn } from './namespace-conn.js';

export class Room {
  // Private: made by the NSConn that joins it.
  private constructor(
    readonly nsConn: NSConn,
    readonly name: string,
  ) {}

  /** @internal */
  static create(nsConn: NSConn, name: string): Room {
    return new Room(nsConn, name);
  }

  /** Sends an event in this room to this connection only (use the engine's broadcast for the whole room). */
  emit(event: string, body: HandlerResult): boolean {
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
