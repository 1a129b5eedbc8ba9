// Every text the Nest layer writes: start-up errors, usage errors and the texts of its error replies.
// One file, so wording changes in one place and tests import the text instead of copying it.

// Start-up (thrown from app.init() / app.listen()).

export const NO_CONTROLLERS = 'NeffosModule found no @NeffosController() provider; add your controller class to the providers of a module';

export const DUPLICATE_EVENT = (namespace: string, event: string, first: string, second: string): string =>
  `event "${event}" of namespace "${namespace}" is handled by both ${first} and ${second}; rename one method, or give it another name with @NeffosEvent('…')`;

export const UNSUPPORTED_PARAM_DECORATOR = (controller: string, methodName: string, index: number, paramType: string): string =>
  `parameter ${index} of ${controller}.${methodName} has a decorator of param type ${paramType} that neffos handlers cannot fill; ` +
  'use @MessageBody(), @ConnectedSocket(), @Ack(), @NeffosMessage(), @NamespaceConn(), @RoomName(), @HandshakeRequest() or a createParamDecorator() of your own';

export const ACK_ON_LIFECYCLE_HOOK = (controller: string, methodName: string, event: string): string =>
  `${controller}.${methodName} handles the lifecycle event ${event}, which sends no reply of its own; remove @Ack() (it applies to events)`;

// Usage (thrown at the call).

export const CONTROLLER_NEEDS_NAMESPACE = '@NeffosController needs a namespace string, e.g. @NeffosController("default")';

export const NOT_READY = 'the neffos server starts in onApplicationBootstrap; call NeffosServer after app.init() or app.listen()';

/** An invariant: the namespace-connect hook creates the instance before any event of that connection runs. */
export const NO_SCOPED_INSTANCE = (controller: string): string =>
  `no ${controller} instance for this connection; it was not created on namespace connect`;
