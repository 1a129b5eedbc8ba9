// Start-up checks before the engine is mounted: configurations that would otherwise fail only when the
// first client connects. Two NeffosModule registrations on one HTTP server (on one path, both engines
// answered each upgrade and the first client crashed the process with ws's "handleUpgrade() was called
// more than once"), and a @nestjs/platform-ws gateway on neffos's own path.
import type { ApplicationConfig, ModulesContainer } from '@nestjs/core';
import { GatewayOnNeffosPathError, NeffosModuleTwiceError } from './neffos.errors.js';
import type { NeffosModuleOptions } from './interfaces/neffos-module-options.interface.js';

/** The parts of Nest's Module (core/injector/module) read here; structural, to avoid a deep import. */
interface ModuleLike {
  metatype: { name: string };
  providers: Map<unknown, { instance: unknown; metatype?: unknown }>;
}

/** `MODULE_METADATA.IMPORTS` of @nestjs/common (not exported from its root). */
const MODULE_IMPORTS = 'imports';

interface ProviderLike {
  provide?: unknown;
  useValue?: unknown;
  useFactory?: unknown;
}

export interface NeffosRegistration {
  path: string;
  importedBy: string[];
}

/** Every NeffosModule registration of the app: its path and the modules that import it. */
export function neffosRegistrations(container: ModulesContainer, hostToken: unknown, optionsToken: unknown): NeffosRegistration[] {
  const modules = [...container.values()] as unknown as ModuleLike[];
  return modules
    .filter((m) => m.providers.has(hostToken))
    .map((m) => ({
      path: (m.providers.get(optionsToken)?.instance as NeffosModuleOptions | undefined)?.path ?? '?',
      importedBy: modules.filter((other) => other !== m && declaresImportOf(other, m, optionsToken)).map((other) => other.metatype.name),
    }));
}

/**
 * Whether `importer`'s @Module({ imports }) lists this very registration. Not `Module.imports`: Nest adds a
 * global module (NeffosModule is global by default) to every module's imports. A registration is told
 * apart from another forRoot of the same class by its options provider, the value (forRoot) or factory
 * (forRootAsync) that Nest instantiated.
 */
function declaresImportOf(importer: ModuleLike, registration: ModuleLike, optionsToken: unknown): boolean {
  const declared = (Reflect.getMetadata(MODULE_IMPORTS, importer.metatype) as unknown[] | undefined) ?? [];
  const options = registration.providers.get(optionsToken);
  if (options === undefined) return false;
  return declared.some((entry) => {
    const dynamic = entry as { module?: unknown; providers?: ProviderLike[] } | null;
    if (dynamic?.module !== registration.metatype) return false;
    return (dynamic.providers ?? []).some((p) => p.provide === optionsToken && (p.useValue === options.instance || (p.useFactory !== undefined && p.useFactory === options.metatype)));
  });
}

/** One NeffosModule per app: a second registration, on the same path or another, fails the start-up. */
export function assertSingleRegistration(registrations: readonly NeffosRegistration[]): void {
  if (registrations.length > 1) throw new NeffosModuleTwiceError(registrations);
}

/** Nest's WsAdapter path registry (a protected field): gateways on the app's own HTTP server are under port 0. */
interface WsAdapterLike {
  wsServersRegistry?: Map<number, Array<{ path?: string }>>;
}

/** A platform-ws gateway on neffos's path would take the upgrades neffos expects (or both would answer). */
export function assertNoGatewayOnPath(config: ApplicationConfig, path: string): void {
  const registry = (config.getIoAdapter() as WsAdapterLike | undefined)?.wsServersRegistry;
  if (!(registry instanceof Map)) return;
  const ours = normalize(path);
  for (const server of registry.get(0) ?? []) {
    if (server.path !== undefined && normalize(server.path) === ours) throw new GatewayOnNeffosPathError(path);
  }
}

/** As Nest normalises gateway paths: no trailing slash. */
function normalize(path: string): string {
  return path.replace(/\/+$/, '') || '/';
}

/**
 * Whether the app's WebSocket adapter is Nest's plain WsAdapter (or a subclass of it other than
 * NeffosWsAdapter) serving gateways on the app's own server: its upgrade listener destroys every upgrade
 * it does not route, neffos's included, so each neffos client saw a bare "socket hang up" and the server
 * logged nothing. Told by class names, as lib/nest may not import the optional @nestjs/platform-ws.
 */
export function wsAdapterDestroysOurUpgrades(config: ApplicationConfig): boolean {
  const adapter = config.getIoAdapter() as (WsAdapterLike & object) | undefined | null;
  const registry = adapter?.wsServersRegistry;
  if (!(registry instanceof Map) || (registry.get(0)?.length ?? 0) === 0) return false;
  const names: string[] = [];
  for (let proto: unknown = Object.getPrototypeOf(adapter); proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    names.push((proto as { constructor?: { name?: string } }).constructor?.name ?? '');
  }
  return names.includes('WsAdapter') && !names.includes('NeffosWsAdapter');
}
