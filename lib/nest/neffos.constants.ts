// Metadata keys: this package's own, and the few Nest keys we read. Nest's keys come from its public
// `@nestjs/common/constants` subpath, imported here only, so a rename upstream breaks one file.
export {
  CUSTOM_ROUTE_ARGS_METADATA,
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  INTERCEPTORS_METADATA,
  PATH_METADATA,
  PIPES_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants.js';
// `@SubscribeMessage(name)` of @nestjs/websockets, read as `@NeffosEvent(name)` (a gateway's habit).
export { MESSAGE_MAPPING_METADATA, MESSAGE_METADATA } from '@nestjs/websockets/constants.js';

export const NEFFOS_CONTROLLER_METADATA = 'neffos:controller';
export const NEFFOS_EVENT_METADATA = 'neffos:event';
export const NEFFOS_IGNORE_METADATA = 'neffos:ignore';
