export { NeffosController } from './decorators/neffos-controller.decorator.js';
export { NeffosEvent, NeffosIgnore, trimPrefix } from './decorators/neffos-event.decorator.js';
export { HandshakeRequest, NamespaceConn, NeffosMessage, RoomName } from './decorators/neffos-params.decorator.js';
export type { NeffosControllerOptions } from './interfaces/neffos-controller-options.interface.js';
export type { HandlerReply, NeffosHandlers } from './interfaces/neffos-handlers.interface.js';
export type { EventNameMapper, NeffosEventsMode, NeffosModuleOptions, NeffosOptionsFactory } from './interfaces/neffos-module-options.interface.js';
export {
  OnNamespaceConnect,
  OnNamespaceConnected,
  OnNamespaceDisconnect,
  OnNativeMessage,
  OnRoomJoin,
  OnRoomJoined,
  OnRoomLeave,
  OnRoomLeft,
} from './interfaces/neffos-hooks.interface.js';
export { NeffosModule } from './neffos.module.js';
export { NEFFOS_MODULE_OPTIONS } from './neffos.module-definition.js';
export {
  AckOnLifecycleHookError,
  DuplicateEventError,
  GatewayOnNeffosPathError,
  NeffosControllerInControllersError,
  NeffosModuleTwiceError,
  NeffosModuleWithoutForRootError,
  NeffosOptionsDependencyError,
  NeffosOptionsFactoryError,
  NeffosNotReadyError,
  NoControllersError,
  NoScopedInstanceError,
  UnknownOptionError,
  UnsupportedControllerProviderError,
  UnsupportedParamDecoratorError,
} from './neffos.errors.js';
export { NeffosServer, type NeffosTarget } from './neffos-server.js';
