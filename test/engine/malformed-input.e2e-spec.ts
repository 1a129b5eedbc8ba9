// Bad input never crashes the engine and never affects another connection: every test keeps a second,
// healthy client and proves at the end that it still gets its echo replies, in order.
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ClientError, type EngineOptions } from '../../lib/engine/index.js';
import { INTERNAL_ERROR } from '../../lib/engine/engine.messages.js';
import { useEngineHarness } from '../utils/engine-harness.js';
import type { RawClient } from '../utils/raw-client.js';
import { EventLog } from '../utils/wait.js';

const PATH = '/echo';

describe('malformed and hostile input', () => {
  const h = useEngineHarness();
  let healthy: RawClient;
  let order: EventLog<string>;
  let errors: EventLog<unknown>;
  let disconnects: EventLog<string>;


  async function start(options: Partial<EngineOptions> = {}): Promise<void> {
    order = new EventLog();
    errors = new EventLog();
    disconnects = new EventLog();
    let n = 0;
    await h.start({
      path: PATH,
      idGenerator: () => `conn${++n}`,
      onError: (err) => errors.push(err),
      onDisconnect: (conn) => disconnects.push(conn.id),
      namespaces: {
        default: {
          echo: (msg) => msg.body,
          throwString: () => {
            throw 'a plain string';
          },
          throwObject: () => {
            throw { code: 42, why: 'an object' };
          },
          throwEmpty: () => {
            throw new Error('');
          },
          // Written for the client as they are: their empty text reaches the reply unless replaced.
          throwEmptyText: () => {
            throw '';
          },
          throwEmptyClientError: () => {
            throw new ClientError('');
          },
          throwUndefined: () => {
            throw undefined;
          },
          rejectAsync: async () => {
            await Promise.resolve();
            throw new Error('async failure');
          },
          rejectLater: () => delay(5).then(() => Promise.reject(new Error('rejected later'))),
          slow: async (msg) => {
            await delay(30);
            order.push(`slow:${msg.text()}`);
            return msg.body;
          },
          fast: (msg) => {
            order.push(`fast:${msg.text()}`);
            return msg.body;
          },
          askInside: async (msg, ns) => {
            order.push('askInside:start');
            const answer = await ns.ask('q', msg.text(), { timeout: 2_000 }).catch((err: Error) => {
              order.push(`askInside:${err.name}`);
              throw err;
            });
            order.push(`askInside:got ${answer.text()}`);
            return `ok: ${answer.text()}`;
          },
          _OnRoomJoined: () => {
            throw new Error('joined hook failed');
          },
          _OnRoomLeave: () => {
            throw new Error('leave hook failed');
          },
        },
        emptyVeto: {
          _OnNamespaceConnect: () => {
            throw new Error('');
          },
        },
        // Thrown values with no text of their own: still a veto, with a text.
        emptyTextVeto: {
          _OnNamespaceConnect: () => {
            throw '';
          },
        },
        undefinedVeto: {
          _OnNamespaceConnect: () => {
            throw undefined;
          },
        },
      },
      ...options,
    });
    healthy = await h.rawConnected();
  }

  /** The healthy neighbour still gets its echoes, in order. */
  async function proveHealthy(): Promise<void> {
    await healthy.expectEcho('default', 'still fine 1');
    await healthy.expectEcho('default', 'still fine 2');
    expect(healthy.isOpen).toBe(true);
  }

  describe('framing', () => {
    it('frames with fewer than 6 separators get silence; the connection stays open', async () => {
      await start();
      const client = await h.rawConnected();
      for (const bad of ['$1;default;;echo;0;0', 'hello', ';;;;;', ';', 'M', 'Aspoofed', 'H']) client.send(bad);
      client.sendBinary('$2;default;;echo;0'); // binary, too short
      client.sendBinary(Buffer.from([0xff, 0x00, 0xfe]));
      await client.expectEcho(); // the very next frame is this reply: the bad ones got none
      expect(client.isOpen).toBe(true);
      await proveHealthy();
    });

    it('odd but valid frames: unknown flag values count as 0, a second M after the ack is just noise', async () => {
      await start();
      const client = await h.rawConnected();
      client.send('$1;default;;echo;true;01;flags');
      await client.expectFrame('$1;default;;echo;0;0;flags');
      client.send('$2;default;;echo;;;empty flags');
      await client.expectFrame('$2;default;;echo;0;0;empty flags');
      await client.expectEcho();
      await proveHealthy();
    });

    it('namespace and event names of Object.prototype members find nothing', async () => {
      await start();
      const client = await h.rawConnected();
      let i = 0;
      for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
        const t1 = `$p${++i}`;
        client.send(`${t1};${name};;_OnNamespaceConnect;0;0;`);
        await client.expectFrame(`${t1};${name};;_OnNamespaceConnect;1;0;bad namespace`);
        const t2 = `$p${++i}`;
        client.send(`${t2};default;;${name};0;0;x`);
        const reply = await client.next();
        const prefix = `${t2};default;;${name};1;0;`; // an "unknown event" error reply
        expect(reply.text.startsWith(prefix) && reply.text.length > prefix.length, reply.text).toBe(true);
      }
      await client.expectEcho();
      await proveHealthy();
    });

    it('an event in a room the connection has not joined is refused with "bad room"', async () => {
      await start();
      const client = await h.rawConnected();
      client.send('$3;default;nojoin;echo;0;0;x');
      await client.expectFrame('$3;default;nojoin;echo;1;0;bad room');
      client.send(';default;nojoin;echo;0;0;no token, no reply');
      await client.expectEcho();
      await proveHealthy();
    });
  });

  describe('handshake abuse (docs/protocol.md §1.2, §1.5)', () => {
    it('garbage before M closes with 1002', async () => {
      await start();
      const client = await h.raw();
      client.send('garbage');
      expect((await client.whenClosed()).code).toBe(1002);
      expect(client.received).toEqual([]);
      await proveHealthy();
    });

    it('a client A… as the first frame closes with 1002 and is never acknowledged', async () => {
      await start();
      const client = await h.raw();
      client.send('Aspoofed-id');
      client.send('$1;default;;_OnNamespaceConnect;0;0;');
      expect((await client.whenClosed()).code).toBe(1002);
      expect(client.received).toEqual([]);
      expect(h.engine.connection('spoofed-id')).toBeUndefined();
      expect(h.engine.members('default')).toEqual(['conn1']);
      await proveHealthy();
    });

    it('a binary first frame (even a binary M) closes with 1002', async () => {
      await start();
      const client = await h.raw();
      client.sendBinary('M');
      expect((await client.whenClosed()).code).toBe(1002);
      expect(client.received).toEqual([]);
      await proveHealthy();
    });

    it('no M within handshakeTimeout closes with 1002; no onDisconnect for it', async () => {
      await start({ handshakeTimeout: 200 });
      const client = await h.raw();
      const started = performance.now();
      expect((await client.whenClosed()).code).toBe(1002);
      expect(performance.now() - started).toBeGreaterThanOrEqual(150);
      expect(client.received).toEqual([]);
      await proveHealthy();
      await healthy.close();
      await disconnects.waitFor((id) => id === 'conn1');
      expect(disconnects.entries).toEqual(['conn1']); // only the healthy one, which was acknowledged
    });
  });

  describe('limits', () => {
    it('an unknown namespace gets an error reply, not a close', async () => {
      await start();
      const client = await h.rawConnected();
      client.send('$5;nope;;_OnNamespaceConnect;0;0;');
      await client.expectFrame('$5;nope;;_OnNamespaceConnect;1;0;bad namespace');
      await client.expectEcho();
      await proveHealthy();
    });

    it('a payload over maxPayload closes with 1009', async () => {
      await start({ maxPayload: 1024 });
      const client = await h.rawConnected();
      await client.expectEcho('default', 'x'.repeat(900)); // under the limit: fine
      client.send(`$9;default;;echo;0;0;${'x'.repeat(2000)}`);
      expect((await client.whenClosed()).code).toBe(1009);
      await proveHealthy();
    });

    it('invalid UTF-8 in a text frame closes with 1007', async () => {
      await start();
      const client = await h.rawConnected();
      client.send(Buffer.concat([Buffer.from('$1;default;;echo;0;0;'), Buffer.from([0xff, 0xfe, 0xc3])]));
      expect((await client.whenClosed()).code).toBe(1007);
      await proveHealthy();
    });

    it('a bounded flood (2000 frames sent at once) is answered completely and in order', async () => {
      await start();
      const client = await h.rawConnected();
      const N = 2_000;
      for (let i = 1; i <= N; i++) client.send(`$${i};default;;echo;0;0;${i}`);
      for (let i = 1; i <= N; i++) await client.expectFrame(`$${i};default;;echo;0;0;${i}`);
      await proveHealthy();
    });

    it('a flood mixing async and sync handlers keeps the per-connection order', async () => {
      await start({
        namespaces: {
          default: {
            echo: (msg) => msg.body,
            maybeAsync: (msg) => (Number(msg.text()) % 3 === 0 ? Promise.resolve().then(() => msg.body) : msg.body),
          },
        },
      });
      const client = await h.rawConnected();
      const N = 300;
      for (let i = 1; i <= N; i++) client.send(`$${i};default;;maybeAsync;0;0;${i}`);
      for (let i = 1; i <= N; i++) await client.expectFrame(`$${i};default;;maybeAsync;0;0;${i}`);
      await proveHealthy();
    });
  });

  describe('slow consumers (writeBufferHighWaterMark)', () => {
    const BIG = 'x'.repeat(16 * 1024 * 1024); // far more than loopback socket buffers take at once

    it("onBackpressure 'close': a write past the mark closes that connection with 1013", async () => {
      await start({ writeBufferHighWaterMark: 64 * 1024 });
      const client = await h.rawConnected();
      const target = h.engine.to('conn2');
      expect(target.emit({ namespace: 'default', event: 'big', body: BIG })).toBe(1);
      expect(target.emit({ namespace: 'default', event: 'big', body: 'one more' })).toBe(0);
      const first = await client.next(5_000);
      expect(first.data.length).toBe(';default;;big;0;0;'.length + BIG.length);
      expect((await client.whenClosed(5_000)).code).toBe(1013);
      await proveHealthy();
    });

    it("onBackpressure 'drop': frames past the mark are skipped, the connection stays usable", async () => {
      await start({ writeBufferHighWaterMark: 64 * 1024, onBackpressure: 'drop' });
      const client = await h.rawConnected();
      const target = h.engine.to('conn2');
      expect(target.emit({ namespace: 'default', event: 'big', body: BIG })).toBe(1);
      expect(target.emit({ namespace: 'default', event: 'small', body: 'dropped' })).toBe(0);
      const first = await client.next(5_000);
      expect(first.text.startsWith(';default;;big;0;0;xxx')).toBe(true);
      await client.expectEcho(); // the dropped frame never comes; the next one is this reply
      await proveHealthy();
    });
  });

  describe('handler failures become error replies', () => {
    it('a thrown string is sent as it is; a thrown object and async rejections read "Internal server error" (not written for the client)', async () => {
      await start();
      const client = await h.rawConnected();
      client.send('$1;default;;throwString;0;0;x');
      await client.expectFrame('$1;default;;throwString;1;0;a plain string');
      client.send('$2;default;;throwObject;0;0;x');
      await client.expectFrame(`$2;default;;throwObject;1;0;${INTERNAL_ERROR}`);
      client.send('$3;default;;rejectAsync;0;0;x');
      await client.expectFrame(`$3;default;;rejectAsync;1;0;${INTERNAL_ERROR}`);
      client.send('$4;default;;rejectLater;0;0;x');
      await client.expectFrame(`$4;default;;rejectLater;1;0;${INTERNAL_ERROR}`);
      await client.expectEcho();
      await proveHealthy();
    });

    it('an error without text still reads as an error: never an empty error body (docs/protocol.md §2.4)', async () => {
      await start();
      const client = await h.rawConnected();
      for (const [tok, event] of [
        ['$1', 'throwEmpty'],
        ['$2', 'throwUndefined'],
        ['$4', 'throwEmptyText'],
        ['$5', 'throwEmptyClientError'],
      ] as const) {
        client.send(`${tok};default;;${event};0;0;x`);
        const frame = await client.next();
        const prefix = `${tok};default;;${event};1;0;`;
        expect(frame.text.startsWith(prefix), frame.text).toBe(true);
        // Go treats is-error=1 with an empty body as success and neffos.js rejects with undefined.
        expect(frame.text.length, `error text of ${JSON.stringify(frame.text)}`).toBeGreaterThan(prefix.length);
      }
      // The same for a vetoed connect: an empty text would tell a Go client it is connected.
      for (const [tok, namespace] of [
        ['$3', 'emptyVeto'],
        ['$6', 'emptyTextVeto'],
        ['$7', 'undefinedVeto'],
      ] as const) {
        client.send(`${tok};${namespace};;_OnNamespaceConnect;0;0;`);
        const veto = await client.next();
        expect(veto.text).toMatch(new RegExp(`^\\${tok};${namespace};;_OnNamespaceConnect;1;0;.+$`));
        expect(h.engine.members(namespace)).toEqual([]);
      }
      await proveHealthy();
    });

    it('throwing lifecycle hooks (joined, teardown) are reported, not fatal; onDisconnect still fires', async () => {
      await start();
      const client = await h.rawConnected();
      await client.joinRoom('default', 'r'); // _OnRoomJoined throws: reported, the join stands
      expect(h.engine.members('default', 'r')).toEqual(['conn2']);
      await errors.waitFor((e) => e instanceof Error && e.message === 'joined hook failed');
      await client.close(); // teardown: _OnRoomLeave throws
      await disconnects.waitFor((id) => id === 'conn2');
      expect(errors.entries.some((e) => e instanceof Error && e.message === 'leave hook failed')).toBe(true);
      expect(h.engine.members('default', 'r')).toEqual([]);
      await proveHealthy();
    });
  });

  describe('per-connection ordering (docs/protocol.md §3.3, §4.5)', () => {
    it('an awaiting async handler is not overtaken by the next message of the same connection', async () => {
      await start();
      const client = await h.rawConnected();
      client.send('$1;default;;slow;0;0;first');
      client.send('$2;default;;fast;0;0;second');
      await client.expectFrame('$1;default;;slow;0;0;first');
      await client.expectFrame('$2;default;;fast;0;0;second');
      expect(order.entries).toEqual(['slow:first', 'fast:second']);
      await proveHealthy();
    });

    it('another connection is not blocked by a slow handler', async () => {
      await start();
      const client = await h.rawConnected();
      client.send('$1;default;;slow;0;0;blocking');
      healthy.send('$50;default;;fast;0;0;meanwhile');
      await healthy.expectFrame('$50;default;;fast;0;0;meanwhile');
      await client.expectFrame('$1;default;;slow;0;0;blocking');
      expect(order.entries).toEqual(['fast:meanwhile', 'slow:blocking']);
      await proveHealthy();
    });

    it('a server ask awaited inside a handler gets its reply past the queue; queued frames wait', async () => {
      await start();
      const client = await h.rawConnected();
      client.send('$1;default;;askInside;0;0;question?');
      client.send('$2;default;;fast;0;0;queued behind');
      const request = await client.next();
      const [token] = request.text.split(';');
      expect(request.text).toBe(`${token};default;;q;0;0;question?`);
      expect(order.entries).toEqual(['askInside:start']); // "fast" has not run: it is queued
      client.send(`${token};default;;q;0;0;the answer`);
      await client.expectFrame('$1;default;;askInside;0;0;ok: the answer');
      await client.expectFrame('$2;default;;fast;0;0;queued behind');
      expect(order.entries).toEqual(['askInside:start', 'askInside:got the answer', 'fast:queued behind']);
      await proveHealthy();
    });

    it('a client that closes while a handler awaits its answer: the ask rejects, nothing leaks', async () => {
      await start();
      const client = await h.rawConnected();
      client.send('$1;default;;askInside;0;0;never answered');
      await client.next(); // the server's q request
      await client.close();
      await disconnects.waitFor((id) => id === 'conn2');
      await order.waitFor((e) => e === 'askInside:ConnectionClosedError', 'the pending ask to reject');
      expect(h.engine.connection('conn2')).toBeUndefined();
      await proveHealthy();
    });
  });
});
