// The public API of the npm package `nestjs-neffos`. Hand-written: everything users may import is
// listed here, and nothing else is promised.

// Nest module
export * from './nest/index.js';

// Engine and protocol (also `nestjs-neffos/engine`, which needs no Nest)
export * from './engine.js';
