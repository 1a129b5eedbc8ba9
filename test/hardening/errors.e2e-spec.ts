// Issue 8 item 4 (errors): an error not written for the client — a bug's TypeError, a driver's "db down:
// connection refused at 10.0.0.5:5432" — is reported with its stack (the engine's onError; Nest's Logger)
// and reaches the client as "Internal server error", as Nest gateways do; `exposeErrors: true` sends the
// message (development). Written for the client: NeffosError (ClientError), a thrown string, and in Nest
// WsException/HttpException. A throwing authorize follows the same rule, and a catch-all
// BaseWsExceptionFilter gives the client one error reply, not an "exception" event beside a success.
import 'reflect-metadata';
import { type ConsoleLogger, HttpException, UseFilters } from '@nestjs/common';
import { BaseWsExceptionFilter, WsException } from '@nestjs/websockets';
import { describe, expect, it } from 'vitest';
import { ClientError, type Message, NeffosController, type NSConn } from '../../lib/index.js';
import { INTERNAL_ERROR, REJECTED } from '../../lib/engine/engine.messages.js';
import { useEngineHarness } from '../utils/engine-harness.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';
import { EventLog } from '../utils/wait.js';

const DB_DOWN = 'db down: connection refused at 10.0.0.5:5432';

function dbDown(): never {
  throw new Error(DB_DOWN);
}

describe('errors on the engine', () => {
  const h = useEngineHarness();
  const namespaces = {
    default: {
      bug: (msg: Message) => (msg as unknown as { missing: { foo: string } }).missing.foo,
      db: async () => dbDown(),
      refuse: () => {
        throw new ClientError('you may not');
      },
      text: () => {
        throw 'a deliberate text';
      },
      echo: (msg: Message) => msg.body,
    },
  };

  it('by default a handler bug reads "Internal server error"; onError gets the error with its stack; ClientError and strings keep their text', async () => {
    const reported = new EventLog<unknown>();
    await h.start({ path: '/echo', namespaces, onError: (err) => reported.push(err) });
    const client = await h.rawConnected();
    client.send('$1;default;;bug;0;0;x');
    await client.expectFrame(`$1;default;;bug;1;0;${INTERNAL_ERROR}`); // today: "Cannot read properties of undefined (reading 'foo')"
    client.send('$2;default;;db;0;0;x');
    await client.expectFrame(`$2;default;;db;1;0;${INTERNAL_ERROR}`); // today: the database's address
    client.send('$3;default;;refuse;0;0;x');
    await client.expectFrame('$3;default;;refuse;1;0;you may not');
    client.send('$4;default;;text;0;0;x');
    await client.expectFrame('$4;default;;text;1;0;a deliberate text');
    await reported.waitForCount(2, 'the two reports');
    expect(reported.entries.map((e) => (e as Error).stack?.split('\n')[0])).toEqual([`TypeError: Cannot read properties of undefined (reading 'foo')`, `Error: ${DB_DOWN}`]);
    expect((reported.entries[1] as Error).stack).toMatch(/at dbDown/);
    await client.expectEcho();
  });

  it('exposeErrors: true sends every message (development)', async () => {
    await h.start({ path: '/echo', namespaces, exposeErrors: true });
    const client = await h.rawConnected();
    client.send('$1;default;;db;0;0;x');
    await client.expectFrame(`$1;default;;db;1;0;${DB_DOWN}`);
  });

  it('a throwing authorize: the unauthenticated client reads H + "Internal server error", the error goes to onError', async () => {
    const reported = new EventLog<unknown>();
    await h.start({ path: '/echo', namespaces, authorize: () => dbDown(), onError: (err) => reported.push(err) });
    const client = await h.raw();
    client.send('M');
    await client.expectFrame(`H${INTERNAL_ERROR}`); // today: `H${DB_DOWN}`
    expect((await client.whenClosed()).code).toBe(1008);
    await reported.waitForCount(1, 'the report');
    expect((reported.entries[0] as Error).message).toBe(DB_DOWN);
  });

  it('a rejection with no text of its own still reads as one: H + "rejected"', async () => {
    await h.start({ path: '/echo', namespaces, authorize: () => { throw new ClientError(''); } });
    const client = await h.raw();
    client.send('M');
    await client.expectFrame(`H${REJECTED}`);
    expect((await client.whenClosed()).code).toBe(1008);
  });

  it('a ClientError from authorize is the rejection text', async () => {
    await h.start({ path: '/echo', namespaces, authorize: () => { throw new ClientError('token expired'); } });
    const client = await h.raw();
    client.send('M');
    await client.expectFrame('Htoken expired');
  });
});

/** A Nest logger that keeps what is logged as an error. */
function capturingLogger(errors: string[]): Pick<ConsoleLogger, 'log' | 'error' | 'warn' | 'debug' | 'verbose'> {
  const ignore = (): void => {};
  return { log: ignore, warn: ignore, debug: ignore, verbose: ignore, error: (message: unknown, ...rest: unknown[]) => void errors.push([message, ...rest].map(String).join('\n')) };
}

@NeffosController('default')
class FailingController {
  bug(msg: Message) {
    return (msg as unknown as { missing: { foo: string } }).missing.foo;
  }
  async db() {
    return dbDown();
  }
  http() {
    throw new HttpException('payment required', 402);
  }
  ws() {
    throw new WsException('not in this room');
  }
  ok() {
    return 'ok';
  }
}

@UseFilters(new BaseWsExceptionFilter())
@NeffosController('filtered')
class FilteredController {
  bug(msg: Message) {
    return (msg as unknown as { missing: { foo: string } }).missing.foo;
  }
  ws() {
    throw new WsException('refused by rule 7');
  }
  ok(_msg: Message, conn: NSConn) {
    return `ok ${conn.namespace}`;
  }
}

describe('errors on a Nest app', () => {
  useNestApps();

  it('a handler bug: "Internal server error" to the client, the stack to Nest\'s Logger; Ws/HttpException keep their text', async () => {
    const errors: string[] = [];
    const h = await createNestApp({ providers: [FailingController], configure: (app) => app.useLogger(capturingLogger(errors)) });
    const ns = await (await h.dial({ default: {} })).connect('default');
    await expect(ns.ask('bug', '')).rejects.toThrow(INTERNAL_ERROR); // today: "Cannot read properties of undefined (reading 'foo')"
    await expect(ns.ask('db', '')).rejects.toThrow(INTERNAL_ERROR);
    await expect(ns.ask('http', '')).rejects.toThrow('payment required');
    await expect(ns.ask('ws', '')).rejects.toThrow('not in this room');
    expect(errors.some((e) => e.includes(`TypeError: Cannot read properties of undefined (reading 'foo')`) && e.includes('errors.e2e-spec.ts'))).toBe(true);
    expect(errors.some((e) => e.includes(`Error: ${DB_DOWN}`) && e.includes('dbDown'))).toBe(true);
    expect(errors.some((e) => e.includes('payment required') || e.includes('not in this room'))).toBe(false);
  });

  it('exposeErrors: true sends the message', async () => {
    const h = await createNestApp({ providers: [FailingController], neffos: { exposeErrors: true } });
    const ns = await (await h.dial({ default: {} })).connect('default');
    await expect(ns.ask('db', '')).rejects.toThrow(DB_DOWN);
  });

  it('a throwing authorize: dial rejects with "Internal server error", the stack is logged', async () => {
    const errors: string[] = [];
    const h = await createNestApp({ providers: [FailingController], neffos: { authorize: () => dbDown() }, configure: (app) => app.useLogger(capturingLogger(errors)) });
    await expect(h.dial({ default: {} })).rejects.toThrow(INTERNAL_ERROR); // today: DB_DOWN, to an unauthenticated client
    expect(errors.some((e) => e.includes(DB_DOWN) && e.includes('dbDown'))).toBe(true);
  });

  it('a catch-all BaseWsExceptionFilter: one error reply per failure, no "exception" event beside a success reply', async () => {
    const h = await createNestApp({ providers: [FilteredController] });
    const client = await h.raw();
    await client.handshake();
    await client.connectNamespace('filtered');
    client.send('$1;filtered;;bug;0;0;');
    await client.expectFrame(`$1;filtered;;bug;1;0;${INTERNAL_ERROR}`); // today: an "exception" event, then an error reply with the TypeError's text
    client.send('$2;filtered;;ws;0;0;');
    await client.expectFrame('$2;filtered;;ws;1;0;refused by rule 7');
    client.send(';filtered;;ws;0;0;'); // a plain emit: its one signal is the error frame of that event
    await client.expectFrame(';filtered;;ws;1;0;refused by rule 7');
    client.send('$3;filtered;;ok;0;0;');
    await client.expectFrame('$3;filtered;;ok;0;0;ok filtered'); // nothing else arrived in between
  });

  it('with a global catch-all filter too', async () => {
    const h = await createNestApp({ providers: [FailingController], configure: (app) => void app.useGlobalFilters(new BaseWsExceptionFilter()) });
    const ns = await (await h.dial({ default: {} })).connect('default');
    await expect(ns.ask('ws', '')).rejects.toThrow('not in this room');
    await expect(ns.ask('bug', '')).rejects.toThrow(INTERNAL_ERROR);
    expect((await ns.ask('ok', '')).Body).toBe('ok');
  });
});
