// A gateway's `@SubscribeMessage('name')`, kept on a method when a gateway becomes a neffos controller,
// names the event as `@NeffosEvent('name')` does. It used to be read by nothing: the method answered
// under its own name, and clients asking `name` got "unknown event".
import 'reflect-metadata';
import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import { describe, expect, it } from 'vitest';
import { NeffosController, NeffosEvent } from '../../lib/index.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';

useNestApps();

@NeffosController('events')
class MigratedController {
  @SubscribeMessage('echo')
  handleEcho(@MessageBody() data: string): string {
    return `echo: ${data}`;
  }

  @SubscribeMessage('shout')
  handleShout(@MessageBody() data: string): string {
    return data.toUpperCase();
  }

  @NeffosEvent('wins')
  @SubscribeMessage('loses')
  both(): string {
    return 'NeffosEvent wins';
  }
}

@NeffosController('strict', { events: 'decorated' })
class DecoratedModeController {
  @SubscribeMessage('ping')
  handlePing(): string {
    return 'pong';
  }

  helper(): string {
    return 'not an event';
  }
}

describe('@SubscribeMessage on a neffos controller', () => {
  it('names the event, as @NeffosEvent(name) does; the method name is no event', async () => {
    const h = await createNestApp({ providers: [MigratedController, DecoratedModeController] });
    const client = await h.client();
    const ns = await client.connect('events');
    expect((await ns.ask('echo', 'hi')).text()).toBe('echo: hi');
    expect((await ns.ask('shout', 'hi')).text()).toBe('HI');
    await expect(ns.ask('handleEcho', 'hi')).rejects.toThrow('unknown event "handleEcho" in namespace "events"');
    expect((await ns.ask('wins', '')).text()).toBe('NeffosEvent wins');
    await expect(ns.ask('loses', '')).rejects.toThrow('unknown event "loses"');
  });

  it("counts as decorated under events: 'decorated'", async () => {
    const h = await createNestApp({ providers: [DecoratedModeController] });
    const ns = await (await h.client()).connect('strict');
    expect((await ns.ask('ping', '')).text()).toBe('pong');
    await expect(ns.ask('helper', '')).rejects.toThrow('unknown event "helper"');
  });
});
