// Ports neffos conn.go:handleMessage and the reply* functions of conn.go / conn_namespace.go
// (spec §3.3, §3.5.1, §3.6.1, §3.7.1, §3.8.1): what the server does with each frame from a client.
import {
  ERR_BAD_NAMESPACE,
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
  encodeEmptyReply,
  mayBeServerReply,
} from '../protocol/index.js';
import type { Conn } from './conn.js';
import { errorText } from './engine.errors.js';
import { isPromiseLike, toBody } from './handler-result.js';
import { NSConn } from './namespace-conn.js';

const UNDERSCORE = 0x5f;

/** Handles one data frame of an acknowledged connection. Returns a promise while work is pending. */
export function dispatchFrame(conn: Conn, data: Buffer, binary: boolean): unknown {
  if (conn.options.nativeOnly) return handleNative(conn, new Message({ body: data, isBinary: binary, isNative: true }), false);
  const msg = decodeMessage(data, binary);
  if (msg === undefined) {
    // Mixed mode (spec §2.8): an unframed payload is a native message of namespace "" if it is connected.
    const native = conn.namespace('');
    if (native === undefined || native.events[OnNativeMessage] === undefined) return undefined;
    return handleNative(conn, new Message({ body: data, isBinary: binary, isNative: true }), true);
  }
  if (mayBeServerReply(msg.token)) {
    if (conn.settleReply(msg)) return undefined;
    // A reply to an ask of ours that already timed out: drop it rather than fire a handler (spec §4.6).
    if (conn.engine.tokens.owns(msg.token)) return undefined;
  }
  // Reserved names all start with "_": ordinary events skip the string compares below.
  if (msg.event.charCodeAt(0) !== UNDERSCORE) return handleEvent(conn, msg);
  switch (msg.event) {
    case OnNamespaceConnect:
      return replyConnect(conn, msg);
    case OnNamespaceDisconnect:
      return replyDisconnect(conn, msg);
    case OnRoomJoin:
      return replyRoomJoin(conn, msg);
    case OnRoomLeave:
      return replyRoomLeave(conn, msg);
    case OnRoomLeft:
    case OnRoomJoined:
    case OnNamespaceConnected:
      // Local-only notifications. neffos.js leaveAll() sends _OnRoomLeft by mistake (spec §3.8.3):
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

function writeEmptyReply(conn: Conn, token: string): void {
  conn.write(encodeEmptyReply(token), false);
}

/**
 * Error replies are text frames even for binary requests, so neffos.js can read the text (spec §11).
 * The text is never empty: Go reads `is-error=1` with an empty body as success, neffos.js rejects with
 * `undefined` (spec §2.4), so `throw new Error('')` would otherwise pass for success with Go clients.
 */
function writeErrorReply(conn: Conn, msg: Message, err: unknown): void {
  conn.writeFields(msg.token, msg.namespace, msg.room, msg.event, true, msg.isNoOp, errorText(err) || 'rejected', false);
}

function isRequest(msg: Message): boolean {
  return msg.token !== '' && !msg.isNoOp;
}

/** Runs a lifecycle hook; resolves to an error to reply with, or undefined when it allowed the action. */
async function veto(conn: Conn, nsConn: NSConn, msg: Message): Promise<unknown> {
  try {
    await conn.fire(nsConn, msg);
    return undefined;
  } catch (err) {
    return err ?? new Error('rejected');
  }
}

async function replyConnect(conn: Conn, msg: Message): Promise<void> {
  if (!isRequest(msg)) return;
  if (conn.namespace(msg.namespace) !== undefined) return writeEmptyReply(conn, msg.token);
  const events = conn.options.namespaces[msg.namespace];
  if (events === undefined) return writeErrorReply(conn, msg, ERR_BAD_NAMESPACE);
  const nsConn = new NSConn(conn, msg.namespace, events);
  const rejected = await veto(conn, nsConn, msg);
  if (rejected !== undefined) return writeErrorReply(conn, msg, rejected);
  if (conn.isClosed) return;
  // A server-forced connect may have completed while the hook ran: keep one NSConn, not two.
  if (conn.namespace(msg.namespace) !== undefined) return writeEmptyReply(conn, msg.token);
  conn.addNamespace(nsConn);
  writeEmptyReply(conn, msg.token);
  await conn.fireQuietly(nsConn, new Message({ namespace: msg.namespace, event: OnNamespaceConnected }));
}

async function replyDisconnect(conn: Conn, msg: Message): Promise<void> {
  if (!isRequest(msg)) return;
  const nsConn = conn.namespace(msg.namespace);
  if (nsConn === undefined) return writeEmptyReply(conn, msg.token);
  const rejected = await veto(conn, nsConn, msg);
  if (rejected !== undefined) return writeErrorReply(conn, msg, rejected);
  // Closed, or disconnected by the server, while the hook ran: already torn down.
  if (!conn.isConnectedTo(nsConn)) return writeEmptyReply(conn, msg.token);
  await conn.removeNamespace(nsConn, false);
  writeEmptyReply(conn, msg.token);
}

async function replyRoomJoin(conn: Conn, msg: Message): Promise<void> {
  const nsConn = conn.namespace(msg.namespace);
  if (nsConn === undefined || !isRequest(msg)) return;
  // Room "" is the namespace level itself; joining it would make namespace frames look like room ones.
  if (msg.room === '') return writeErrorReply(conn, msg, ERR_BAD_ROOM);
  if (nsConn.rooms.has(msg.room)) return writeEmptyReply(conn, msg.token);
  const rejected = await veto(conn, nsConn, msg);
  if (rejected !== undefined) return writeErrorReply(conn, msg, rejected);
  // Closed, or disconnected by the server, while the hook ran: a room of a dropped NSConn would stay in
  // the index for ever and let room broadcasts past the write guard.
  if (!conn.isConnectedTo(nsConn)) return writeErrorReply(conn, msg, ERR_BAD_NAMESPACE);
  // A server-forced join of the same room may have completed meanwhile: join (and fire) once.
  if (nsConn.rooms.has(msg.room)) return writeEmptyReply(conn, msg.token);
  nsConn.addRoom(msg.room);
  await conn.fireQuietly(nsConn, new Message({ namespace: msg.namespace, room: msg.room, event: OnRoomJoined }));
  writeEmptyReply(conn, msg.token);
}

async function replyRoomLeave(conn: Conn, msg: Message): Promise<void> {
  const nsConn = conn.namespace(msg.namespace);
  if (nsConn === undefined || !isRequest(msg)) return;
  if (!nsConn.rooms.has(msg.room)) return writeEmptyReply(conn, msg.token);
  const rejected = await veto(conn, nsConn, msg);
  if (rejected !== undefined) return writeErrorReply(conn, msg, rejected);
  // Left meanwhile (close, namespace disconnect, server-forced leave): its Leave/Left hooks have fired.
  if (!conn.isConnectedTo(nsConn) || !nsConn.rooms.has(msg.room)) return writeEmptyReply(conn, msg.token);
  nsConn.removeRoom(msg.room);
  await conn.fireQuietly(nsConn, new Message({ namespace: msg.namespace, room: msg.room, event: OnRoomLeft }));
  writeEmptyReply(conn, msg.token);
}

/** A custom event: run its handler and write back what it returned (spec §3.2). */
function handleEvent(conn: Conn, msg: Message): unknown {
  const nsConn = conn.namespace(msg.namespace);
  if (nsConn === undefined) return undefined; // not connected: dropped silently, as Go (spec §3.3)
  if (msg.room !== '' && !nsConn.rooms.has(msg.room)) {
    // Go runs the handler and then drops its reply; we refuse room events from non-members, and
    // answer an ask so it cannot hang.
    if (msg.token !== '') writeErrorReply(conn, msg, ERR_BAD_ROOM);
    return undefined;
  }
  const handler = nsConn.events[msg.event] ?? nsConn.events[OnAnyEvent];
  if (handler === undefined) {
    if (msg.token !== '') writeErrorReply(conn, msg, `unknown event "${msg.event}" in namespace "${msg.namespace}"`);
    return undefined;
  }
  let result: unknown;
  try {
    result = handler(msg, nsConn);
  } catch (err) {
    writeErrorReply(conn, msg, err);
    return undefined;
  }
  if (isPromiseLike(result)) {
    return Promise.resolve(result).then(
      (value) => writeResult(conn, msg, value),
      (err: unknown) => writeErrorReply(conn, msg, err),
    );
  }
  writeResult(conn, msg, result);
  return undefined;
}

function writeResult(conn: Conn, msg: Message, result: unknown): void {
  let body: Buffer | string | undefined;
  try {
    body = toBody(result);
  } catch (err) {
    // A value JSON cannot encode (a cycle, a BigInt) is a handler failure: answer it, so an ask cannot hang.
    return writeErrorReply(conn, msg, err);
  }
  if (body === undefined && msg.token === '') return;
  conn.writeFields(msg.token, msg.namespace, msg.room, msg.event, false, msg.isNoOp, body ?? '', msg.isBinary);
}

/** `_OnNativeMessage` of namespace "": framed replies in mixed mode, raw ones in native-only mode. */
function handleNative(conn: Conn, msg: Message, framed: boolean): unknown {
  const nsConn = conn.namespace('');
  const handler = nsConn?.events[OnNativeMessage];
  if (nsConn === undefined || handler === undefined) return undefined;
  const write = (result: unknown): void => {
    const body = toBody(result);
    if (body === undefined) return;
    if (framed) conn.writeFields('', '', '', OnNativeMessage, false, false, body, msg.isBinary);
    else conn.write(body, msg.isBinary);
  };
  let result: unknown;
  try {
    result = handler(msg, nsConn);
  } catch (err) {
    conn.engine.reportError(err, conn);
    return undefined;
  }
  if (isPromiseLike(result)) {
    return Promise.resolve(result).then(write, (err: unknown) => conn.engine.reportError(err, conn));
  }
  write(result);
  return undefined;
}
