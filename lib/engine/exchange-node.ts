// What other nodes may make this engine do, run on its local connections exactly as the local
// calls do (so a remote call resolves and rejects like a local one), and its own presence answers.
import type { Message } from '../protocol/index.js';
import { BadNamespaceError } from './engine.errors.js';
import type { NSConn } from './namespace-conn.js';
import type { NeffosEngine } from './neffos.engine.js';
import type { ExchangeEmit, ExchangeNode, NeffosLogger, PresenceAnswer, PresenceQuery, RemoteAction, RemoteOutcome, RemoteReply } from './stack-exchange.js';

/**
 * What a call on connection `id` in `namespace` acts on: the first connection with that id connected
 * to it (ids need not be unique, as in Go); `undefined` when no connection with that id is here; the
 * BadNamespaceError the local call rejects with when none of them is in that namespace. Returned, not
 * wrapped, so the ask path allocates nothing for it; the list of every connection with the id is built
 * only when the first one is not in the namespace.
 */
function callTarget(engine: NeffosEngine, connectionId: string, namespace: string): NSConn | BadNamespaceError | undefined {
  const first = engine.connection(connectionId);
  if (first === undefined) return undefined;
  const nsConn = first.namespace(namespace);
  if (nsConn !== undefined) return nsConn;
  for (const conn of engine.connectionsWithId(connectionId)) {
    const other = conn.namespace(namespace);
    if (other !== undefined) return other;
  }
  return new BadNamespaceError(namespace);
}

/**
 * Runs `action` on the local connection(s) with that id; `undefined` when none is here. Shared by the
 * engine's own cluster calls (the local fast path) and by requests from other nodes.
 */
export function performLocally(engine: NeffosEngine, connectionId: string, action: RemoteAction): Promise<RemoteOutcome> | undefined {
  if (action.kind === 'close') {
    const conns = engine.connectionsWithId(connectionId);
    if (conns.length === 0) return undefined;
    for (const conn of conns) conn.close(action.code, action.reason);
    return Promise.resolve({});
  }
  const nsConn = callTarget(engine, connectionId, action.namespace);
  if (nsConn === undefined) return undefined;
  if (nsConn instanceof BadNamespaceError) return Promise.reject(nsConn);
  switch (action.kind) {
    case 'ask':
      return nsConn.ask(action.event, action.body, { room: action.room, timeout: action.timeout, binary: action.binary }).then(toOutcome);
    case 'join':
      return nsConn.joinRoom(action.room, { timeout: action.timeout }).then(() => ({}));
    case 'leave':
      return nsConn.leaveRoom(action.room, { timeout: action.timeout }).then(() => ({}));
    case 'disconnect':
      return nsConn.disconnect({ timeout: action.timeout }).then(() => ({}));
  }
}

function toReply(reply: Message): RemoteReply {
  return { namespace: reply.namespace, room: reply.room, event: reply.event, body: reply.body, binary: reply.isBinary };
}

function toOutcome(reply: Message): RemoteOutcome {
  return { reply: toReply(reply) };
}

export function presenceLocally(engine: NeffosEngine, query: PresenceQuery): PresenceAnswer {
  switch (query.kind) {
    case 'count':
      return engine.connectionCount;
    case 'connections':
      return engine.connections().map((c) => c.id);
    case 'rooms':
      return engine.rooms(query.namespace);
    case 'members':
      return engine.members(query.namespace, query.room);
  }
}

/** The engine's face towards its exchange. */
export class EngineExchangeNode implements ExchangeNode {
  readonly namespaces: readonly string[];

  constructor(private readonly engine: NeffosEngine) {
    this.namespaces = Object.keys(engine.options.namespaces);
  }

  get logger(): NeffosLogger {
    return this.engine.options.logger;
  }

  deliver(msg: ExchangeEmit): void {
    this.engine.deliverLocally(msg);
  }

  perform(connectionId: string, action: RemoteAction): Promise<RemoteOutcome> | undefined {
    return performLocally(this.engine, connectionId, action);
  }

  askLocal(connectionId: string, ask: Extract<RemoteAction, { kind: 'ask' }>, done: (err: Error | undefined, reply?: RemoteReply) => void): boolean {
    const nsConn = callTarget(this.engine, connectionId, ask.namespace);
    if (nsConn === undefined) return false;
    if (nsConn instanceof BadNamespaceError) done(nsConn);
    else nsConn.askWith(ask.event, ask.body, ask.room, ask.binary, ask.timeout, (err, reply) => (err === undefined ? done(undefined, toReply(reply!)) : done(err)));
    return true;
  }

  presence(query: PresenceQuery): PresenceAnswer {
    return presenceLocally(this.engine, query);
  }
}
