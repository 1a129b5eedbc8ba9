// Subpath `nestjs-neffos/engine`: the engine and the protocol types, with no Nest import, for apps
// that serve neffos on a plain http.Server. The root entry re-exports all of it.

// Engine (usable without Nest)
export {
  AskTimeoutError,
  BadNamespaceError,
  BadRoomError,
  BodyNotSerializableError,
  ClientError,
  CloseCode,
  Conn,
  ConnectionClosedError,
  ConnectionNotFoundError,
  HandlerTimeoutError,
  HandshakeRejectedError,
  InvalidOptionError,
  NeffosEngine,
  NeffosError,
  NSConn,
  RemoteError,
  Room,
  RoomNameTooLongError,
  TooManyPendingAsksError,
  TooManyRoomsError,
} from './engine/index.js';
export type {
  AskOptions,
  BroadcastFromOptions,
  BroadcastMessage,
  BroadcastOptions,
  EngineOptions,
  EventHandler,
  Events,
  HandlerResult,
  NamespaceMessage,
  Namespaces,
  OriginPolicy,
  RateLimitPolicy,
  TargetedMessage,
} from './engine/index.js';

// Scale-out (no broker library needed; Redis and NATS have their own entries)
export { ClusterExchange, ExchangeNotAttachedError, ExchangeUnavailableError, MemoryBus, MemoryTransport, NodeLinkClosedError, RemoteNodeError } from './exchange/index.js';
export type { ClusterExchangeOptions, ExchangeTransport, NodeLinkOptions } from './exchange/index.js';
export { ClusterView } from './engine/index.js';
// What a StackExchange of your own receives and returns (the contract ClusterExchange implements)
export type {
  ClusterCallOptions,
  ExchangeEmit,
  ExchangeNode,
  NeffosLogger,
  PresenceAnswer,
  PresenceQuery,
  RemoteAction,
  RemoteOutcome,
  RemoteReply,
  StackExchange,
} from './engine/index.js';

// Protocol
export {
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
  isSystemEvent,
} from './protocol/index.js';
export type { MessageInit } from './protocol/index.js';
// Typed events: declare an event map once, get checked names and bodies (types only)
export type { EventMap, EventName, EventReply, EventRequest, EventSpec, NamespaceMap, Payload } from './protocol/event-map.js';
export { BodyNotJsonError, ERR_BAD_NAMESPACE, ERR_BAD_ROOM, ERR_INVALID_PAYLOAD, ERR_WRITE_CLOSED } from './protocol/index.js';
