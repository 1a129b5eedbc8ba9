// The seam between the engine and a scale-out exchange (docs/protocol.md §5.3, redesigned): the engine delivers
// locally and hands the exchange what must also happen on other nodes; the exchange calls back into
// the engine (an ExchangeNode) for what other nodes ask of this one. Types only: the engine imports
// no exchange code, and an engine without an exchange never touches any of this.

/** A broadcast or a `to(id)` emit as it crosses nodes; the body is encoded once by the sender. */
export interface ExchangeEmit {
  namespace: string;
  /** `''` for the whole namespace. */
  room: string;
  event: string;
  body: Buffer | string;
  binary: boolean;
  /** Connection ids that must not receive it, on any node. */
  except?: readonly string[];
  /** Only the connection(s) with this id (`to(id).emit`); the room still applies. */
  to?: string;
}

/** What one node asks another to do to a connection the other holds. */
export type RemoteAction =
  | { kind: 'ask'; namespace: string; room: string; event: string; body: Buffer | string; binary: boolean; timeout: number }
  | { kind: 'join'; namespace: string; room: string; timeout: number }
  | { kind: 'leave'; namespace: string; room: string; timeout: number }
  | { kind: 'disconnect'; namespace: string; timeout: number }
  | { kind: 'close'; code?: number; reason?: string };

/** The reply an `ask` got (its token is not carried: it meant nothing outside the holding node). */
export interface RemoteReply {
  namespace: string;
  room: string;
  event: string;
  body: Buffer;
  binary: boolean;
}

/** How a remote action ended: `reply` for an ask, nothing for the others. Failures reject. */
export interface RemoteOutcome {
  reply?: RemoteReply;
}

/** A cluster-wide presence question; every node answers for its own connections. */
export type PresenceQuery =
  | { kind: 'count' }
  | { kind: 'connections' }
  | { kind: 'rooms'; namespace: string }
  | { kind: 'members'; namespace: string; room: string };

/** `count` → number; the others → ids or room names. */
export type PresenceAnswer = number | string[];

/** A leveled logger; Nest's `Logger` fits it. */
export interface NeffosLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** The engine as an exchange sees it: what other nodes may make this node do. */
export interface ExchangeNode {
  /** Delivers an emit that another node published to the local connections it concerns. */
  deliver(msg: ExchangeEmit): void;
  /** Runs an action on a local connection; `undefined` when no connection with that id is here. */
  perform(connectionId: string, action: RemoteAction): Promise<RemoteOutcome> | undefined;
  /**
   * `perform` of an ask, with a callback called once with the client's reply or the failure: the
   * holding node's half of a cross-node ask, the cluster call whose latency users feel, runs from the
   * reply's read to the answer's write with no promise in between. False (and no call) when no
   * connection with that id is here. Optional: an exchange falls back to `perform`.
   */
  askLocal?(connectionId: string, ask: Extract<RemoteAction, { kind: 'ask' }>, done: (err: Error | undefined, reply?: RemoteReply) => void): boolean;
  /** This node's own answer to a presence query. */
  presence(query: PresenceQuery): PresenceAnswer;
  /** The namespaces this engine serves (an exchange may subscribe per namespace). */
  readonly namespaces: readonly string[];
  readonly logger: NeffosLogger;
}

/**
 * Scale-out: makes several engines act as one neffos server. The engine calls it only for what it
 * could not do locally; an exchange serves one engine, which closes it on shutdown.
 */
export interface StackExchange {
  /** Binds this exchange to its engine and subscribes; resolves once cross-node delivery works. */
  attach(node: ExchangeNode): Promise<void>;
  /** Fans an emit out to the other nodes (the engine has already delivered it locally). At-most-once. */
  publish(msg: ExchangeEmit): void;
  /**
   * Runs an action on a connection held by another node. Rejects with the error the holding node's
   * local call would throw, `ConnectionNotFoundError` when no node holds it, `AskTimeoutError` when
   * no answer comes in time, or at once while the broker is down.
   */
  request(connectionId: string, action: RemoteAction): Promise<RemoteOutcome>;
  /** The answers of every other live node (not this one's). Rejects at once while the broker is down. */
  query(query: PresenceQuery): Promise<PresenceAnswer[]>;
  /** Optional hooks for exchanges that route by connection (e.g. Go neffos' per-connection channels). */
  connectionOpened?(connectionId: string): void;
  connectionClosed?(connectionId: string): void;
  /** Unsubscribes, says goodbye to the other nodes and closes the broker connections it created. */
  close(): Promise<void>;
}
