// createTestingApp's own failures and options: when no neffos endpoint is found after listening, the
// error is thrown and the app it started is closed (a listening app left behind is an open handle that
// hangs the test runner); the `logger` option reaches Nest also with the default (Express) adapter.
import 'reflect-metadata';
import { type INestApplication, type LoggerService, Module } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { type Message, NeffosController, NeffosModule } from 'nestjs-neffos';
import { createTestingApp, EndpointNotFoundError } from 'nestjs-neffos/testing';
import { LOG_PATH } from '../../lib/nest/neffos.messages.js';

@NeffosController('default')
class EchoController {
  echo(msg: Message): Buffer {
    return msg.body;
  }
}

const tcpServers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

/** Close callbacks run in a later turn of the loop: give it a bounded number of turns to get back to `count`. */
async function settleTo(count: number): Promise<number> {
  for (let turn = 0; turn < 100 && tcpServers() > count; turn++) await new Promise((resolve) => setImmediate(resolve));
  return tcpServers();
}

describe('createTestingApp', () => {
  it('an app without a neffos endpoint: EndpointNotFoundError, and the app it started is closed', async () => {
    @Module({})
    class NoNeffosModule {}
    const before = tcpServers();
    let started: INestApplication | undefined;
    const creating = createTestingApp({ imports: [NoNeffosModule] }, { beforeListen: (app) => void (started = app) });
    await expect(creating).rejects.toBeInstanceOf(EndpointNotFoundError);
    await expect(creating).rejects.toThrow('serves no neffos endpoint');
    expect(started).toBeDefined();
    expect((started!.getHttpServer() as { listening: boolean }).listening).toBe(false);
    expect(await settleTo(before)).toBe(before);
  });

  it('with { path }, the client dials that endpoint', async () => {
    const testing = await createTestingApp({ imports: [NeffosModule.forRoot({ path: '/ws' })], providers: [EchoController] }, { path: '/ws' });
    const ns = await (await testing.dial()).connect('default');
    expect((await ns.ask('echo', 'hi')).text()).toBe('hi');
    await testing.close();
  });

  it('the logger option is Nest\'s logger for the app, with the default adapter too', async () => {
    const lines: string[] = [];
    const logger: LoggerService = {
      log: (message: unknown) => void lines.push(String(message)),
      error: () => {},
      warn: () => {},
    };
    const testing = await createTestingApp({ imports: [NeffosModule.forRoot({ path: '/ws' })], providers: [EchoController] }, { logger });
    await testing.close();
    expect(lines).toContain(LOG_PATH('/ws', 1));
  });
});
