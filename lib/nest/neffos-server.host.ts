// Mounts the engine on the app's HTTP server at bootstrap and closes it (1001 to every client)
// before the HTTP server shuts down.
import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import type { Server } from 'node:http';
import { errorText, NeffosEngine } from '../engine/index.js';
import type { NeffosModuleOptions } from './interfaces/neffos-module-options.interface.js';
import { NeffosExplorer, type NamespacePlan } from './neffos.explorer.js';
import { ARROW_FIELD, LOG_NAMESPACE, LOG_PATH, NAMESPACE_LIKE_PATH, NEAR_MISS_HOOK, WS_ADAPTER_DESTROYS_UPGRADES } from './neffos.messages.js';
import { EventReplyError, isForClient, ReplyErrors } from './neffos-reply.errors.js';
import { assertNoGatewayOnPath, assertSingleRegistration, neffosRegistrations, wsAdapterDestroysOurUpgrades } from './neffos-mount.checks.js';
import { NoControllersError } from './neffos.errors.js';
import { NeffosNamespacesFactory } from './neffos-namespaces.factory.js';
import { NeffosServer } from './neffos-server.js';
import { NEFFOS_MODULE_OPTIONS } from './neffos.module-definition.js';

@Injectable()
export class NeffosServerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('NeffosModule');
  private engine: NeffosEngine | undefined;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly explorer: NeffosExplorer,
    private readonly namespaces: NeffosNamespacesFactory,
    private readonly server: NeffosServer,
    @Inject(NEFFOS_MODULE_OPTIONS) private readonly options: NeffosModuleOptions,
    private readonly modules: ModulesContainer,
    private readonly appConfig: ApplicationConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.engine !== undefined) return;
    assertSingleRegistration(neffosRegistrations(this.modules, NeffosServerHost, NEFFOS_MODULE_OPTIONS));
    assertNoGatewayOnPath(this.appConfig, this.options.path);
    if (wsAdapterDestroysOurUpgrades(this.appConfig)) this.logger.error(WS_ADAPTER_DESTROYS_UPGRADES(this.options.path));
    const plans = this.explorer.explore();
    if (plans.length === 0) throw new NoControllersError();
    for (const plan of plans) {
      for (const miss of plan.nearMisses) this.logger.warn(NEAR_MISS_HOOK(miss.controller, miss.methodName, miss.hook, miss.kind, miss.event));
      for (const field of plan.arrowFields) this.logger.warn(ARROW_FIELD(field.controller, field.name, plan.namespace));
      // @Controller('/chat') habit: a namespace is a name clients connect to, the path is forRoot's.
      if (plan.namespace.startsWith('/')) this.logger.warn(NAMESPACE_LIKE_PATH(plan.namespace, plan.controllers.map((c) => c.metatype.name), this.options.path));
    }
    const { eventNameMapper: _mapper, events: _events, authorize, onConnect, ...engineOptions } = this.options;
    // The handshake hooks fail the way handlers do: Nest's exceptions keep their text, anything else is
    // logged with its stack and read by the client as `Internal server error` (unless exposeErrors).
    const replies = new ReplyErrors(this.options.exposeErrors === true);
    const [authorizeReplies, onConnectReplies] = [replies.at('authorize'), replies.at('onConnect')];
    this.engine = new NeffosEngine({
      ...engineOptions,
      authorize: authorize && ((req) => settle(() => authorize(req), authorizeReplies)),
      onConnect: onConnect && ((conn) => settle(() => onConnect(conn), onConnectReplies)),
      namespaces: this.namespaces.create(plans),
      onError: this.options.onError ?? ((err) => this.logFailure(err)),
      logger: this.options.logger ?? this.logger,
    });
    const httpServer = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.engine.attach(httpServer);
    this.server.bind(this.engine);
    // With an exchange, the app is ready once it has subscribed (cross-node delivery works).
    await this.engine.ready();
    this.logMounted(plans);
  }

  /**
   * The default onError. A hook's failure after a close reaches it as the EventReplyError the client would
   * have read: a bug in it was logged with its stack when it was thrown (ReplyErrors), so only a text
   * written for the client (a WsException nobody was left to read) is logged here; logging the wrapper
   * too put a second, stackless "EventReplyError: Internal server error" under every teardown bug.
   */
  private logFailure(err: unknown): void {
    if (err instanceof EventReplyError) {
      if (isForClient(err.original)) this.logger.error(err.message);
      return;
    }
    this.logger.error(err instanceof Error ? (err.stack ?? err.message) : errorText(err));
  }

  /** Like Nest's RoutesResolver: the path, then one line per namespace with its events, hooks and scopes. */
  private logMounted(plans: readonly NamespacePlan[]): void {
    this.logger.log(LOG_PATH(this.options.path, plans.length));
    for (const plan of plans) {
      const hooks = [...plan.hooks.keys()].map((event) => event.slice(1));
      const controllers = plan.controllers.map((c) => ({ name: c.metatype.name, perConnection: c.perConnection }));
      this.logger.log(LOG_NAMESPACE(plan.namespace, [...plan.events.keys()], hooks, controllers));
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    const engine = this.engine;
    this.engine = undefined;
    this.server.bind(undefined);
    await engine?.close();
  }
}

/** Runs a hook; whatever it throws (or rejects with) leaves as the EventReplyError the client may read. */
async function settle<T>(hook: () => T | Promise<T>, replies: ReplyErrors): Promise<T> {
  try {
    return await hook();
  } catch (err) {
    throw replies.of(err);
  }
}
