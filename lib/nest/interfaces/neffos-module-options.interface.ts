import type { Type } from '@nestjs/common';
import type { EngineOptions } from '../../engine/index.js';

/**
 * Maps a controller method name to its event name. Return a string to rename, `false` to skip the
 * method, `undefined` to keep the name (like neffos `SetEventMatcher`). Not applied to system hooks.
 */
export type EventNameMapper = (methodName: string, controller: Type) => string | false | undefined;

export interface NeffosModuleOptions extends Omit<EngineOptions, 'namespaces'> {
  /** Applied to every controller's non-system methods; see `trimPrefix`. */
  eventNameMapper?: EventNameMapper;
}
