// The public API, entry by entry: what users may import and nothing else. Hand-kept on purpose: a
// name added to or removed from an entry fails test/packaging until it is added here, so every
// change of the promise is a deliberate edit (and shows in review).

export interface EntryApi {
  /** Runtime exports (classes, functions, constants). */
  values: string[];
  /** Type-only exports (interfaces, type aliases). */
  types: string[];
}

const protocolValues = [
  'BodyNotJsonError',
  'ERR_BAD_NAMESPACE',
  'ERR_BAD_ROOM',
  'ERR_INVALID_PAYLOAD',
  'ERR_WRITE_CLOSED',
  'Message',
  'OnAnyEvent',
  'OnNamespaceConnect',
  'OnNamespaceConnected',
  'OnNamespaceDisconnect',
  'OnNativeMessage',
  'OnRoomJoin',
  'OnRoomJoined',
  'OnRoomLeave',
  'OnRoomLeft',
  'isSystemEvent',
];

const engineValues = [
  'AskTimeoutError',
  'BadNamespaceError',
  'BadRoomError',
  'BodyNotSerializableError',
  'ClientError',
  'CloseCode',
  'Conn',
  'ConnectionClosedError',
  'ConnectionNotFoundError',
  'HandlerTimeoutError',
  'HandshakeRejectedError',
  'InvalidOptionError',
  'NSConn',
  'NeffosEngine',
  'NeffosError',
  'RemoteError',
  'Room',
  'RoomNameTooLongError',
  'TooManyPendingAsksError',
  'TooManyRoomsError',
  // scale-out (lib/exchange, also in the engine entry)
  'ClusterExchange',
  'ClusterView',
  'ExchangeNotAttachedError',
  'ExchangeUnavailableError',
  'MemoryBus',
  'MemoryTransport',
  'NodeLinkClosedError',
  'RemoteNodeError',
  ...protocolValues,
];

/** Typed events (types only), in the root, engine and testing entries. */
const eventMapTypes = ['EventMap', 'EventName', 'EventReply', 'EventRequest', 'EventSpec', 'NamespaceMap', 'Payload'];

const engineTypes = [
  'AskOptions',
  'BroadcastFromOptions',
  'BroadcastMessage',
  'BroadcastOptions',
  'EngineOptions',
  'EventHandler',
  'Events',
  'HandlerResult',
  'MessageInit',
  'NamespaceMessage',
  'Namespaces',
  'OriginPolicy',
  'RateLimitPolicy',
  'TargetedMessage',
  'ClusterCallOptions',
  'ExchangeEmit',
  'ExchangeNode',
  'PresenceAnswer',
  'PresenceQuery',
  'RemoteAction',
  'RemoteOutcome',
  'RemoteReply',
  'ClusterExchangeOptions',
  'ExchangeTransport',
  'NodeLinkOptions',
  'NeffosLogger',
  'StackExchange',
  ...eventMapTypes,
];

/** package.json `exports` key → what it declares. */
export const PUBLIC_API: Record<string, EntryApi> = {
  '.': {
    values: [
      ...engineValues,
      'AckOnLifecycleHookError',
      'DuplicateEventError',
      'GatewayOnNeffosPathError',
      'HandshakeRequest',
      'NEFFOS_MODULE_OPTIONS',
      'NamespaceConn',
      'NeffosController',
      'NeffosEvent',
      'NeffosIgnore',
      'NeffosMessage',
      'NeffosControllerInControllersError',
      'NeffosModule',
      'NeffosModuleTwiceError',
      'NeffosModuleWithoutForRootError',
      'NeffosOptionsFactoryError',
      'NeffosNotReadyError',
      'NeffosServer',
      'NoControllersError',
      'NoScopedInstanceError',
      'RoomName',
      'UnknownOptionError',
      'UnsupportedControllerProviderError',
      'UnsupportedParamDecoratorError',
      'trimPrefix',
    ],
    types: [...engineTypes, 'EventNameMapper', 'HandlerReply', 'NeffosControllerOptions', 'NeffosEventsMode', 'NeffosHandlers', 'NeffosModuleOptions', 'NeffosOptionsFactory', 'NeffosTarget'],
  },
  './engine': { values: engineValues, types: engineTypes },
  './platform-ws': { values: ['NeffosWsAdapter'], types: [] },
  './redis': { values: ['BrokerUnavailableError', 'RedisExchange'], types: ['RedisExchangeOptions'] },
  './nats': { values: ['BrokerUnavailableError', 'NatsExchange', 'PayloadTooLargeError'], types: ['NatsExchangeOptions'] },
  './testing': {
    values: [
      'DialRejectedError',
      'EndpointNotFoundError',
      'Message',
      'NeffosTestClient',
      'NeffosTestError',
      'ReplyError',
      'TestConnectionClosedError',
      'TestNamespace',
      'TestRoom',
      'TestTimeoutError',
      'createTestingApp',
      'dial',
      'endpointUrl',
    ],
    types: [
      'ClientOptions',
      'DialOptions',
      'DialTarget',
      'HttpServerHolder',
      'ListeningServer',
      'ServerAskHandler',
      'TestBody',
      'TestingApp',
      'TestingAppOptions',
      'WaitOptions',
      ...eventMapTypes,
    ],
  },
};
