// Subpath `nestjs-neffos/testing`: a typed, promise-based neffos client for tests that speaks the wire
// protocol itself (no neffos.js), and `createTestingApp` for Nest e2e tests. Loads no Nest module
// until `createTestingApp` is called, so it also serves apps on the bare engine.
export * from './testing/index.js';
export { Message } from './protocol/index.js';
