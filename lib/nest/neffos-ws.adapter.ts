// Nest's WsAdapter destroys every upgrade request whose path it does not route, including ours
// (docs/design.md, "Why not just a WsAdapter"). This subclass routes its own gateways' paths exactly as before and
// leaves every other upgrade to the other listeners of the HTTP server, so `@nestjs/platform-ws`
// gateways and NeffosModule share one server.
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { WsAdapter } from '@nestjs/platform-ws';
import { pathOf, refuseIfUnanswered } from '../engine/http-attach.js';

type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * A `WsAdapter` that does not destroy upgrades meant for other paths (such as NeffosModule's).
 *
 * @example
 * ```ts
 * const app = await NestFactory.create(AppModule);
 * app.useWebSocketAdapter(new NeffosWsAdapter(app));
 * ```
 */
export class NeffosWsAdapter extends WsAdapter {
  private readonly routedListeners: Array<{ server: Server; listener: UpgradeListener }> = [];

  protected override ensureHttpServerExists(port: number, httpServer: Server = createServer()): Server | undefined {
    if (this.httpServersRegistry.has(port)) return undefined;
    const before = new Set(httpServer.listeners('upgrade'));
    const result = super.ensureHttpServerExists(port, httpServer);
    const original = httpServer.listeners('upgrade').find((l) => !before.has(l)) as UpgradeListener | undefined;
    if (original === undefined) return result;
    httpServer.off('upgrade', original);
    const listener: UpgradeListener = (req, socket, head) => {
      const path = pathOf(req).replace(/\/+$/, '') || '/';
      const routed = (this.wsServersRegistry.get(port) ?? []).some((ws: { path?: string }) => ws.path === path);
      if (routed) original(req, socket, head);
      else if (httpServer.listenerCount('upgrade') === 1) socket.destroy(); // nobody else will answer it
      else refuseIfUnanswered(socket);
    };
    httpServer.on('upgrade', listener);
    this.routedListeners.push({ server: httpServer, listener });
    return result;
  }

  override async dispose(): Promise<void> {
    for (const { server, listener } of this.routedListeners) server.off('upgrade', listener);
    this.routedListeners.length = 0;
    await super.dispose();
  }
}
