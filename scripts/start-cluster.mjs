// `npm run start:cluster`: the chat sample as a cluster on this machine: a local redis-server
// (loopback, no persistence; port 6390, or a free one if taken) and two chat nodes on ports 3000 and
// 3001 (PORT_A / PORT_B to change them) joined over RedisExchange. Open both in two browser windows:
// the people on either node chat in the same rooms and see the same member lists. Ctrl-C stops all.
// Expects `node scripts/build.mjs` to have run (the npm script does it).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BrokerProcess, canConnect, REDIS } from './broker-process.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const main = `${root}dist/sample/main.js`;
if (!existsSync(main)) {
  console.error('start:cluster: dist/sample/main.js is missing; run `node scripts/build.mjs` first (npm run start:cluster does)');
  process.exit(1);
}

const preferred = Number(process.env.REDIS_PORT ?? 6390);
const redis = await BrokerProcess.start(REDIS, (await canConnect(preferred)) ? {} : { port: preferred });
const redisUrl = `redis://127.0.0.1:${redis.port}`;
console.log(`redis-server (pid ${redis.pid}) on ${redisUrl}, no persistence`);

const ports = [Number(process.env.PORT_A ?? 3000), Number(process.env.PORT_B ?? 3001)];
const nodes = ports.map((port) => {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, PORT: String(port), REDIS_URL: redisUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tag = `[node :${port}] `;
  const relay = (stream, out) => {
    let rest = '';
    stream.on('data', (chunk) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop();
      for (const line of lines) out.write(`${tag}${line}\n`);
    });
  };
  relay(child.stdout, process.stdout);
  relay(child.stderr, process.stderr);
  child.once('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${tag}exited (${signal ?? `code ${code}`}); stopping the cluster`);
      void stop(1);
    }
  });
  return child;
});
console.log(`chat nodes: ${ports.map((p) => `http://localhost:${p}`).join(' and ')} (Ctrl-C stops them and redis-server)`);

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    nodes.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
          child.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  await redis.stop();
  console.log('cluster stopped');
  process.exit(code);
}
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
