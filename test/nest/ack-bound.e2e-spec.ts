// `@Ack()` once the handler has returned without acknowledging: the connection's next frames run at
// once (they used to queue behind the missing ack for good), the ack may still come within the bound
// (the `askTimeout` option), and past it the client gets the "did not acknowledge" error reply, a
// warning is logged, and a late ack is ignored.
import 'reflect-metadata';
import { Injectable, type LoggerService } from '@nestjs/common';
import { Ack, MessageBody } from '@nestjs/websockets';
import { afterEach, describe, expect, it } from 'vitest';
import { NeffosController, NeffosModule } from '../../lib/index.js';
import { HANDLER_TIMED_OUT } from '../../lib/engine/engine.messages.js';
import { ACK_MISSING, ACK_MISSING_WARNING } from '../../lib/nest/neffos.messages.js';
import { createTestingApp, ReplyError, type TestingApp } from '../../lib/testing.js';
import { deferred } from '../utils/wait.js';

type AckFn = (value?: unknown) => void;

@Injectable()
class Acks {
  /** The ack functions of `keep`, for the test to call after the handler returned. */
  readonly kept: AckFn[] = [];
  readonly entered = deferred();
  readonly gate = deferred();
}

@NeffosController('default')
class AckController {
  constructor(private readonly acks: Acks) {}

  never(@Ack() _ack: AckFn): string {
    return 'the return value is not the reply';
  }

  async neverAsync(@Ack() _ack: AckFn): Promise<void> {
    await Promise.resolve();
  }

  keep(@Ack() ack: AckFn): void {
    this.acks.kept.push(ack);
  }

  /** Returns without acking once the test opens the gate: after handlerTimeout has answered. */
  async slow(@Ack() ack: AckFn): Promise<void> {
    this.acks.kept.push(ack);
    this.acks.entered.resolve();
    await this.acks.gate.promise;
  }

  echo(@MessageBody() body: string): string {
    return body;
  }
}

class Warnings implements LoggerService {
  readonly lines: string[] = [];
  readonly next = deferred<string>();
  log(): void {}
  error(): void {}
  warn(message: unknown): void {
    this.lines.push(String(message));
    this.next.resolve(String(message));
  }
}

let testing: TestingApp | undefined;
afterEach(async () => {
  await testing?.close();
  testing = undefined;
});

async function open(askTimeout: number, logger: LoggerService = new Warnings(), handlerTimeout = 0) {
  testing = await createTestingApp(
    { imports: [NeffosModule.forRoot({ path: '/ws', askTimeout, handlerTimeout })], providers: [Acks, AckController] },
    { beforeListen: (app) => app.useLogger(logger) },
  );
  const client = await testing.dial();
  return { ns: await client.connect('default'), acks: testing.app.get(Acks) };
}

describe('@Ack() handler that returned without acknowledging', () => {
  it('does not hold the connection: the next ask is answered at once', async () => {
    const { ns } = await open(60_000);
    const unacked = ns.ask('never', '', { timeout: 60_000 });
    unacked.catch(() => {}); // settles only at the bound; the app closes first
    expect((await ns.ask('echo', 'after', { timeout: 1_000 })).text()).toBe('after');
    const unackedAsync = ns.ask('neverAsync', '', { timeout: 60_000 });
    unackedAsync.catch(() => {});
    expect((await ns.ask('echo', 'after async', { timeout: 1_000 })).text()).toBe('after async');
  });

  it('an ack after the handler returned is still the reply, even when later asks were answered first', async () => {
    const { ns, acks } = await open(60_000);
    const first = ns.ask('keep', '', { timeout: 5_000 });
    expect((await ns.ask('echo', 'second', { timeout: 1_000 })).text()).toBe('second');
    expect(acks.kept).toHaveLength(1);
    acks.kept[0]!('late but in time');
    expect((await first).text()).toBe('late but in time');
  });

  it('past askTimeout the client gets an error reply, a warning is logged, and a late ack is ignored', async () => {
    const warnings = new Warnings();
    const { ns, acks } = await open(150, warnings);
    const started = Date.now();
    const err = await ns.ask('keep', '', { timeout: 5_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ReplyError);
    expect((err as Error).message).toContain(ACK_MISSING('keep', 150));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(await warnings.next.promise).toBe(ACK_MISSING_WARNING('AckController', 'keep', 150));
    acks.kept[0]!('too late');
    expect((await ns.ask('echo', 'still open', { timeout: 1_000 })).text()).toBe('still open');
  });

  it('on a plain emit, the error comes back as the event past the bound, and a late ack writes nothing', async () => {
    const warnings = new Warnings();
    const { ns, acks } = await open(100, warnings);
    ns.emit('keep', '');
    const failed = await ns.nextEvent('keep', { timeout: 2_000 });
    expect(failed.isError).toBe(true);
    expect(failed.text()).toBe(ACK_MISSING('keep', 100));
    acks.kept[0]!('too late');
    // Frames of one socket arrive in order: had the late ack written its value, it would come first.
    ns.emit('echo', 'marker');
    const next = await ns.nextMessage({ timeout: 1_000 });
    expect([next.event, next.text()]).toEqual(['echo', 'marker']);
    expect(warnings.lines).toEqual([ACK_MISSING_WARNING('AckController', 'keep', 100)]);
  });

  it('past handlerTimeout the engine has answered: a handler that then returns without acking adds no second reply', async () => {
    const { ns, acks } = await open(60_000, new Warnings(), 100);
    ns.emit('slow', '');
    const timedOut = await ns.nextEvent('slow', { timeout: 2_000 });
    expect(timedOut.isError).toBe(true);
    expect(timedOut.text()).toBe(HANDLER_TIMED_OUT('slow', 100));
    await acks.entered.promise;
    acks.gate.resolve();
    // One loop turn: the handler's return has gone through the pipeline (microtasks) by then.
    await new Promise((resolve) => setImmediate(resolve));
    acks.kept[0]!('after the engine answered');
    ns.emit('echo', 'marker');
    const next = await ns.nextMessage({ timeout: 1_000 });
    expect([next.event, next.text()]).toEqual(['echo', 'marker']);
  });
});
