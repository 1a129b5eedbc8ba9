// Typed events: a map declared once (event name → body sent, reply expected) that the engine's NSConn,
// the Nest NeffosServer and the test client read to check event names and bodies at compile time.
// Types only: nothing here exists at run time, and nothing changes on the wire (docs/protocol.md §2).

/**
 * A marker no body has: a function (a class too) has `Symbol.hasInstance`; `Map`, `Set`, `Promise` and
 * typed arrays have `Symbol.toStringTag`. JSON would send those as `{}` or `undefined`, never what
 * was meant, so a `Payload` refuses them; plain objects, class instances, arrays and `Date`s pass.
 */
type NotSerializable = { readonly [Symbol.hasInstance]?: never; readonly [Symbol.toStringTag]?: never };

/**
 * A body that can be sent: a string (as is), bytes (`Buffer`/`Uint8Array`, as is), or a value sent as
 * JSON (object, array, number, boolean, `null`). `undefined` sends an empty body. Functions, classes,
 * `Map`, `Set`, `Promise`, `bigint` and symbols are refused at compile time: JSON cannot carry them.
 */
export type Payload =
  | string
  | Uint8Array
  | number
  | boolean
  | null
  | undefined
  | (object & NotSerializable)
  // Object literals are checked against this member, so `{ any: 'key' }` is no excess property.
  | ({ readonly [key: string]: unknown } & NotSerializable);

/**
 * What one event carries. `req`: the body sent with the event (or with the request, when it is
 * asked); leave it out for an event without a body, make it optional (`req?:`) for an optional one.
 * `reply`: the body of the reply to an ask of it; leave it out when it is only emitted.
 */
export interface EventSpec {
  req?: Payload;
  reply?: Payload;
}

/**
 * The events of one namespace, by name: the constraint a map satisfies (`M extends EventMap<M>`).
 * Declare a map as an interface or a type, each entry an `EventSpec`:
 *
 * @example
 * ```ts
 * interface ChatLine { from: string; text: string }
 * interface ChatEvents {
 *   join: { req: string; reply: string[] };   // ask('join', 'general') → reply.json(): string[]
 *   chat: { req: ChatLine };                  // emit('chat', { from, text })
 *   typing: {};                               // emit('typing'), no body
 * }
 * ```
 */
export type EventMap<M> = { [E in keyof M]: EventSpec };

/**
 * The event maps of several namespaces, by namespace name (for what addresses namespaces by name:
 * `NeffosServer`, the test client's `dial`): `interface ChatApp { chat: ChatEvents; '': RootEvents }`.
 */
export type NamespaceMap<N> = { [K in keyof N]: EventMap<N[K]> };

// Untyped is the default everywhere (`NSConn` is `NSConn<any>`): any event name, any `Payload`, an
// `unknown` reply. `any` rather than an index-signature map because only `any` lets a typed NSConn
// (whose emit accepts fewer events) be passed where an untyped one is expected, and back.
type IsAny<T> = 0 extends 1 & T ? true : false;

/** The event map of namespace `K` in the namespace map `N`; no events (`{}`) when `N` does not list `K`. */
export type NamespaceEvents<N, K> = K extends keyof N ? N[K] : {};

/** The event names of a map (`'join' | 'chat'`; `string` when untyped). */
export type EventName<M> = keyof M & string;

/** The body sent with event `E` of map `M` (`undefined` when its spec has no `req`; any `Payload` when untyped). */
export type EventRequest<M, E extends keyof M> = IsAny<M> extends true ? Payload : 'req' extends keyof M[E] ? M[E]['req' & keyof M[E]] : undefined;

/**
 * The body of the reply to an ask of event `E` of map `M` (`undefined`, an empty reply, when its spec
 * has no `reply`; `unknown` when untyped).
 */
export type EventReply<M, E extends keyof M> = IsAny<M> extends true ? unknown : 'reply' extends keyof M[E] ? M[E]['reply' & keyof M[E]] : undefined;

/** The body of event `E` as the receiver reads it: its declared `req`, or `unknown` when untyped. */
export type ReceivedBody<M, E extends keyof M> = IsAny<M> extends true ? unknown : EventRequest<M, E>;

/** What the answer to an ask of event `E` may be: its declared `reply`, or any `Payload` when untyped. */
export type ReplyPayload<M, E extends keyof M> = IsAny<M> extends true ? Payload : EventReply<M, E>;

/** The body argument of an emit: required unless the event's body may be `undefined`. */
export type BodyArg<R> = undefined extends R ? [body?: R] : [body: R];

/** The body and options arguments of an ask or a broadcast: the body required unless it may be `undefined`. */
export type BodyAndOptions<R, O> = undefined extends R ? [body?: R, options?: O] : [body: R, options?: O];

/** The `body` field of a message object: required unless the event's body may be `undefined`. */
export type BodyField<R> = undefined extends R ? { body?: R } : { body: R };
