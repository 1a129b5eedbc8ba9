export * from './escape.js';
export * from './handshake.js';
export * from './message.decoder.js';
export * from './message.encoder.js';
export * from './message.js';
export * from './protocol.errors.js';
export * from './system-events.js';
export * from './wait-token.js';
