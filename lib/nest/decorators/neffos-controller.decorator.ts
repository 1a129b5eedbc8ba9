import { Injectable, SetMetadata, applyDecorators } from '@nestjs/common';
import type { NeffosControllerOptions } from '../interfaces/neffos-controller-options.interface.js';
import { NEFFOS_CONTROLLER_METADATA } from '../neffos.constants.js';
import { CONTROLLER_NEEDS_NAMESPACE } from '../neffos.messages.js';

/**
 * Makes a provider a neffos controller: every public method becomes an event of `namespace`,
 * named verbatim; `onNamespaceConnect` … `onRoomLeft` bind to the lifecycle events.
 *
 * @example
 * ```ts
 * @NeffosController('default')
 * export class ChatController {
 *   OnChat(msg: Message, conn: NSConn) { conn.broadcast('OnChat', msg.body); }
 *   echo(msg: Message) { return msg.body; } // the returned value is the reply
 * }
 * ```
 */
export function NeffosController(namespaceOrOptions: string | NeffosControllerOptions): ClassDecorator {
  const options: NeffosControllerOptions =
    typeof namespaceOrOptions === 'string' ? { namespace: namespaceOrOptions } : namespaceOrOptions;
  if (typeof options.namespace !== 'string') {
    throw new TypeError(CONTROLLER_NEEDS_NAMESPACE);
  }
  return applyDecorators(
    Injectable(options.scope === undefined ? {} : { scope: options.scope }),
    SetMetadata(NEFFOS_CONTROLLER_METADATA, options),
  );
}
