import type { Type } from '@nestjs/common';
import type { EngineOptions } from '../../engine/index.js';

/**
 * Maps a controller method name to its event name. Return a string to rename, `false` to skip the
 * method, `undefined` to keep the name (like neffos `SetEventMatcher`). Not applied to system hooks.
 */
export type EventNameMapper = (methodName: string, controller: Type) => string | false | undefined;

/**
 * Which methods of a controller are events. `'public-methods'` (the default, Iris's rule): every
 * public prototype method. `'decorated'`: only methods marked `@NeffosEvent()`, as with
 * `@SubscribeMessage` on a gateway. Lifecycle hooks bind by name in both.
 */
export type NeffosEventsMode = 'public-methods' | 'decorated';

export interface NeffosModuleOptions extends Omit<EngineOptions, 'namespaces'> {
  /** Applied to every controller's non-system methods; see `trimPrefix`. */
  eventNameMapper?: EventNameMapper;
  /** Which methods are events, for every controller that does not say otherwise. Default `'public-methods'`. */
  events?: NeffosEventsMode;
}

/**
 * A class for `NeffosModule.forRootAsync({ useClass })` (or `useExisting`): Nest calls its
 * `createNeffosOptions()`.
 *
 * @example
 * ```ts
 * @Injectable()
 * export class NeffosConfig implements NeffosOptionsFactory {
 *   constructor(private readonly config: ConfigService) {}
 *   createNeffosOptions(): NeffosModuleOptions {
 *     return { path: this.config.get('WS_PATH', '/echo') };
 *   }
 * }
 * ```
 */
export interface NeffosOptionsFactory {
  createNeffosOptions(): NeffosModuleOptions | Promise<NeffosModuleOptions>;
}
