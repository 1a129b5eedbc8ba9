// What other nodes may make this engine do, run on its local connections exactly as the local
// calls do (so a remote call resolves and rejects like a local one), and its own presence answers.
import type { Message } from '../protocol/index.js';
import type { Conn } from './conn.js';
import { BadNamespaceError } from './engine.errors.js';
import type { NSConn } from './namespace-conn.js';
import type { NeffosEngine } from './neffos.engine.js';
import type { ExchangeEmit, ExchangeNode, NeffosLogger, PresenceAnswer, PresenceQuery, RemoteAction, RemoteOutcome, RemoteReply } from './stack-exchange.js';

/** The first connection with that id connected to `namespace` (ids need not be unique, as in Go). */
function inNamespace(conns: readonly Conn[], namespace: string): NSConn | undefined {
  for (const conn of conns) {
    const nsConn = conn.namespace(namespace);
    if (nsConn !== undefined) return nsConn;
  }
  return undefined;
}

/**
 * Runs `action` on the local connection(s) with that id; `undefined` when none is here. Shared by the
 * engine's own cluster calls (the local fast path) and by requests from other nodes.
 */
export function performLocally(engine: NeffosEngine, connectionId: string, action: RemoteAction): Promise<RemoteOutcome> | undefined {
  const conns = engine.connectionsWithId(connectionId);
  if (conns.length === 0) return undefined;
  if (action.kind === 'close') {
    for (const conn of conns) conn.close(action.code, action.reason);
    return Promise.resolve({});
  }
  const nsConn = inNamespace(conns, action.namespace);
  if (nsConn === undefined) return Promise.reject(new BadNamespaceError(action.namespace));
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
    const conns = this.engine.connectionsWithId(connectionId);
    if (conns.length === 0) return false;
    const nsConn = inNamespace(conns, ask.namespace);
    if (nsConn === undefined) done(new BadNamespaceError(ask.namespace));
    else nsConn.askWith(ask.event, ask.body, ask.room, ask.binary, ask.timeout, (err, reply) => (err === undefined ? done(undefined, toReply(reply!)) : done(err)));
    return true;
  }

  presence(query: PresenceQuery): PresenceAnswer {
    return presenceLocally(this.engine, query);
  }
}
