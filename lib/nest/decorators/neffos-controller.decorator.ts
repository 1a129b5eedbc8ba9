import { Injectable, SetMetadata, applyDecorators } from '@nestjs/common';
import type { NeffosControllerOptions } from '../interfaces/neffos-controller-options.interface.js';
import { NEFFOS_CONTROLLER_METADATA } from '../neffos.constants.js';
import { BAD_EVENTS_MODE, CONTROLLER_NEEDS_NAMESPACE } from '../neffos.messages.js';
import { isEventsMode } from '../neffos-method-names.js';

/**
 * Makes a provider a neffos controller: every public method becomes an event of `namespace`,
 * named verbatim (or, with `events: 'decorated'`, only its `@NeffosEvent()` methods);
 * `onNamespaceConnect` … `onRoomLeft` bind to the lifecycle events. List the class under a module's
 * `providers`, not `controllers`.
 *
 * @example
 * ```ts
 * @NeffosController('default')
 * export class ChatController {
 *   OnChat(msg: Message, conn: NSConn) { conn.broadcast('OnChat', msg.body); }
 *   echo(msg: Message) { return msg.body; } // the returned value is the reply
 * }
 *
 * @NeffosController('admin', { events: 'decorated' })
 * export class AdminController {
 *   @NeffosEvent() kick(msg: Message) {}    // an event
 *   audit(line: string) {}                  // not an event
 * }
 * ```
 */
export function NeffosController(namespaceOrOptions: string | NeffosControllerOptions, more?: Omit<NeffosControllerOptions, 'namespace'>): ClassDecorator {
  const options: NeffosControllerOptions =
    typeof namespaceOrOptions === 'string' ? { ...more, namespace: namespaceOrOptions } : { ...namespaceOrOptions, ...more };
  if (typeof options.namespace !== 'string') {
    throw new TypeError(CONTROLLER_NEEDS_NAMESPACE);
  }
  if (options.events !== undefined && !isEventsMode(options.events)) {
    throw new TypeError(BAD_EVENTS_MODE(options.events));
  }
  return applyDecorators(
    Injectable(options.scope === undefined ? {} : { scope: options.scope }),
    SetMetadata(NEFFOS_CONTROLLER_METADATA, options),
  );
}
