// The nickname comes from the handshake: neffos.js `dial(url, handlers, { headers: { 'X-Nickname': name } })`
// sends it from a browser as the query parameter `X-Websocket-Header-X-Nickname`, which the server
// merges into the upgrade request's headers as `x-nickname`.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const MAX_NICKNAME_LENGTH = 24;

/** The cleaned-up nickname of a handshake request, or `undefined` when there is none. */
export function nicknameOf(req: IncomingMessage): string | undefined {
  const raw = req.headers['x-nickname'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  const nickname = value?.replace(/\s+/g, ' ').trim().slice(0, MAX_NICKNAME_LENGTH);
  return nickname === undefined || nickname === '' ? undefined : nickname;
}

/** NeffosModule `authorize`: a connection without a nickname is refused (neffos.js `dial` rejects with this text). */
export function requireNickname(req: IncomingMessage): true | string {
  return nicknameOf(req) === undefined ? 'choose a nickname first (X-Nickname header)' : true;
}

/**
 * NeffosModule `idGenerator`: `<nickname, URI-encoded>~<uuid>`. Several nodes (npm run start:cluster)
 * list a room's members by id over the cluster; an id that carries the nickname lets any node name
 * them without asking the node that holds them. The UUID keeps ids unique across nodes, which `to(id)`
 * needs (README, "Running several instances").
 */
export function connectionIdFor(req: IncomingMessage): string {
  return `${encodeURIComponent(nicknameOf(req) ?? 'anonymous')}~${randomUUID()}`;
}

/** The nickname in a connection id made by `connectionIdFor`. */
export function nicknameInId(id: string): string {
  const end = id.lastIndexOf('~');
  try {
    return decodeURIComponent(end < 0 ? id : id.slice(0, end));
  } catch {
    return id;
  }
}
