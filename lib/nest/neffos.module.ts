import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { NeffosExplorer } from './neffos.explorer.js';
import { NeffosConnectionScope } from './neffos-connection-scope.js';
import { NeffosHandlerFactory } from './neffos-handler.factory.js';
import { NeffosMetadataAccessor } from './neffos-metadata.accessor.js';
import { NeffosNamespacesFactory } from './neffos-namespaces.factory.js';
import { NeffosServer } from './neffos-server.js';
import { NeffosServerHost } from './neffos-server.host.js';
import { NeffosConfigurableModule } from './neffos.module-definition.js';

/**
 * Serves the neffos protocol on the app's HTTP server. Global by default (`isGlobal: false` to opt out).
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [NeffosModule.forRoot({ path: '/echo' })],
 *   providers: [ChatController],
 * })
 * export class AppModule {}
 * ```
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    NeffosMetadataAccessor,
    NeffosExplorer,
    NeffosConnectionScope,
    NeffosHandlerFactory,
    NeffosNamespacesFactory,
    NeffosServer,
    NeffosServerHost,
  ],
  exports: [NeffosServer],
})
export class NeffosModule extends NeffosConfigurableModule {}
