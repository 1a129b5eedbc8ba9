// An exception filter written as Nest's WS docs show it, `client.emit('exception', { … })` and no
// return value, answers the failure: its message is the client's error reply. Nest's external
// exceptions handler rethrows the original error after such a filter, and that rethrow used to win, so
// the client read the pipe's or handler's own text and the filter's answer was silently dropped.
import 'reflect-metadata';
import { type ArgumentsHost, BadRequestException, Catch, type ExceptionFilter, type LoggerService, UseFilters, UsePipes, ValidationPipe } from '@nestjs/common';
import { Ack, BaseWsExceptionFilter, MessageBody, WsException } from '@nestjs/websockets';
import { IsInt } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { NeffosController, type NSConn } from '../../lib/index.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';

useNestApps();

class AddDto {
  @IsInt()
  a!: number;
}

@Catch(BadRequestException)
class InvalidInputFilter implements ExceptionFilter {
  catch(_err: BadRequestException, host: ArgumentsHost): void {
    host.switchToWs().getClient<NSConn>().emit('exception', { status: 'error', message: 'please send { a: <integer> }' });
  }
}

@Catch()
class SorryFilter implements ExceptionFilter {
  catch(_err: unknown, host: ArgumentsHost): void {
    host.switchToWs().getClient<NSConn>().emit('exception', { status: 'error', message: 'sorry, try again later' });
  }
}

/** Catches what it is not given: the failure stays unanswered. */
@Catch(BadRequestException)
class BadRequestOnly implements ExceptionFilter {
  catch(): void {}
}

/** The NeffosModule lines logged at level error. */
class NeffosErrors implements LoggerService {
  readonly lines: string[] = [];
  log() {}
  warn() {}
  error(message: unknown, ...rest: unknown[]) {
    if (rest.at(-1) === 'NeffosModule') this.lines.push(String(message));
  }
}

@NeffosController('default')
class FilteredController {
  @UseFilters(InvalidInputFilter)
  @UsePipes(new ValidationPipe())
  add(@MessageBody() dto: AddDto): number {
    return dto.a + 1;
  }

  @UseFilters(SorryFilter)
  save(): never {
    throw new Error('connect ECONNREFUSED 10.0.0.5:5432');
  }

  @UseFilters(SorryFilter)
  refuse(): never {
    throw new WsException('not now');
  }

  @UseFilters(new BaseWsExceptionFilter())
  crash(): never {
    throw new Error('a bug the filter logs');
  }

  @UseFilters(new BaseWsExceptionFilter())
  crashBeforeAck(@Ack() _ack: (value: unknown) => void): never {
    throw new Error('a bug before the ack');
  }

  @UseFilters(BadRequestOnly)
  unfiltered(): never {
    throw new Error('a bug no filter answers');
  }
}

describe('a filter that answers with emit("exception") and returns nothing', () => {
  it('gives the client its message as the error reply, for a pipe failure, an internal error and a WsException', async () => {
    const h = await createNestApp({ providers: [FilteredController] });
    const ns = await (await h.client()).connect('default');
    expect((await ns.ask('add', JSON.stringify({ a: 1 }))).text()).toBe('2');
    await expect(ns.ask('add', JSON.stringify({ a: 'one' }))).rejects.toThrow(/^please send \{ a: <integer> \}$/);
    await expect(ns.ask('save', '')).rejects.toThrow(/^sorry, try again later$/);
    await expect(ns.ask('refuse', '')).rejects.toThrow(/^sorry, try again later$/);
    // The filters' emits were the replies, not events beside them.
    expect((await ns.ask('add', JSON.stringify({ a: 2 }))).text()).toBe('3');
    expect(ns.received.filter((msg) => msg.event === 'exception')).toEqual([]);
  });
});

describe('a failure a filter answered is not logged again by neffos', () => {
  it('BaseWsExceptionFilter logs a bug itself; neffos adds no line of its own, and logs a bug no filter answered once', async () => {
    const logger = new NeffosErrors();
    const h = await createNestApp({ providers: [FilteredController], configure: (app) => app.useLogger(logger) });
    const ns = await (await h.client()).connect('default');
    await expect(ns.ask('crash', '')).rejects.toThrow(/^Internal server error$/);
    await expect(ns.ask('save', '')).rejects.toThrow(/^sorry, try again later$/);
    await expect(ns.ask('crashBeforeAck', '')).rejects.toThrow(/^Internal server error$/);
    expect(logger.lines).toEqual([]);
    await expect(ns.ask('unfiltered', '')).rejects.toThrow(/^Internal server error$/);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatch(/^Error: a bug no filter answers\n/);
  });
});
