// What guards and interceptors get from context.getHandler() is named after the method. It used to be
// an arrow function named '', so a logging interceptor printed "ChatController." and anything keyed by
// `${getClass().name}-${getHandler().name}` (the throttler's per-handler limits) lumped every event of a
// class together.
import 'reflect-metadata';
import { type CallHandler, type CanActivate, type ExecutionContext, Injectable, type NestInterceptor, UseGuards, UseInterceptors } from '@nestjs/common';
import { MessageBody } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { NeffosController } from '../../lib/index.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';

useNestApps();

const seen: string[] = [];

@Injectable()
class RecordGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    seen.push(`guard ${ctx.getClass().name}.${ctx.getHandler().name}`);
    return true;
  }
}

class RecordInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    seen.push(`interceptor ${ctx.getClass().name}.${ctx.getHandler().name}`);
    return next.handle();
  }
}

@UseInterceptors(RecordInterceptor)
@NeffosController('default')
class ChatController {
  @UseGuards(RecordGuard)
  send(@MessageBody() text: string): string {
    return `sent ${text}`;
  }

  history(): string[] {
    return [];
  }
}

describe('context.getHandler() in enhancers', () => {
  it('is named after the method, for each event', async () => {
    const h = await createNestApp({ providers: [ChatController] });
    const ns = await (await h.client()).connect('default');
    expect((await ns.ask('send', 'hi')).text()).toBe('sent hi');
    expect((await ns.ask('history', '')).json()).toEqual([]);
    expect(seen).toEqual(['guard ChatController.send', 'interceptor ChatController.send', 'interceptor ChatController.history']);
  });
});
