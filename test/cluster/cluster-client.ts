// A neffos.js client of the cluster tests: connected to the "chat" namespace of one node, logging
// every event it receives (event, room, exact bytes, frame type, token) and answering server asks.
import { closeNeffos, dialNeffos, reply, type DialOptions, type NeffosConn, type NeffosMessage, type NeffosNSConn } from '../utils/neffos-client.js';
import { DEFAULT_WAIT_MS, EventLog, withTimeout } from '../utils/wait.js';
import { CHAT } from './fixtures/chat.events.js';

export interface Received {
  event: string;
  room: string;
  text: string;
  bytes: Buffer;
  binary: boolean;
  /** The ask token the frame carried ('' for none). */
  wait: string;
}

/** Events the suite sends to clients; each is logged. */
const LOGGED = ['shout', 'roomChat', 'bin', 'news', 'private', 'end'];

export class ChatClient {
  readonly log = new EventLog<Received>();

  private constructor(
    readonly node: number,
    readonly conn: NeffosConn,
    readonly ns: NeffosNSConn,
  ) {}

  get id(): string {
    return this.conn.ID!;
  }

  static async open(url: string, node: number, dial: DialOptions = {}): Promise<ChatClient> {
    let self: ChatClient | undefined;
    const record = (_ns: NeffosNSConn, msg: NeffosMessage) => {
      const body: unknown = msg.Body;
      const binary = body instanceof ArrayBuffer;
      const bytes = body === undefined || body === null ? Buffer.alloc(0) : binary ? Buffer.from(body) : Buffer.from(String(body), 'utf8');
      self?.log.push({ event: msg.Event, room: msg.Room ?? '', text: bytes.toString('utf8'), bytes, binary, wait: msg.wait ?? '' });
    };
    const handlers: Record<string, (ns: NeffosNSConn, msg: NeffosMessage) => Error | undefined> = {};
    for (const event of LOGGED) handlers[event] = (ns, msg) => void record(ns, msg);
    handlers.q = (ns, msg) => reply(`${typeof msg.Body === 'string' ? msg.Body : ''}@${ns.conn.ID}`);
    handlers.fail = (ns) => new Error(`refused by ${ns.conn.ID}`);
    // The client's veto of a server-initiated join.
    handlers._OnRoomJoin = (_ns, msg) => (msg.Room?.startsWith('closed-') ? new Error(`${msg.Room} is closed to me`) : undefined);
    // Never answered (the ask can only time out or be cut), but logged, so a test knows it arrived.
    handlers.silent = (ns, msg) => void record(ns, msg);
    const conn = await dialNeffos(url, { [CHAT]: handlers }, dial);
    const ns = await withTimeout(conn.connect(CHAT), DEFAULT_WAIT_MS, `connect ${CHAT}`);
    self = new ChatClient(node, conn, ns);
    return self;
  }

  /** Messages of `event` (and body `text`) received so far. */
  got(event: string, text?: string): Received[] {
    return this.log.entries.filter((r) => r.event === event && (text === undefined || r.text === text));
  }

  waitFor(event: string, text: string, ms = DEFAULT_WAIT_MS): Promise<Received> {
    return this.log.waitFor((r) => r.event === event && r.text === text, `client ${this.id} on node ${this.node} to receive ${event} "${text}"`, ms);
  }

  async joinRoom(room: string): Promise<void> {
    await withTimeout(this.ns.joinRoom(room), DEFAULT_WAIT_MS, `join ${room}`);
  }

  close(): Promise<void> {
    return closeNeffos(this.conn);
  }
}
