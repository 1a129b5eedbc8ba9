// Ports neffos conn.go:handleMessage (docs/protocol.md §3.3): routes one frame of an acknowledged connection to
// what acts on it — a pending server ask, the namespace lifecycle, a room of an NSConn, or an event
// handler whose result becomes the reply (§3.2).
import {
  ERR_BAD_ROOM,
  Message,
  OnAnyEvent,
  OnNamespaceConnect,
  OnNamespaceConnected,
  OnNamespaceDisconnect,
  OnNativeMessage,
  OnRoomJoin,
  OnRoomJoined,
  OnRoomLeave,
  OnRoomLeft,
  decodeMessage,
  mayBeServerReply,
  encodeFields,
} from '../protocol/index.js';
import type { Conn } from './conn.js';
import { UNKNOWN_EVENT } from './engine.messages.js';
import { replyConnect, replyDisconnect } from './namespace-lifecycle.js';
import { answer, isPromiseLike, toBody, writeErrorReply } from './reply.writer.js';

const UNDERSCORE = 0x5f;

/** Handles one data frame of an acknowledged connection. Returns a promise while work is pending. */
export function routeFrame(conn: Conn, data: Buffer, binary: boolean): Promise<unknown> | undefined {
  if (conn.host.options.nativeOnly) return handleNative(conn, new Message({ body: data, isBinary: binary, isNative: true }), false);
  const msg = decodeMessage(data, binary);
  if (msg === undefined) {
    // Mixed mode (docs/protocol.md §2.8): an unframed payload is a native message of namespace "" if it is connected.
    if (conn.namespace('')?.events[OnNativeMessage] === undefined) return undefined;
    return handleNative(conn, new Message({ body: data, isBinary: binary, isNative: true }), true);
  }
  // Client asks carry `$` tokens: only other tokens can answer (or come late for) an ask of ours.
  if (mayBeServerReply(msg.token) && conn.takeReply(msg)) return undefined;
  // Reserved names all start with "_": ordinary events skip the string compares below.
  if (msg.event.charCodeAt(0) !== UNDERSCORE) return handleEvent(conn, msg);
  switch (msg.event) {
    case OnNamespaceConnect:
      return replyConnect(conn, msg);
    case OnNamespaceDisconnect:
      return replyDisconnect(conn, msg);
    case OnRoomJoin:
      return conn.namespace(msg.namespace)?.replyJoin(msg);
    case OnRoomLeave:
      return conn.namespace(msg.namespace)?.replyLeave(msg);
    case OnRoomLeft:
    case OnRoomJoined:
    case OnNamespaceConnected:
      // Local-only notifications. neffos.js leaveAll() sends _OnRoomLeft by mistake (docs/protocol.md §3.8.3):
      // like Go, no reply and no state change; unlike Go, no user hook fires on a client's word.
      return undefined;
    case OnNativeMessage:
      if (msg.namespace !== '') return handleEvent(conn, msg);
      msg.isNative = true;
      return handleNative(conn, msg, true);
    default:
      return handleEvent(conn, msg);
  }
}

/** A custom event: run its handler and write back what it returned (docs/protocol.md §3.2). */
function handleEvent(conn: Conn, msg: Message): Promise<void> | undefined {
  const nsConn = conn.namespace(msg.namespace);
  if (nsConn === undefined) return undefined; // not connected: dropped silently, as Go (docs/protocol.md §3.3)
  if (msg.room !== '' && !nsConn.rooms.has(msg.room)) {
    // Go runs the handler and then drops its reply; we refuse room events from non-members, and
    // answer an ask so it cannot hang.
    if (msg.token !== '') writeErrorReply(conn, msg, ERR_BAD_ROOM);
    return undefined;
  }
  const handler = nsConn.events[msg.event] ?? nsConn.events[OnAnyEvent];
  if (handler === undefined) {
    if (msg.token !== '') writeErrorReply(conn, msg, UNKNOWN_EVENT(msg.event, msg.namespace));
    return undefined;
  }
  return answer(conn, msg, handler, nsConn);
}

/** `_OnNativeMessage` of namespace "": framed replies in mixed mode, raw ones in native-only mode. */
function handleNative(conn: Conn, msg: Message, framed: boolean): Promise<void> | undefined {
  const nsConn = conn.namespace('');
  const handler = nsConn?.events[OnNativeMessage];
  if (nsConn === undefined || handler === undefined) return undefined;
  const write = (result: unknown): void => {
    let body: Buffer | string | undefined;
    try {
      body = toBody(result, msg);
    } catch (err) {
      conn.host.reportError(err, conn);
      return;
    }
    if (body === undefined) return;
    if (framed) conn.write(encodeFields('', '', '', OnNativeMessage, false, false, body), msg.isBinary);
    else conn.write(body, msg.isBinary);
  };
  let result: unknown;
  try {
    result = handler(msg, nsConn);
  } catch (err) {
    conn.host.reportError(err, conn);
    return undefined;
  }
  if (isPromiseLike(result)) {
    return Promise.resolve(result).then(write, (err: unknown) => conn.host.reportError(err, conn));
  }
  write(result);
  return undefined;
}
