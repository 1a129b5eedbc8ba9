import type { Observable } from 'rxjs';
import type { EventMap, EventReply } from '../../protocol/event-map.js';

/** What a handler of an event with a declared `reply` may return: the reply, a promise or an observable of it. */
export type HandlerReply<R> = R | Promise<R> | Observable<R>;

/**
 * The handlers a controller promises for events `K` (default: all) of the event map `M`, so that
 * `implements` checks each method's return type against the event's declared `reply` (a missing
 * method or a wrong reply fails to compile). Parameters are not checked: a handler takes
 * `(msg, conn)` or decorated parameters in any order. Events without a `reply` may return anything
 * (a plain emit sends no reply for `undefined`).
 *
 * @example
 * ```ts
 * interface ChatEvents { join: { req: string; reply: string[] }; chat: { req: ChatLine } }
 *
 * @NeffosController('chat')
 * export class ChatController implements NeffosHandlers<ChatEvents> {
 *   join(@MessageBody() room: string): string[] { return [room]; }   // returning a number fails to compile
 *   chat(msg: Message<ChatLine>, conn: NSConn<ChatEvents>) { conn.broadcast('chat', msg.json()); }
 * }
 * ```
 */
export type NeffosHandlers<M extends EventMap<M>, K extends keyof M = keyof M> = {
  // `any[]`: the parameters are the controller's own (decorators choose them), only the result is the map's.
  [E in K]: 'reply' extends keyof M[E] ? (...args: any[]) => HandlerReply<EventReply<M, E>> : (...args: any[]) => void;
};
