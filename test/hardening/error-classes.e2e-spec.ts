// The errors the README tells users to expect from server-side calls past a limit are public classes:
// importable from the package and matched with instanceof, with the limit on the instance.
import { afterEach, describe, expect, it } from 'vitest';
import { NSConn, RoomNameTooLongError, TooManyPendingAsksError, TooManyRoomsError, type Message } from '../../lib/index.js';
import { dial, type NeffosTestClient } from '../../lib/testing/index.js';
import { useEngineHarness } from '../utils/engine-harness.js';

describe('limit errors of server-side calls', () => {
  const h = useEngineHarness();
  let client: NeffosTestClient | undefined;
  afterEach(async () => {
    await client?.close();
    client = undefined;
  });

  /** Starts the engine and returns the server side of one connected raw client. */
  async function connected(options: { maxRoomsPerConnection?: number; maxRoomNameLength?: number; maxPendingAsks?: number }): Promise<NSConn> {
    let connectedNs!: (ns: NSConn) => void;
    const server = new Promise<NSConn>((resolve) => (connectedNs = resolve));
    await h.start({
      path: '/echo',
      ...options,
      namespaces: {
        default: {
          _OnNamespaceConnected: (_msg: Message, ns: NSConn) => connectedNs(ns),
        },
      },
    });
    // The kit answers the server's join requests as neffos.js does.
    client = await dial(h.wsUrl());
    await client.connect('default');
    return server;
  }

  it('a join past maxRoomsPerConnection rejects with TooManyRoomsError', async () => {
    const ns = await connected({ maxRoomsPerConnection: 1 });
    await ns.joinRoom('first');
    const err = await ns.joinRoom('second').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyRoomsError);
    expect(err).toMatchObject({ name: 'TooManyRoomsError' });
  });

  it('a join with a name over maxRoomNameLength rejects with RoomNameTooLongError', async () => {
    const ns = await connected({ maxRoomNameLength: 8 });
    const err = await ns.joinRoom('a-room-name-too-long').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RoomNameTooLongError);
  });

  it('an ask past maxPendingAsks rejects at once with TooManyPendingAsksError', async () => {
    const ns = await connected({ maxPendingAsks: 1 });
    const first = ns.ask('question', 'one', { timeout: 200 }).catch(() => 'timed out');
    const err = await ns.ask('question', 'two').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyPendingAsksError);
    expect(err).toMatchObject({ max: 1, connectionId: ns.id });
    expect(await first).toBe('timed out');
  });
});
