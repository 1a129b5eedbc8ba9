// The public API of the npm package `nestjs-neffos`. Hand-written: everything users may import is
// listed here, and nothing else is promised.

// Nest module
export * from './nest/index.js';

// Engine and protocol (also `nestjs-neffos/engine`, which needs no Nest)
export * from './engine.js';

// The hook names are both wire events (values, also exported by the engine entry) and controller
// interfaces (`implements OnNamespaceConnected`). Both `export *` above provide them; naming them here
// picks the Nest layer's declarations, which merge the two (lib/nest/interfaces/neffos-hooks.interface.ts).
export {
  OnNamespaceConnect,
  OnNamespaceConnected,
  OnNamespaceDisconnect,
  OnNativeMessage,
  OnRoomJoin,
  OnRoomJoined,
  OnRoomLeave,
  OnRoomLeft,
} from './nest/index.js';
