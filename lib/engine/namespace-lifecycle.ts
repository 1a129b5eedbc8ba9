// Ports neffos conn.go:Connect/replyConnect and conn_namespace.go:Disconnect/replyDisconnect: namespace
// connect and disconnect for both starters, the client's request (docs/protocol.md §3.5.1, §3.6.1) and the
// server's (§3.5.2, §3.6.2), with the re-check after their awaits written once for both.
import { ERR_BAD_NAMESPACE, Message, OnAnyEvent, OnNamespaceConnect, OnNamespaceConnected, OnNamespaceDisconnect } from '../protocol/index.js';
import type { Conn } from './conn.js';
import { BadNamespaceError, ConnectionClosedError } from './engine.errors.js';
import type { NSConn } from './namespace-conn.js';
import { isRequest, writeEmptyReply, writeErrorReply } from './reply.writer.js';

// ---- connect ---------------------------------------------------------------------------------------

/**
 * The client's `_OnNamespaceConnect` request. Connected already, or no such namespace, is answered at
 * once (no promise: a client may send thousands per read); the server's hook may veto the rest.
 */
export function replyConnect(conn: Conn, msg: Message): Promise<void> | undefined {
  if (!isRequest(msg)) return undefined;
  if (conn.namespace(msg.namespace) !== undefined) {
    writeEmptyReply(conn, msg.token);
    return undefined;
  }
  const nsConn = conn.newNamespace(msg.namespace);
  if (nsConn !== undefined) return connectUnlessVetoed(conn, msg, nsConn);
  writeErrorReply(conn, msg, ERR_BAD_NAMESPACE);
  return undefined;
}

async function connectUnlessVetoed(conn: Conn, msg: Message, nsConn: NSConn): Promise<void> {
  const rejected = await nsConn.veto(msg);
  if (rejected !== undefined) return writeErrorReply(conn, msg, rejected);
  const connected = commitConnect(conn, nsConn);
  if (connected === undefined) return;
  writeEmptyReply(conn, msg.token);
  if (connected !== nsConn) return;
  // neffos.js in Node (ws >= 8.17) handles every frame of one socket read before its connect promise
  // settles, and drops events of a namespace it does not consider connected yet (docs/protocol.md
  // §10.21). So what the hook writes is held until the client has read the reply (write-hold.ts); the
  // hook itself runs now, right after the reply, as in Go. The client's next frames wait in the
  // connection's queue meanwhile, so the order of events is unchanged.
  if (nsConn.events[OnNamespaceConnected] === undefined && nsConn.events[OnAnyEvent] === undefined) return;
  conn.holdUntilPeerHasRead(conn.host.options.askTimeout);
  await nsConn.fireQuietly(new Message({ namespace: msg.namespace, event: OnNamespaceConnected }));
}

/** Server-forced connect, once the handshake is answered: the server's hook, then the client's answer. */
export async function connectNamespace(conn: Conn, namespace: string, timeout: number | undefined): Promise<NSConn> {
  const existing = conn.namespace(namespace);
  if (existing !== undefined) return existing;
  const nsConn = conn.newNamespace(namespace);
  if (nsConn === undefined) throw new BadNamespaceError(namespace);
  await nsConn.fire(new Message({ namespace, event: OnNamespaceConnect, isLocal: true }));
  await conn.ask(namespace, '', OnNamespaceConnect, '', false, timeout);
  const connected = commitConnect(conn, nsConn);
  if (connected === undefined) throw new ConnectionClosedError(conn.id);
  if (connected === nsConn) await nsConn.fire(new Message({ namespace, event: OnNamespaceConnected, isLocal: true }));
  return connected;
}

/**
 * After a connect's awaits: the connection may have closed (undefined), or the other side's connect of
 * the same namespace completed meanwhile (docs/protocol.md §3.5.2): then that NSConn is kept, one and not two, and
 * only the NSConn returned equal to `nsConn` was added now.
 */
function commitConnect(conn: Conn, nsConn: NSConn): NSConn | undefined {
  if (conn.isClosed) return undefined;
  const raced = conn.namespace(nsConn.namespace);
  if (raced !== undefined) return raced;
  conn.attachNamespace(nsConn);
  return nsConn;
}

// ---- disconnect ------------------------------------------------------------------------------------

/** The client's `_OnNamespaceDisconnect` request: not connected is answered at once; the server's hook may veto the rest. */
export function replyDisconnect(conn: Conn, msg: Message): Promise<void> | undefined {
  if (!isRequest(msg)) return undefined;
  const nsConn = conn.namespace(msg.namespace);
  if (nsConn !== undefined) return disconnectUnlessVetoed(conn, msg, nsConn);
  writeEmptyReply(conn, msg.token);
  return undefined;
}

async function disconnectUnlessVetoed(conn: Conn, msg: Message, nsConn: NSConn): Promise<void> {
  const rejected = await nsConn.veto(msg);
  if (rejected !== undefined) return writeErrorReply(conn, msg, rejected);
  await commitDisconnect(nsConn, false);
  writeEmptyReply(conn, msg.token);
}

/** Server-forced disconnect (docs/protocol.md §3.6.2); neffos.js never refuses it. */
export async function disconnectNamespace(nsConn: NSConn, timeout: number | undefined): Promise<void> {
  if (!nsConn.conn.isConnectedTo(nsConn)) return;
  await nsConn.conn.ask(nsConn.namespace, '', OnNamespaceDisconnect, '', false, timeout);
  if (await commitDisconnect(nsConn, true)) await fireDisconnected(nsConn, true, false);
}

/**
 * After a disconnect's await: closed, or disconnected by the other side, meanwhile means torn down
 * already (false). Otherwise leaves every room (firing their hooks) and forgets the namespace.
 */
async function commitDisconnect(nsConn: NSConn, isLocal: boolean): Promise<boolean> {
  if (!nsConn.conn.isConnectedTo(nsConn)) return false;
  await removeNamespace(nsConn, isLocal);
  return true;
}

/** Teardown (docs/protocol.md §6.5): every room left and the namespace dropped, hooks told it was forced. */
export async function dropNamespace(nsConn: NSConn): Promise<void> {
  await removeNamespace(nsConn, true);
  await fireDisconnected(nsConn, true, true);
}

async function removeNamespace(nsConn: NSConn, isLocal: boolean): Promise<void> {
  await nsConn.forceLeaveAll(isLocal);
  nsConn.conn.detachNamespace(nsConn);
}

function fireDisconnected(nsConn: NSConn, isLocal: boolean, isForced: boolean): Promise<void> {
  return nsConn.fireQuietly(new Message({ namespace: nsConn.namespace, event: OnNamespaceDisconnect, isLocal, isForced }));
}
