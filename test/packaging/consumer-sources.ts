// The source of a small Nest app as a user writes it, importing only the package's public entries.
// The same files compile as CommonJS and as ESM (relative imports carry `.js`, as NodeNext wants).

const chatController = `
import { Controller, Get, Injectable } from '@nestjs/common';
import { MessageBody } from '@nestjs/websockets';
import { Message, NeffosController, NeffosEvent, NeffosServer, NSConn } from 'nestjs-neffos';

@Injectable()
export class Greeter {
  greet(id: string): string {
    return \`hello \${id}\`;
  }
}

@NeffosController('chat')
export class ChatController {
  constructor(private readonly greeter: Greeter) {}

  onNamespaceConnected(_msg: Message, conn: NSConn): void {
    conn.emit('welcome', this.greeter.greet(conn.id));
  }

  echo(msg: Message): Buffer {
    return msg.body;
  }

  @NeffosEvent('add')
  sum(@MessageBody() numbers: number[]): number {
    return numbers.reduce((a, b) => a + b, 0);
  }
}

@Controller('stats')
export class StatsController {
  constructor(private readonly neffos: NeffosServer) {}

  @Get()
  stats(): { connections: number } {
    return { connections: this.neffos.connectionCount };
  }
}
`;

const appModule = `
import { Module } from '@nestjs/common';
import { NeffosModule } from 'nestjs-neffos';
import { ChatController, Greeter, StatsController } from './chat.controller.js';

@Module({
  imports: [NeffosModule.forRoot({ path: '/ws' })],
  controllers: [StatsController],
  providers: [Greeter, ChatController],
})
export class AppModule {}
`;

/** Serves the Nest app and, on a second server, the bare engine; prints both ports. */
const main = `
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NeffosEngine } from 'nestjs-neffos/engine';
import { NeffosWsAdapter } from 'nestjs-neffos/platform-ws';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppModule } from './app.module.js';

const portOf = (server: { address(): unknown }): number => (server.address() as AddressInfo).port;

async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  app.useWebSocketAdapter(new NeffosWsAdapter(app));
  await app.listen(0, '127.0.0.1');
  const server = createServer();
  new NeffosEngine({ path: '/bare', namespaces: { default: { echo: (msg) => msg.body } } }).attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  console.log(\`listening nest=\${portOf(app.getHttpServer())} engine=\${portOf(server)}\`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
`;

/** The user's own e2e test, on the package's test kit: exits by itself only if nothing is left open. */
const selftest = `
import 'reflect-metadata';
import { createTestingApp } from 'nestjs-neffos/testing';
import { AppModule } from './app.module.js';

async function main(): Promise<void> {
  const testing = await createTestingApp({ imports: [AppModule] });
  const client = await testing.dial();
  const chat = await client.connect('chat');
  const welcome = await chat.nextEvent('welcome');
  const sum = await chat.ask('add', [2, 3]);
  await testing.close();
  const ok = welcome.text() === \`hello \${client.id}\` && sum.json<number>() === 5;
  console.log(ok ? 'selftest ok' : \`selftest FAILED: \${welcome.text()} \${sum.text()}\`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
`;

/**
 * Compiled, never run: what the declarations let a user do and what they must not. Each
 * \`@ts-expect-error\` fails the compile if the line it guards stops being an error.
 */
const apiSurface = `
import { Conn, Message, NeffosModule, NeffosServer, NSConn, Room, type NeffosHandlers, type NeffosModuleOptions } from 'nestjs-neffos';
import type { EngineOptions } from 'nestjs-neffos/engine';
import type { NeffosTestClient, TestNamespace } from 'nestjs-neffos/testing';

export const options: NeffosModuleOptions = { path: '/ws', maxPayload: 65536 };
export const engineOptions: Omit<EngineOptions, 'namespaces'> = options;
export const dynamicModule = NeffosModule.forRoot(options);
export const msg = new Message({ event: 'e', body: Buffer.from('{"a":1}') });
export const parsed: { a: number } = msg.json<{ a: number }>();
export type Clients = [NeffosTestClient, TestNamespace];

// @ts-expect-error the decoder's positional constructor is internal
Message.fromWire('', '', '', '', false, false, Buffer.alloc(0), false);
// @ts-expect-error connections are made by the engine
export const conn = new Conn();
// @ts-expect-error namespace connections are made by a connection
export const nsConn = new NSConn();
// @ts-expect-error rooms are made by joining them
export const room = new Room();
export function internals(ns: NSConn, c: Conn): void {
  // @ts-expect-error the engine a connection sees is internal
  void c.host;
  // @ts-expect-error a namespace's handler table is internal
  void ns.events;
  // @ts-expect-error connections keep no per-namespace value
  ns.value = 1;
  // Classes stay values: instanceof works in user code.
  if (ns.conn instanceof Conn && ns.rooms.get('a') instanceof Room) ns.emit('ok');
}

// Typed events, through the published declarations.
interface ChatEvents { join: { req: string; reply: string[] }; chat: { req: { text: string } } }
export class Handlers implements NeffosHandlers<ChatEvents, 'join'> {
  join(room: string): string[] { return [room]; }
}
export async function typedEvents(ns: NSConn<ChatEvents>, untyped: NSConn, server: NeffosServer<{ chat: ChatEvents }>, t: TestNamespace<ChatEvents>): Promise<string[]> {
  ns.emit('chat', { text: 'hi' });
  // @ts-expect-error chat carries { text }
  ns.emit('chat', 'hi');
  server.broadcast({ namespace: 'chat', event: 'chat', body: { text: 'hi' } });
  // @ts-expect-error no event "chta" in namespace chat
  server.broadcast({ namespace: 'chat', event: 'chta', body: { text: 'hi' } });
  // @ts-expect-error a Map is no body (JSON would send {})
  untyped.emit('any', new Map());
  return (await t.ask('join', 'general')).json();
}
`;

export const CONSUMER_FILES: Record<string, string> = {
  'src/chat.controller.ts': chatController,
  'src/app.module.ts': appModule,
  'src/main.ts': main,
  'src/selftest.ts': selftest,
  'src/api-surface.ts': apiSurface,
};

/**
 * The user's e2e test under Jest, the test runner of Nest 11 apps: ts-jest transforms it, and this
 * package too once the README's transformIgnorePatterns lets it (Jest's own loader cannot require ESM).
 */
export const JEST_SPEC = `
import 'reflect-metadata';
import { afterEach, beforeEach, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Message, NeffosController, NeffosModule, NSConn } from 'nestjs-neffos';
import { createTestingApp, type TestingApp } from 'nestjs-neffos/testing';

@Injectable()
class Greeter {
  greet(id: string): string {
    return \`hello \${id}\`;
  }
}

@NeffosController('chat')
class ChatController {
  constructor(private readonly greeter: Greeter) {}

  onNamespaceConnected(_msg: Message, conn: NSConn): void {
    conn.emit('welcome', this.greeter.greet(conn.id));
  }

  echo(msg: Message): Buffer {
    return msg.body;
  }
}

let testing: TestingApp;
beforeEach(async () => {
  testing = await createTestingApp({ imports: [NeffosModule.forRoot({ path: '/ws' })], providers: [Greeter, ChatController] });
});
afterEach(() => testing.close());

it('welcomes and echoes', async () => {
  const client = await testing.dial();
  const chat = await client.connect('chat');
  expect((await chat.nextEvent('welcome')).text()).toBe(\`hello \${client.id}\`);
  expect((await chat.ask('echo', 'hi')).text()).toBe('hi');
});
`;
