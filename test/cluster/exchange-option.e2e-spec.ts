// The `exchange` option takes an exchange object. A broker URL or a settings object in its place (easy
// to write with ConfigService: `exchange: config.get('REDIS_URL')`) is refused with an
// InvalidOptionError that names the classes to use, when the engine is built or Nest creates the
// module, instead of a TypeError from deep inside bootstrap.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { ClusterExchange, InvalidOptionError, type Message, MemoryBus, MemoryTransport, NeffosController, NeffosEngine, NeffosModule } from '../../lib/index.js';

@NeffosController('default')
class EchoController {
  echo(msg: Message) {
    return msg.body;
  }
}

describe('the exchange option', () => {
  it.each([
    ['a broker URL', 'redis://127.0.0.1:6379', /got "redis:\/\/127\.0\.0\.1:6379"/],
    ['exchange settings', { url: 'redis://127.0.0.1:6379', prefix: 'chat' }, /got an object that is not one/],
    ['null', null, /got null/],
  ])('refuses %s with InvalidOptionError naming the exchange classes', (_what, exchange, detail) => {
    const build = () => new NeffosEngine({ path: '/echo', namespaces: { default: {} }, exchange: exchange as never, pingInterval: 0 });
    expect(build).toThrow(InvalidOptionError);
    expect(build).toThrow(/new RedisExchange\(\{ url \}\) from 'nestjs-neffos\/redis', new NatsExchange/);
    expect(build).toThrow(detail);
  });

  it('takes an exchange object', async () => {
    const engine = new NeffosEngine({ path: '/echo', namespaces: { default: {} }, exchange: new ClusterExchange(new MemoryTransport(new MemoryBus())), pingInterval: 0 });
    await engine.ready();
    await engine.close();
  });

  it('forRootAsync with the URL from ConfigService in its place: NestFactory.create rejects, before anything starts', async () => {
    @Module({
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ REDIS_URL: 'redis://127.0.0.1:6379' })] }),
        NeffosModule.forRootAsync({
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({ path: '/echo', exchange: config.get('REDIS_URL') }),
        }),
      ],
      providers: [EchoController],
    })
    class AppModule {}
    const outcome = await NestFactory.create(AppModule, { logger: false, abortOnError: false }).then(
      async (app) => {
        await app.close();
        return 'created';
      },
      (err: unknown) => err,
    );
    expect(outcome).toBeInstanceOf(InvalidOptionError);
    expect((outcome as Error).message).toMatch(/option exchange must be an exchange object/);
  });
});
