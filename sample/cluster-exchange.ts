// How the sample scales out: with REDIS_URL set (npm run start:cluster sets it), every node joins the
// others over Redis; without it the app is one node, as `npm start` runs it. `nestjs-neffos/redis` is
// imported only then, so a single node never loads ioredis.
import type { StackExchange } from 'nestjs-neffos';

export async function exchangeFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<StackExchange | undefined> {
  const url = env.REDIS_URL;
  if (url === undefined || url === '') return undefined;
  const { RedisExchange } = await import('nestjs-neffos/redis');
  return new RedisExchange({ url, prefix: env.NEFFOS_PREFIX ?? 'chat-sample' });
}
