// Wait tokens (spec §4.1, §4.2): clients use `$…`, servers bare digits; replies match by token alone.

const DOLLAR = 0x24; // '$'
const HASH = 0x23; // '#'

/** A client-generated token (`$…`): an ask from the client, never a reply to the server. */
export function isClientToken(token: string): boolean {
  return token.charCodeAt(0) === DOLLAR;
}

/** Whether the server should look this token up among its pending asks (Go `IsWait(false)`). */
export function mayBeServerReply(token: string): boolean {
  return token.length > 0 && token.charCodeAt(0) !== DOLLAR;
}

/** Whether neffos.js would treat a token as its own (so a server must never generate one like it). */
export function isReservedByClients(token: string): boolean {
  const c = token.charCodeAt(0);
  return c === DOLLAR || c === HASH || token.startsWith('neffos(0x');
}

/**
 * Server tokens: decimal digits only (the safest form for both clients, spec §4.1), unique within
 * this process. A fixed-width prefix keeps `prefix + counter` from colliding across prefixes.
 */
export class ServerTokenSource {
  private counter = 0;
  private readonly prefix: string;

  /** @param prefix digits that identify this node (a node id, or the start time by default) */
  constructor(prefix: string = String(Date.now())) {
    if (!/^\d+$/.test(prefix)) throw new TypeError(`server token prefix must be decimal digits, got "${prefix}"`);
    this.prefix = prefix;
  }

  next(): string {
    this.counter++;
    return `${this.prefix}${String(this.counter).padStart(6, '0')}`;
  }
}
