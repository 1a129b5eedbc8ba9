export { Conn } from './conn.js';
export type { EngineOptions, OriginPolicy, RateLimitPolicy } from './engine-options.js';
export * from './engine.errors.js';
export type {
  AskOptions,
  BroadcastFromOptions,
  BroadcastMessage,
  BroadcastOptions,
  EventHandler,
  Events,
  HandlerResult,
  NamespaceMessage,
  Namespaces,
  TargetedMessage,
} from './engine.types.js';
export { NeffosEngine } from './neffos.engine.js';
export { NSConn } from './namespace-conn.js';
export { Room } from './room.js';
export { ClusterView, type ClusterCallOptions } from './cluster-view.js';
export type {
  ExchangeEmit,
  ExchangeNode,
  NeffosLogger,
  PresenceAnswer,
  PresenceQuery,
  RemoteAction,
  RemoteOutcome,
  RemoteReply,
  StackExchange,
} from './stack-exchange.js';
export { INTERNAL_ERROR } from './engine.messages.js';
