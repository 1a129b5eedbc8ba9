// One node of the cluster benchmark: our engine (no Nest) on 127.0.0.1, with a RedisExchange or a
// NatsExchange (BENCH_BROKER=redis|nats, BENCH_BROKER_URL) or none (the single-node baseline);
// BENCH_NODE_LINK=1 switches the direct node link on (asks between nodes skip the broker).
// Events of namespace `default`:
// - `bcast` (a plain emit): broadcasts its body as event `b` to the whole namespace, every node;
// - `askPeer` (an ask; body `<connection id>`): asks that connection (on any node) event `ping` with
//   `engine.ask` and replies with how long that ask took on this node, in ns (hrtime): the
//   server-side ask latency, which is what "a cross-node ask costs at most 2x a local ask" is about;
// - `cpu` (an ask): this process's CPU time so far (user + system, µs), to put a CPU cost on each kind
//   of ask: on one machine the processes of an ask run one after the other, so their CPU adds up to
//   its latency, and unlike the latency it barely moves with the machine's load.
import { createServer } from 'node:http';
import { NeffosEngine, type StackExchange } from '../../lib/engine/index.js';
import { announceListening, onShutdown, statsOnlyListener } from '../servers/server-harness.js';

async function exchangeFromEnv(): Promise<StackExchange | undefined> {
  const broker = process.env.BENCH_BROKER;
  const url = process.env.BENCH_BROKER_URL;
  const prefix = process.env.BENCH_PREFIX ?? 'bench';
  const nodeLink = process.env.BENCH_NODE_LINK === '1';
  if (broker === 'redis') return new (await import('../../lib/redis.js')).RedisExchange({ url, prefix, nodeLink });
  if (broker === 'nats') return new (await import('../../lib/nats.js')).NatsExchange({ servers: url, prefix, nodeLink });
  return undefined;
}

const httpServer = createServer(statsOnlyListener);
const engine: NeffosEngine = new NeffosEngine({
  path: '/echo',
  exchange: await exchangeFromEnv(),
  logger: { log: () => {}, warn: (m) => console.error(m), error: (m) => console.error(m) },
  namespaces: {
    default: {
      bcast: (msg) => {
        engine.broadcast({ namespace: 'default', event: 'b', body: msg.body });
      },
      cpu: () => {
        const { user, system } = process.cpuUsage();
        return String(user + system);
      },
      askPeer: async (msg) => {
        const started = process.hrtime.bigint();
        await engine.ask(msg.text(), { namespace: 'default', event: 'ping', body: 'p' }, { timeout: 10_000 });
        return String(process.hrtime.bigint() - started);
      },
    },
  },
});
engine.attach(httpServer);
await engine.ready?.();

httpServer.listen(0, '127.0.0.1', () => announceListening(httpServer));

onShutdown(async () => {
  await engine.close();
  await new Promise<void>((resolve) => httpServer.close(() => resolve()));
});
