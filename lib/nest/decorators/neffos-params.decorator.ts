import { createParamDecorator, type ExecutionContext, type PipeTransform, type Type } from '@nestjs/common';
import type { Message } from '../../protocol/index.js';
import type { NSConn } from '../../engine/index.js';

function message(ctx: ExecutionContext): Message {
  return ctx.getArgByIndex<Message>(2);
}

function nsConn(ctx: ExecutionContext): NSConn {
  return ctx.getArgByIndex<NSConn>(0);
}

/**
 * The whole neffos `Message` of the event (namespace, room, event, body bytes, flags).
 *
 * @example
 * ```ts
 * echo(@NeffosMessage() msg: Message) { return msg.body; }
 * ```
 */
export const NeffosMessage = createParamDecorator((_: unknown, ctx: ExecutionContext) => message(ctx));

/**
 * The connection in this namespace (`NSConn`): emit, ask, rooms, disconnect.
 *
 * @example
 * ```ts
 * join(@MessageBody() room: string, @NamespaceConn() conn: NSConn) { return conn.joinRoom(room).then(() => 'ok'); }
 * ```
 */
export const NamespaceConn = createParamDecorator((_: unknown, ctx: ExecutionContext) => nsConn(ctx));

/**
 * The room the event was sent in (`''` at namespace level).
 *
 * @example
 * ```ts
 * say(@RoomName() room: string, @MessageBody() text: string) {}
 * ```
 */
export const RoomName = createParamDecorator((_: unknown, ctx: ExecutionContext) => message(ctx).room);

/** Declared, not inferred: the inferred type names Nest 12's `ParameterDecoratorOptions`, which Nest 11 lacks. */
type HeaderParamDecorator = (...dataOrPipes: (string | undefined | PipeTransform | Type<PipeTransform>)[]) => ParameterDecorator;

/**
 * The HTTP upgrade request of the connection (headers, query, cookies, address, and whatever
 * `authorize` put on it), like Iris's `websocket.GetContext`. Pass a header name to get one header.
 *
 * @example
 * ```ts
 * hello(@HandshakeRequest('x-username') user: string) { return `hi ${user}`; }
 * ```
 */
export const HandshakeRequest: HeaderParamDecorator = createParamDecorator((header: string | undefined, ctx: ExecutionContext) => {
  const req = nsConn(ctx).conn.request;
  return header === undefined ? req : req.headers[header.toLowerCase()];
});
