export { createTestingApp, type TestingApp, type TestingAppOptions } from './create-testing-app.js';
export { dial, endpointUrl, type DialOptions, type DialTarget, type HttpServerHolder, type ListeningServer } from './dial.js';
export { NeffosTestClient, type ClientOptions } from './neffos-test-client.js';
export type { TestBody } from './test-body.js';
// Typed events (the same types as the root entry's): `dial<App>()` checks names and bodies
export type { EventMap, EventName, EventReply, EventRequest, EventSpec, NamespaceMap, Payload } from '../protocol/event-map.js';
export { TestNamespace, TestRoom, type ServerAskHandler, type WaitOptions } from './test-namespace.js';
export { DialRejectedError, EndpointNotFoundError, NeffosTestError, ReplyError, TestConnectionClosedError, TestTimeoutError } from './testing.errors.js';
