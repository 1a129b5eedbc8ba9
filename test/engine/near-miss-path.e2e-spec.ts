// An upgrade to a path that is ours but for a trailing slash or letter case (`/echo/`, `/ECHO` when the
// engine serves `/echo`) still gets 404, and the engine's logger says why, once per requested path and
// for at most NEAR_MISS_PATHS_LOGGED of them; unrelated paths (the app's) and repeats stay silent, and
// an upgrade another listener answers is not a 404 of ours. On a bare engine and in a Nest app, where
// the line goes through Nest's Logger (also with NeffosWsAdapter, whose listener shares the refusal).
import 'reflect-metadata';
import type { LoggerService } from '@nestjs/common';
import { WebSocketGateway } from '@nestjs/websockets';
import { describe, expect, it } from 'vitest';
import { type Message, NeffosController } from '../../lib/index.js';
import { NeffosWsAdapter } from '../../lib/platform-ws.js';
import { NEAR_MISS_PATH } from '../../lib/engine/engine.messages.js';
import { NEAR_MISS_PATHS_LOGGED } from '../../lib/engine/near-miss-paths.js';
import type { NeffosLogger } from '../../lib/engine/index.js';
import { useEngineHarness } from '../utils/engine-harness.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';
import { RawClient } from '../utils/raw-client.js';

const namespaces = { default: { echo: (msg: Message) => msg.body } };

/** An engine logger that keeps its warnings. */
function warnings(): NeffosLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: () => {}, warn: (m) => lines.push(m), error: () => {} };
}

describe('an upgrade to a near miss of the engine path', () => {
  const h = useEngineHarness();

  it('is refused with 404 as before, and logged once per requested path; other paths and repeats are not', async () => {
    const logger = warnings();
    await h.start({ path: '/echo', namespaces, logger });
    for (const path of ['/echo/', '/ECHO', '/echo/?x=1', '/elsewhere', '/echo/more', '/ech', '/Echo/', '/ECHO', '/']) {
      expect([path, await RawClient.refusedStatus(h.wsUrl(path))]).toEqual([path, 404]);
    }
    expect(logger.lines).toEqual([NEAR_MISS_PATH('/echo/', '/echo'), NEAR_MISS_PATH('/ECHO', '/echo'), NEAR_MISS_PATH('/Echo/', '/echo')]);
    expect(logger.lines[0]).toBe(
      'an upgrade to "/echo/" was refused with 404: neffos serves "/echo", matched exactly (case and trailing slash included); dial "/echo". Logged once per path.',
    );
    await (await h.rawConnected()).expectEcho();
    expect(logger.lines).toHaveLength(3);
  });

  it('a served path with a trailing slash: the path without it is a near miss', async () => {
    const logger = warnings();
    await h.start({ path: '/chat/', namespaces, logger });
    expect(await RawClient.refusedStatus(h.wsUrl('/chat'))).toBe(404);
    expect(logger.lines).toEqual([NEAR_MISS_PATH('/chat', '/chat/')]);
  });

  it(`remembers at most ${NEAR_MISS_PATHS_LOGGED} paths: past them, nothing more is logged`, async () => {
    const logger = warnings();
    await h.start({ path: '/abcdefgh', namespaces, logger });
    // Distinct case variants of the path: bit i of n upper-cases letter i.
    const variant = (n: number) => '/' + [...'abcdefgh'].map((c, i) => ((n >> i) & 1 ? c.toUpperCase() : c)).join('');
    for (let n = 1; n <= NEAR_MISS_PATHS_LOGGED + 5; n++) expect(await RawClient.refusedStatus(h.wsUrl(variant(n)))).toBe(404);
    expect(logger.lines).toHaveLength(NEAR_MISS_PATHS_LOGGED);
    expect(logger.lines.at(-1)).toBe(NEAR_MISS_PATH(variant(NEAR_MISS_PATHS_LOGGED), '/abcdefgh'));
  });

  it('beside another upgrade listener: a near miss it answers is not ours; one nobody answers is refused after the wait and logged', async () => {
    const logger = warnings();
    await h.start(
      { path: '/echo', namespaces, logger },
      {
        beforeAttach: (server) =>
          server.on('upgrade', (req, socket) => {
            if (req.url === '/ECHO') socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
          }),
      },
    );
    expect(await RawClient.refusedStatus(h.wsUrl('/ECHO'))).toBe(403);
    expect(await RawClient.refusedStatus(h.wsUrl('/echo/'))).toBe(404);
    expect(logger.lines).toEqual([NEAR_MISS_PATH('/echo/', '/echo')]);
  });
});

@NeffosController('default')
class EchoController {
  echo(msg: Message) {
    return msg.body;
  }
}

@WebSocketGateway({ path: '/gw' })
class PlainGateway {}

/** A Nest logger that keeps warnings with their context. */
class WarnLines implements LoggerService {
  readonly warnings: string[] = [];
  log(): void {}
  error(): void {}
  warn(message: unknown, context?: unknown): void {
    this.warnings.push(`[${String(context)}] ${String(message)}`);
  }
}

describe('a near miss in a Nest app', () => {
  useNestApps();

  it('is logged through Nest’s Logger, context NeffosModule', async () => {
    const logger = new WarnLines();
    const h = await createNestApp({ providers: [EchoController], configure: (app) => app.useLogger(logger) });
    expect(await RawClient.refusedStatus(`${h.wsBase}/echo/`)).toBe(404);
    expect(await RawClient.refusedStatus(`${h.wsBase}/echo/`)).toBe(404);
    expect(await RawClient.refusedStatus(`${h.wsBase}/nowhere`)).toBe(404);
    expect(logger.warnings).toEqual([`[NeffosModule] ${NEAR_MISS_PATH('/echo/', '/echo')}`]);
  });

  it('with NeffosWsAdapter serving a gateway, once the unanswered upgrade is refused', async () => {
    const logger = new WarnLines();
    const h = await createNestApp({
      providers: [EchoController, PlainGateway],
      configure: (app) => {
        app.useLogger(logger);
        app.useWebSocketAdapter(new NeffosWsAdapter(app));
      },
    });
    expect(await RawClient.refusedStatus(`${h.wsBase}/Echo`, {}, 3_000)).toBe(404);
    expect(await RawClient.refusedStatus(`${h.wsBase}/nowhere`, {}, 3_000)).toBe(404);
    expect(logger.warnings).toEqual([`[NeffosModule] ${NEAR_MISS_PATH('/Echo', '/echo')}`]);
  });
});
