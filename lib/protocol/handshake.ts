// Ports neffos conn.go:handleACK (docs/protocol.md §1.2): the client's `M`, the server's `A<id>` or `H<error>`.

const ACK_REQUEST = 0x4d; // 'M'

/** Go checks only the first byte, so `Mxyz` is an ack too. Only `M` is accepted: never a client `A…` (docs/protocol.md §1.5). */
export function isAckRequest(frame: Buffer): boolean {
  return frame.length > 0 && frame[0] === ACK_REQUEST;
}

export function encodeAck(connectionId: string): string {
  return `A${connectionId}`;
}

export function encodeAckRejection(reason: string): string {
  return `H${reason}`;
}
