// The lifecycle hook names are interfaces a controller can implement (checked by `tsc --noEmit`, which
// `npm test` runs first: each `@ts-expect-error` below fails the type check if the error goes away) and
// still the wire event constants they always were, from the root entry and from nestjs-neffos/engine.
import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import * as engineEntry from '../../lib/engine.js';
import {
  type Message,
  NeffosController,
  type NSConn,
  OnNamespaceConnect,
  OnNamespaceConnected,
  OnNamespaceDisconnect,
  OnNativeMessage,
  OnRoomJoin,
  OnRoomJoined,
  OnRoomLeave,
  OnRoomLeft,
} from '../../lib/index.js';
import { EventLog } from '../utils/wait.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';

useNestApps();

const seen = new EventLog<string>();

@NeffosController('hooks')
class Hooked implements OnNamespaceConnect, OnNamespaceConnected, OnRoomJoin, OnRoomJoined, OnRoomLeave, OnRoomLeft, OnNamespaceDisconnect {
  onNamespaceConnect(_msg: Message, conn: NSConn) {
    seen.push(`connect ${conn.namespace}`);
  }
  onNamespaceConnected(_msg: Message, conn: NSConn) {
    conn.emit('welcome', 'hi');
  }
  async onRoomJoin(msg: Message) {
    seen.push(`join ${msg.room}`);
  }
  onRoomJoined() {}
  onRoomLeave() {}
  onRoomLeft() {
    return 'a hook may return anything';
  }
  onNamespaceDisconnect() {}
}

@NeffosController('')
class Native implements OnNativeMessage {
  onNativeMessage(msg: Message) {
    return msg.text();
  }
}

// What `implements` catches. Not decorated: these classes exist for the type check only.

// @ts-expect-error a misspelled hook name does not implement the interface
class Misspelled implements OnNamespaceConnected {
  onNamespaceConected(_msg: Message, _conn: NSConn) {}
}

class WrongParameter implements OnRoomJoin {
  // @ts-expect-error the first argument is the Message, not a string
  onRoomJoin(_room: string) {}
}

class WrongSecondParameter implements OnNamespaceConnect {
  // @ts-expect-error the second argument is the NSConn
  onNamespaceConnect(_msg: Message, _conn: number) {}
}

void [Misspelled, WrongParameter, WrongSecondParameter];

describe('hook interfaces', () => {
  it('the names are still the wire events, the same values in the root and the engine entries', () => {
    const root = { OnNamespaceConnect, OnNamespaceConnected, OnNamespaceDisconnect, OnNativeMessage, OnRoomJoin, OnRoomJoined, OnRoomLeave, OnRoomLeft };
    expect(root).toEqual({
      OnNamespaceConnect: '_OnNamespaceConnect',
      OnNamespaceConnected: '_OnNamespaceConnected',
      OnNamespaceDisconnect: '_OnNamespaceDisconnect',
      OnNativeMessage: '_OnNativeMessage',
      OnRoomJoin: '_OnRoomJoin',
      OnRoomJoined: '_OnRoomJoined',
      OnRoomLeave: '_OnRoomLeave',
      OnRoomLeft: '_OnRoomLeft',
    });
    for (const [name, value] of Object.entries(root)) expect(engineEntry[name as keyof typeof root]).toBe(value);
    // The literal types survive (an engine Events map keyed by them type-checks).
    const events: engineEntry.Events = { [OnNamespaceConnected]: () => undefined };
    const key: '_OnNamespaceConnected' = OnNamespaceConnected;
    expect(Object.keys(events)).toEqual([key]);
  });

  it('a controller that implements them runs them as hooks', async () => {
    seen.entries.length = 0;
    const h = await createNestApp({ providers: [Hooked, Native] });
    const welcome = new EventLog<string>();
    const conn = await h.dial({ hooks: { welcome: (_ns, msg) => void welcome.push(String(msg.Body)) } });
    const ns = await conn.connect('hooks');
    await welcome.waitForCount(1, 'the welcome of onNamespaceConnected');
    await ns.joinRoom('r1');
    await seen.waitForCount(2, 'connect and join hooks');
    expect(seen.entries).toEqual(['connect hooks', 'join r1']);
  });
});
