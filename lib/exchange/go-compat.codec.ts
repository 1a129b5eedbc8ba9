// Go neffos' StackExchange bus format (docs/protocol.md §5.4): channel names and the payload, a plain 7-field
// frame. What Go cannot carry (the sending node, exclusions by id, the binary flag) rides in the wait
// slot behind Go's own `neffos(0x` exclusion prefix: a Go node parses such a token as `FromExplicit`,
// clears it and, finding no connection of its own with that identity, delivers to everyone, so the
// extra fields cost it nothing; our nodes read them back.
import { type Message, decodeMessage, encodeFields } from '../protocol/index.js';

/** Redis channels end with a dot (Go PSUBSCRIBEs `<prefix>.<name>.`); NATS subjects do not. */
export type GoBusLayout = 'redis' | 'nats';

export function goChannelNamer(prefix: string, layout: GoBusLayout): (name: string) => string {
  return layout === 'redis' ? (name) => `${prefix}.${name}.` : (name) => `${prefix}.${name}`;
}

const GO_EXPLICIT = 'neffos(0x';
const OURS = `${GO_EXPLICIT}/nestjs/`;

export interface GoFrameOrigin {
  /** Our node that published it; `undefined` for a Go node. */
  nodeId?: string;
  binary: boolean;
  except?: string[];
}

/** The wait slot of a frame we publish: `neffos(0x/nestjs/<node>/<b|t>/<id>,<id>)`, ids URI-encoded (no `;`, `,` or `/`). */
export function encodeOrigin(nodeId: string, binary: boolean, except: readonly string[] | undefined): string {
  const ids = except === undefined || except.length === 0 ? '' : except.map(encodeURIComponent).join(',');
  return `${OURS}${nodeId}/${binary ? 'b' : 't'}/${ids})`;
}

/** Reads a wait slot: ours, Go's exclusion marker (excludes a Go connection, nobody here), or anything else (Go ignores it too). */
export function decodeOrigin(token: string): GoFrameOrigin | undefined {
  if (!token.startsWith(OURS) || !token.endsWith(')')) return undefined;
  const parts = token.slice(OURS.length, -1).split('/');
  if (parts.length !== 3 || (parts[1] !== 'b' && parts[1] !== 't')) return undefined;
  let except: string[] | undefined;
  try {
    except = parts[2] === '' ? undefined : parts[2]!.split(',').map(decodeURIComponent);
  } catch {
    return undefined;
  }
  return { nodeId: parts[0], binary: parts[1] === 'b', except };
}

export interface GoFrameFields {
  namespace: string;
  room: string;
  event: string;
  body: Buffer | string;
  binary: boolean;
  except?: readonly string[];
}

/** The payload a Go node would publish for this emit, with our origin in the wait slot. */
export function encodeGoFrame(nodeId: string, f: GoFrameFields): Buffer {
  return encodeFields(encodeOrigin(nodeId, f.binary, f.except), f.namespace, f.room, f.event, false, false, f.body);
}

export type DecodedGoFrame =
  | { ok: true; msg: Message; origin: GoFrameOrigin }
  | { ok: false; reason: string };

/** Parses a bus payload as Go does (text; the binary flag only if one of our nodes set it). Never throws. */
export function decodeGoFrame(payload: Buffer): DecodedGoFrame {
  const msg = decodeMessage(payload, false);
  if (msg === undefined) return { ok: false, reason: 'not a neffos frame (fewer than six ";")' };
  if (msg.event === '') return { ok: false, reason: 'a frame without an event' };
  const origin = decodeOrigin(msg.token) ?? { binary: false };
  // Go's exclusion marker names one of its own connections, and a Go Server.Ask token cannot be
  // answered across nodes (docs/protocol.md §5.5): either way the copy we deliver carries no token.
  msg.token = '';
  msg.isBinary = origin.binary;
  return { ok: true, msg, origin };
}
