// The real npm client neffos.js, typed for what the tests use. Its published typings miss part of the
// runtime surface (NSConn.emitBinary, Conn.conn, handler return values), so this file declares it.
import * as neffos from 'neffos.js';
import { WebSocket } from 'ws';
import type { CloseInfo } from './raw-client.js';
import { DEFAULT_WAIT_MS, withTimeout } from './wait.js';

export interface NeffosMessage {
  wait?: string;
  Namespace: string;
  Room: string;
  Event: string;
  /** A string for text frames, an ArrayBuffer for binary frames (docs/protocol.md §2.4). */
  Body: string | ArrayBuffer;
  Err?: Error;
  /** Set on received messages: the is-error flag (an error frame with an empty body leaves `Err` unset). */
  isError?: boolean;
  isNoOp?: boolean;
  IsForced?: boolean;
  IsLocal?: boolean;
  IsNative?: boolean;
  SetBinary?: boolean;
}

/** A client handler: return `neffos.reply(body)` to answer, an Error to refuse, nothing otherwise. */
export type ClientHandler = (ns: NeffosNSConn, msg: NeffosMessage) => Error | null | undefined | void;
export type ClientNamespaces = Record<string, Record<string, ClientHandler>>;

export interface NeffosRoom {
  name: string;
  nsConn: NeffosNSConn;
  emit(event: string, body: string): boolean;
  leave(): Promise<Error | null>;
}

export interface NeffosNSConn {
  conn: NeffosConn;
  namespace: string;
  rooms: Map<string, NeffosRoom>;
  emit(event: string, body: string | Uint8Array): boolean;
  emitBinary(event: string, body: Uint8Array): boolean;
  ask(event: string, body: string): Promise<NeffosMessage>;
  joinRoom(room: string): Promise<NeffosRoom>;
  room(room: string): NeffosRoom | undefined;
  leaveAll(): Promise<Error | null>;
  disconnect(): Promise<Error | null | undefined>;
}

export interface NeffosConn {
  ID: string | undefined;
  reconnectTries: number;
  /** The underlying `ws` socket (neffos.js hands its dial options to `ws`). */
  conn: WebSocket;
  connect(namespace: string): Promise<NeffosNSConn>;
  waitServerConnect(namespace: string): Promise<NeffosNSConn>;
  namespace(namespace: string): NeffosNSConn | undefined;
  isClosed(): boolean;
  close(): void;
}

export interface DialOptions {
  headers?: Record<string, string>;
  /** neffos.js reconnects this many ms after a close it did not start (docs/protocol.md §6.6). */
  reconnect?: number;
}

/**
 * `neffos.dial` with `{ allowSynchronousEvents: false }` always (docs/protocol.md §10.21): with ws ≥ 8.17 an
 * event arriving in the same TCP read as a connect reply could otherwise be dropped.
 */
export function dialNeffos(url: string, handlers: ClientNamespaces, options: DialOptions = {}, timeoutMs = DEFAULT_WAIT_MS): Promise<NeffosConn> {
  const dialing = neffos.dial(url, handlers, { ...options, allowSynchronousEvents: false }) as unknown as Promise<NeffosConn>;
  return withTimeout(dialing, timeoutMs, `neffos.dial(${url})`);
}

/** `neffos.reply(body)`: the handler's answer to a server ask. */
export function reply(body: string): Error {
  return neffos.reply(body);
}

/** The body as text; local events (e.g. the client's own `_OnNamespaceConnect`) have no body at all. */
export function bodyText(msg: Pick<NeffosMessage, 'Body'>): string {
  const body: unknown = msg.Body;
  if (body === undefined || body === null) return '';
  return typeof body === 'string' ? body : Buffer.from(body as ArrayBuffer).toString('utf8');
}

/** Resolves with the close code the client's socket saw. */
export function socketClosed(conn: NeffosConn, timeoutMs = DEFAULT_WAIT_MS): Promise<CloseInfo> {
  const ws = conn.conn;
  return withTimeout(
    new Promise<CloseInfo>((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) {
        resolve({ code: -1, reason: 'already closed' });
        return;
      }
      ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString('utf8') }));
    }),
    timeoutMs,
    'the neffos.js socket to close',
  );
}

/** `conn.close()` and wait until the socket is really closed. */
export async function closeNeffos(conn: NeffosConn): Promise<void> {
  const ws = conn.conn;
  if (ws.readyState === WebSocket.CLOSED) return;
  const closed = socketClosed(conn);
  conn.close();
  if (ws.readyState === WebSocket.OPEN) ws.close();
  else if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
  await closed.catch(() => ws.terminate());
}
