import 'reflect-metadata';
import { Injectable, Scope, UseGuards, type CanActivate, Inject } from '@nestjs/common';
import { REQUEST } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { MessageBody } from '@nestjs/websockets';
import * as neffos from 'neffos.js';
import { afterEach, describe, expect, it } from 'vitest';
import { Message, NeffosController, NeffosModule, NeffosServer, NSConn } from '../../lib/index.js';

@Injectable()
class Greeter { greet(n: string) { return `hello ${n}`; } }

class Deny implements CanActivate { canActivate() { return false; } }

@NeffosController('default')
class ChatController {
  constructor(private readonly greeter: Greeter, private readonly server: NeffosServer) {}
  echo(msg: Message) { return msg.body; }
  hello(@MessageBody() body: { name: string }) { return this.greeter.greet(body.name); }
  @UseGuards(Deny) secret() { return 'no'; }
  fail() { throw new Error('nope'); }
}

let seq = 0;
@NeffosController({ namespace: 'scoped', scope: Scope.REQUEST })
class ScopedController {
  readonly n = ++seq;
  constructor(@Inject(REQUEST) private readonly conn: NSConn) {}
  who() { return `${this.n}:${this.conn.id}`; }
}

describe('smoke', () => {
  let app: any;
  afterEach(async () => { await app?.close(); });
  it('works', async () => {
    const mod = await Test.createTestingModule({ imports: [NeffosModule.forRoot({ path: '/echo' })], providers: [Greeter, ChatController, ScopedController] }).compile();
    app = mod.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('http', 'ws') + '/echo';
    const c = await neffos.dial(url, { default: {}, scoped: {} }, { allowSynchronousEvents: false } as any);
    const ns = await c.connect('default');
    expect((await ns.ask('echo', 'hi')).Body).toBe('hi');
    expect((await ns.ask('hello', neffos.marshal({ name: 'bob' }))).Body).toBe('hello bob');
    await expect(ns.ask('secret', 'x')).rejects.toThrow('Forbidden resource');
    await expect(ns.ask('fail', 'x')).rejects.toThrow('nope');
    const s = await c.connect('scoped');
    const a = (await s.ask('who', '')).Body; const b = (await s.ask('who', '')).Body;
    expect(a).toBe(b);
    expect(a).toContain(c.ID);
    const server = app.get(NeffosServer);
    expect(server.members('default')).toEqual([c.ID]);
    c.close();
  });
});
