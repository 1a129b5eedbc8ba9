import { describe, expect, it } from 'vitest';
import {
  AskTimeoutError,
  BadNamespaceError,
  BadRoomError,
  ClientError,
  ConnectionClosedError,
  ConnectionNotFoundError,
  HandlerTimeoutError,
  InvalidOptionError,
  RemoteError,
  RoomNameTooLongError,
  TooManyPendingAsksError,
  TooManyRoomsError,
} from '../engine/engine.errors.js';
import { decodeClusterMessage, encodeClusterMessage } from './cluster-message.codec.js';
import { RemoteNodeError, fromWireError, toWireError } from './exchange.errors.js';

/** An error as the node that called receives it: through the holder's `fail` message on the bus. */
function across(err: unknown): Error {
  const decoded = decodeClusterMessage(encodeClusterMessage({ t: 'fail', n: 'holder', rid: 7, err: toWireError(err) }));
  if (!decoded.ok || decoded.msg.t !== 'fail') throw new Error(`the fail message did not decode: ${JSON.stringify(decoded)}`);
  return fromWireError(decoded.msg.err);
}

describe('errors across nodes', () => {
  // What a local join, leave, disconnect, close or ask can reject with, engine-side.
  const local: Error[] = [
    new AskTimeoutError('_OnRoomJoin', 250),
    new ConnectionClosedError('c1'),
    new ConnectionNotFoundError('c2'),
    new BadRoomError('chat', 'r1'),
    new BadNamespaceError('nope'),
    new RemoteError('refused by the client'),
    new TooManyPendingAsksError('c3', 5),
    new TooManyRoomsError(10),
    new RoomNameTooLongError(2_000, 1_024),
    new HandlerTimeoutError('_OnRoomJoin', 100),
    new ClientError('not in this room, you are not'),
    new InvalidOptionError('askTimeout must be a positive number'),
  ];

  it.each(local.map((err) => [err.name, err] as const))('%s arrives as the same class, text and fields', (_name, err) => {
    const remote = across(err);
    expect(remote).toBeInstanceOf(err.constructor);
    expect(remote.name).toBe(err.name);
    expect(remote.message).toBe(err.message);
    expect({ ...remote }).toEqual({ ...err });
  });

  it('a class this layer does not know (the app\'s own) arrives as RemoteNodeError with its name and text', () => {
    class PaymentRequiredError extends Error {
      override name = 'PaymentRequiredError';
    }
    const remote = across(new PaymentRequiredError('pay first'));
    expect(remote).toBeInstanceOf(RemoteNodeError);
    expect(remote).toMatchObject({ remoteName: 'PaymentRequiredError', message: 'pay first' });
  });

  it('a fail message whose limit fields are not numbers is dropped as invalid', () => {
    const bad = encodeClusterMessage({ t: 'fail', n: 'holder', rid: 1, err: { name: 'TooManyRoomsError', message: 'x', max: 'ten' as unknown as number } });
    expect(decodeClusterMessage(bad)).toMatchObject({ ok: false, kind: 'invalid' });
  });
});
