// `dial(target)`: where the neffos endpoint of a URL, an http.Server or a Nest app is. The engine
// records the paths it serves on the http.Server it is attached to, under a registry symbol (the
// string below is the contract with lib/engine), so a test never repeats the module's `path`.
import type { AddressInfo } from 'node:net';
import type { NamespaceMap } from '../protocol/event-map.js';
import { NeffosTestClient, type ClientOptions } from './neffos-test-client.js';
import { EndpointNotFoundError } from './testing.errors.js';

/** Set by the engine's `attach(server)`: the paths it serves on that server. */
const ENDPOINTS = Symbol.for('nestjs-neffos.endpoints');

/** What `http.Server` offers that dialing needs. */
export interface ListeningServer {
  address(): AddressInfo | string | null;
}

/** A Nest application (`INestApplication`), structurally: only `getHttpServer()` is used. */
export interface HttpServerHolder {
  getHttpServer(): unknown;
}

/** A `ws://` URL, a listening `http.Server` with an engine attached, a listening Nest app, or `{ url }`. */
export type DialTarget = string | URL | ListeningServer | HttpServerHolder | { readonly url: string };

export interface DialOptions extends ClientOptions {
  /** The endpoint path when the server has several neffos engines (default: its only one). */
  path?: string;
}

/**
 * Opens a test client: handshake done, no namespace connected yet. `dial<App>(…)` types it with the
 * app's namespace map (see `NamespaceMap`): `interface App { chat: ChatEvents }`; `dial<ClientApp,
 * ServerApp>(…)` when what the client sends and what the server sends differ.
 *
 * @example
 * ```ts
 * const client = await dial(app, { headers: { 'x-user': 'ann' } });
 * const chat = await client.connect('chat');
 * expect((await chat.ask('echo', 'hi')).text()).toBe('hi');
 * await client.close();
 * ```
 */
export function dial<N extends NamespaceMap<N> = any, SN extends NamespaceMap<SN> = N>(target: DialTarget, options: DialOptions = {}): Promise<NeffosTestClient<N, SN>> {
  return NeffosTestClient.open(endpointUrl(target, options.path), options);
}

/** The `ws://host:port/path` of a target (see `DialTarget`). */
export function endpointUrl(target: DialTarget, path?: string): string {
  if (typeof target === 'string') return target;
  if (target instanceof URL) return target.toString();
  if ('url' in target && typeof target.url === 'string') return target.url;
  if ('getHttpServer' in target && typeof target.getHttpServer === 'function') {
    return serverUrl(target.getHttpServer() as ListeningServer, path, 'the Nest app');
  }
  if ('address' in target && typeof target.address === 'function') return serverUrl(target, path, 'the http.Server');
  throw new TypeError('dial() takes a ws:// URL, an http.Server, a Nest app, or { url }');
}

function serverUrl(server: ListeningServer, path: string | undefined, what: string): string {
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new EndpointNotFoundError(`${what} is not listening on a TCP port: call listen(0) first (createTestingApp does), or dial a ws:// URL`);
  }
  const paths = (server as { [ENDPOINTS]?: readonly string[] })[ENDPOINTS] ?? [];
  let endpoint = path;
  if (endpoint === undefined) {
    if (paths.length !== 1) {
      throw new EndpointNotFoundError(
        paths.length === 0
          ? `${what} serves no neffos endpoint (is NeffosModule imported, and has the app been initialised?); pass { path } or dial a ws:// URL`
          : `${what} serves several neffos endpoints (${paths.join(', ')}); pass { path } to choose one`,
      );
    }
    endpoint = paths[0]!;
  }
  return `ws://${hostOf(address)}:${address.port}${endpoint}`;
}

/** A host to reach a listening address from this machine: the loopback for a wildcard address. */
function hostOf(address: AddressInfo): string {
  if (address.address === '::' || address.address === '0.0.0.0' || address.address === '') return '127.0.0.1';
  return address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
}
