import { SetMetadata } from '@nestjs/common';
import { NEFFOS_EVENT_METADATA, NEFFOS_IGNORE_METADATA } from '../neffos.constants.js';

/**
 * Marks a controller method as an event: named `event`, or with no argument by its method name (passed
 * through `eventNameMapper`, if one is set). With `events: 'decorated'` only these methods are events.
 *
 * @example
 * ```ts
 * @NeffosEvent('chat:message')
 * onMessage(msg: Message) {}
 *
 * @NeffosEvent()
 * join(msg: Message) {}          // event "join"
 * ```
 */
export const NeffosEvent = (event?: string): MethodDecorator => SetMetadata(NEFFOS_EVENT_METADATA, event ?? true);

/**
 * Keeps a public method of a controller from becoming an event.
 *
 * @example
 * ```ts
 * @NeffosIgnore()
 * formatNickname(name: string) { return name.trim(); }
 * ```
 */
export const NeffosIgnore = (): MethodDecorator => SetMetadata(NEFFOS_IGNORE_METADATA, true);

/**
 * An `eventNameMapper` that keeps only methods starting with `prefix` and strips it, like neffos
 * `EventTrimPrefixMatcher` (`OnChat` → `Chat` with `trimPrefix('On')`).
 *
 * @example
 * ```ts
 * NeffosModule.forRoot({ path: '/echo', eventNameMapper: trimPrefix('On') })
 * ```
 */
export function trimPrefix(prefix: string): (methodName: string) => string | false {
  return (name) => (name.startsWith(prefix) && name.length > prefix.length ? name.slice(prefix.length) : false);
}
