// The public API of the npm package `nestjs-neffos`. Hand-written: everything users may import is
// listed here, and nothing else is promised.

// Nest module
export * from './nest/index.js';

// Engine (usable without Nest)
export {
  AskTimeoutError,
  BadNamespaceError,
  BadRoomError,
  CloseCode,
  Conn,
  ConnectionClosedError,
  ConnectionNotFoundError,
  HandshakeRejectedError,
  InvalidOptionError,
  NeffosEngine,
  NeffosError,
  NSConn,
  RemoteError,
  Room,
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
  Namespaces,
  OriginPolicy,
  TargetedMessage,
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
