export { Conn } from './conn.js';
export type { BroadcastMessage, BroadcastOptions } from './engine-internals.js';
export type { EngineOptions, OriginPolicy } from './engine-options.js';
export * from './engine.errors.js';
export type { EventHandler, Events, HandlerResult, Namespaces } from './events.js';
export { NeffosEngine, type TargetedMessage } from './neffos.engine.js';
export { NSConn, type AskOptions, type BroadcastFromOptions } from './namespace-conn.js';
export { Room } from './room.js';
