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

export const NEFFOS_MODULE_TWICE = (registrations: ReadonlyArray<{ path: string; importedBy: readonly string[] }>): string => {
  const list = registrations.map((r) => `path "${r.path}" (imported by ${r.importedBy.join(', ') || 'an unknown module'})`).join(' and ');
  const samePath = new Set(registrations.map((r) => r.path)).size < registrations.length;
  return (
    `NeffosModule.forRoot is registered ${registrations.length} times: ${list}. ` +
    (samePath ? 'Two engines on one path would both answer every upgrade. ' : 'Serving two paths is not supported: every @NeffosController would be served on each, and NeffosServer could address only one. ') +
    'Import NeffosModule.forRoot once, in the root module (it is global).'
  );
};

export const GATEWAY_ON_NEFFOS_PATH = (path: string): string =>
  `a @WebSocketGateway of @nestjs/platform-ws is registered on "${path}", the path NeffosModule serves; give the gateway or NeffosModule another path (they can share the HTTP server through NeffosWsAdapter)`;

export const NEFFOS_CONTROLLER_IN_CONTROLLERS = (controller: string, module: string): string =>
  `${controller} is a @NeffosController listed in the controllers of ${module}; list it under providers instead ` +
  `(@Module({ providers: [${controller}] })): neffos controllers are providers, found by their decorator, and controllers: [] is for HTTP controllers`;

export const MODULE_WITHOUT_FOR_ROOT = (importers: readonly string[]): string =>
  `NeffosModule is imported without forRoot()${importers.length > 0 ? ` by ${importers.join(', ')}` : ''}; ` +
  "import NeffosModule.forRoot({ path: '/…' }) (or forRootAsync) once, in the root module. It is global: other modules inject NeffosServer without importing NeffosModule";

export const OPTIONS_FACTORY_METHOD = (factoryClass: string): string =>
  `${factoryClass}, given to NeffosModule.forRootAsync as useClass/useExisting, has no createNeffosOptions() method; ` +
  'NeffosModule calls createNeffosOptions() for its options (implements NeffosOptionsFactory has the compiler check it)';

export const OPTIONS_DEPENDENCY_MISSING = (token: string, index: number): string =>
  `NeffosModule.forRootAsync's useFactory injects ${token} (inject[${index}]), which is not available to NeffosModule: ` +
  `Nest resolves inject inside NeffosModule, not in the module that calls forRootAsync. Add the module that exports ${token} to ` +
  `forRootAsync({ imports: [...] })${token === 'ConfigService' ? ' (for ConfigService: imports: [ConfigModule])' : ''}, or make that module global ` +
  '(e.g. ConfigModule.forRoot({ isGlobal: true })); an inject entry { token, optional: true } may stay undefined';

export const OPTIONS_NOT_RETURNED = (source: string, value: unknown): string =>
  `${source} of NeffosModule.forRootAsync returned ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'string' ? `the string ${JSON.stringify(value)}` : typeof value === 'object' ? 'an object' : String(value)} instead of the options; ` +
  "return (or resolve to) an object such as { path: '/echo' } (a factory written as an arrow function with a block body needs its return)";

export const UNKNOWN_OPTION = (key: string, nearest: string | undefined, valid: readonly string[]): string =>
  `NeffosModule has no option ${JSON.stringify(key)}; ` +
  (key === 'isGlobal'
    ? 'isGlobal goes beside useFactory/useClass in forRootAsync({ isGlobal, … }), not in the options it returns'
    : nearest !== undefined
      ? `did you mean ${nearest}?`
      : `the options are ${valid.join(', ')}`);

// Start-up log (NeffosModule's Logger context).

/** One line per namespace: its events, its hooks, and each controller's scope. */
export const LOG_NAMESPACE = (
  namespace: string,
  events: readonly string[],
  hooks: readonly string[],
  controllers: ReadonlyArray<{ name: string; perConnection: boolean }>,
): string =>
  `Namespace ${JSON.stringify(namespace)}: events {${events.join(', ')}}` +
  (hooks.length > 0 ? `, hooks {${hooks.join(', ')}}` : '') +
  `, ${controllers.map((c) => `${c.name} (${c.perConnection ? 'per connection' : 'static'})`).join(', ')}`;

export const LOG_PATH = (path: string, namespaces: number): string =>
  `Serving the neffos protocol on path ${path} (${namespaces} namespace${namespaces === 1 ? '' : 's'})`;

export const WS_ADAPTER_DESTROYS_UPGRADES = (path: string): string =>
  `the app's WebSocket adapter is WsAdapter of @nestjs/platform-ws, which destroys every upgrade its gateways do not take: every neffos client on ${JSON.stringify(path)} ` +
  "is cut off (socket hang up, close 1006). Use app.useWebSocketAdapter(new NeffosWsAdapter(app)), from 'nestjs-neffos/platform-ws': it routes the gateways as before and leaves this path to NeffosModule";

export const ARROW_FIELD = (controller: string, name: string, namespace: string): string =>
  `${controller}.${name} is an arrow function in a field, not a method, so it is no event of namespace ${JSON.stringify(namespace)} ` +
  `(clients calling "${name}" get "unknown event"); write it as a method, ${name}(msg: Message, conn: NSConn) { … }, or start its name with _ if it is a helper`;

export const NAMESPACE_LIKE_PATH = (namespace: string, controllers: readonly string[], path: string): string =>
  `namespace ${JSON.stringify(namespace)} (${controllers.join(', ')}) starts with "/", like a URL path: a namespace is a name clients connect to ` +
  `(neffos.js conn.connect(${JSON.stringify(namespace)})), and the URL path is NeffosModule's (${JSON.stringify(path)}). ` +
  `If clients connect to ${JSON.stringify(namespace.replace(/^\/+/, ''))}, write @NeffosController(${JSON.stringify(namespace.replace(/^\/+/, ''))})`;

export const UNSUPPORTED_CONTROLLER_PROVIDER = (controller: string, kind: 'transient' | 'instance'): string =>
  kind === 'transient'
    ? `${controller} is a @NeffosController with Scope.TRANSIENT, which neffos cannot serve (its handlers would run on an instance Nest never constructed): ` +
      'a controller is one instance for every connection (the default scope) or one per namespace connection (Scope.REQUEST); use one of those'
    : `${controller} is a @NeffosController registered with useValue or useFactory, which neffos does not serve: it builds controllers from their class, ` +
      `so list the class itself (@Module({ providers: [${controller}] })) and give it what it needs by injection`;

export const NEAR_MISS_HOOK = (controller: string, methodName: string, hook: string, kind: 'neffos' | 'Nest' | 'gateway', event: string | undefined): string =>
  (kind === 'gateway'
    ? `${controller}.${methodName} is a hook of @nestjs/websockets gateways, which neffos never calls: `
    : `${controller}.${methodName} looks like a misspelling of the ${kind} lifecycle hook ${hook} (one edit away, ignoring case), and is not that hook: `) +
  (event === undefined ? 'it is never called' : `clients can call it as the event "${event}"`) +
  `. Rename it to ${hook}, or mark it @NeffosEvent() (an event) or @NeffosIgnore() (neither) to keep the name and silence this warning`;

// Usage (thrown at the call).

export const BAD_EVENTS_MODE = (value: unknown): string =>
  `option events must be 'public-methods' (every public method is an event) or 'decorated' (only @NeffosEvent() methods), got ${JSON.stringify(value)}`;

export const CONTROLLER_NEEDS_NAMESPACE = '@NeffosController needs a namespace string, e.g. @NeffosController("default")';

export const NOT_READY = 'the neffos server starts in onApplicationBootstrap; call NeffosServer after app.init() or app.listen()';

/** An invariant: the namespace-connect hook creates the instance before any event of that connection runs. */
export const NO_SCOPED_INSTANCE = (controller: string): string =>
  `no ${controller} instance for this connection; it was not created on namespace connect`;

// Error replies and warnings while serving.

/** The log line of a thrown value that is no Error: it has no stack, so say where it came from. */
export const THROWN_NOT_ERROR = (where: string, text: string): string =>
  `${where} threw ${text}, which is not an Error (no stack to find it by); a client waiting for the answer reads "Internal server error". ` +
  'Throw a WsException with the text the client should read, or an Error';

/** The error reply of an `@Ack()` event whose handler returned and did not acknowledge within the bound. */
export const ACK_MISSING = (event: string, ms: number): string =>
  `the handler of "${event}" did not acknowledge within ${ms} ms`;

export const ACK_MISSING_WARNING = (controller: string, methodName: string, ms: number): string =>
  `${controller}.${methodName} takes @Ack() but returned without calling it, and did not call it within askTimeout (${ms} ms); ` +
  'the client got an error reply and a later ack is ignored. Call the ack function on every path (also on failures), or throw';
