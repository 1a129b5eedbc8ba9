// Real brokers for the scale-out tests: redis-server and nats-server started on free loopback ports,
// with no persistence, stopped by PID. `restart()` brings one back on the same port (broker-restart
// tests); `kill()` is a kill -9. The Debian packages are installed by scripts/provision.mjs (pretest);
// a missing binary fails with BrokerBinaryMissingError naming the package. The process handling is
// scripts/broker-process.mjs, shared with `npm run start:cluster` and the cluster benchmark.
import { readdirSync, readFileSync } from 'node:fs';
import { BrokerProcess, HOST, NATS, REDIS } from '../../scripts/broker-process.mjs';

export { BrokerBinaryMissingError, BrokerProcess, findBinary, freePort } from '../../scripts/broker-process.mjs';

export interface RedisBroker extends BrokerProcess {
  readonly url: string;
}

export interface NatsBroker extends BrokerProcess {
  readonly url: string;
  /** The server's client connections, from the monitoring endpoint /connz. */
  connz(): Promise<NatsConnz>;
}

export interface NatsConnz {
  num_connections: number;
  connections: Array<{ cid: number; name?: string; subscriptions: number; subscriptions_list?: string[]; ip: string; port: number }>;
}

export async function startRedis(): Promise<RedisBroker> {
  const broker = await BrokerProcess.start(REDIS);
  return Object.assign(broker, { url: `redis://${HOST}:${broker.port}` });
}

/** nats-server with its monitoring port, so tests can count connections with /connz. */
export async function startNats(): Promise<NatsBroker> {
  const broker = await BrokerProcess.start(NATS, { withMonitor: true });
  return Object.assign(broker, {
    url: `nats://${HOST}:${broker.port}`,
    async connz(): Promise<NatsConnz> {
      const res = await fetch(`http://${HOST}:${broker.monitorPort}/connz?subs=1`);
      if (!res.ok) throw new Error(`nats /connz answered ${res.status}`);
      return (await res.json()) as NatsConnz;
    },
  });
}

/** Whether every thread of process `pid` is stopped (state `T` in /proc, Linux). */
function allThreadsStopped(pid: number): boolean {
  const tasks = readdirSync(`/proc/${pid}/task`);
  return tasks.every((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
    return stat[stat.lastIndexOf(')') + 2] === 'T';
  });
}

/**
 * Pauses a broker process of ours (SIGSTOP) and returns once it is really paused. The signal is not
 * synchronous: a thread already running (late, on a loaded machine) stops only when it next enters
 * the kernel, and meanwhile answered the PING that was meant to meet a paused broker (a close that
 * should have waited its grace returned in 3 ms).
 */
export async function pauseProcess(pid: number, deadlineMs = 5_000): Promise<void> {
  process.kill(pid, 'SIGSTOP');
  const deadline = Date.now() + deadlineMs;
  while (!allThreadsStopped(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} was sent SIGSTOP but has not stopped within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
