// Real brokers for the scale-out tests: redis-server and nats-server started on free loopback ports,
// with no persistence, stopped by PID. `restart()` brings one back on the same port (broker-restart
// tests); `kill()` is a kill -9. The Debian packages are installed by scripts/provision.mjs (pretest).
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { delimiter, join } from 'node:path';

const HOST = '127.0.0.1';
const START_DEADLINE_MS = 10_000;
const STOP_DEADLINE_MS = 5_000;

export class BrokerBinaryMissingError extends Error {
  override name = 'BrokerBinaryMissingError';
  constructor(bin: string, pkg: string, searched: string[]) {
    super(
      `${bin} not found (searched PATH and ${searched.join(', ')}): install the Debian package "${pkg}" ` +
        `(sudo apt-get install -y --no-install-recommends ${pkg}); \`npm test\` does it through scripts/provision.mjs when run as root`,
    );
  }
}

const SBIN_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

/** Debian installs nats-server in /usr/sbin, which a non-root PATH may lack. */
export function findBinary(bin: string, pkg: string): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SBIN_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, bin);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new BrokerBinaryMissingError(bin, pkg, SBIN_DIRS);
}

/** A port nobody listens on right now (the OS picks it; we release it for the broker). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface Spec {
  bin: string;
  pkg: string;
  args(port: number, monitorPort: number | undefined): string[];
}

/** One broker process on a fixed port (chosen at the first start), with its recent output for error messages. */
export class BrokerProcess {
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(
    private readonly spec: Spec,
    readonly port: number,
    readonly monitorPort: number | undefined,
    private readonly path: string,
  ) {}

  static async start(spec: Spec, withMonitor = false): Promise<BrokerProcess> {
    const path = findBinary(spec.bin, spec.pkg);
    // Another process may grab the free port between our probe and the broker's bind: try a few ports.
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const broker = new BrokerProcess(spec, await freePort(), withMonitor ? await freePort() : undefined, path);
      try {
        await broker.launch();
        return broker;
      } catch (err) {
        lastError = err;
        await broker.stop();
      }
    }
    throw lastError;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Graceful stop (SIGTERM), SIGKILL past a deadline. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  /** kill -9: the broker vanishes without closing its connections cleanly. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** Starts the broker again on the same port(s), e.g. after `stop()` in a broker-restart test. */
  async restart(): Promise<void> {
    if (this.running) await this.stop();
    await this.launch();
  }

  private async launch(): Promise<void> {
    this.output = '';
    const child = spawn(this.path, this.spec.args(this.port, this.monitorPort), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    live.add(child);
    child.once('exit', () => live.delete(child));
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-2000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
    spawnError.catch(() => {});
    const deadline = Date.now() + START_DEADLINE_MS;
    const ports = [this.port, ...(this.monitorPort ? [this.monitorPort] : [])];
    for (;;) {
      if (!this.running) throw new Error(`${this.spec.bin} exited during start on port ${this.port}:\n${this.output}`);
      const ok = await Promise.race([Promise.all(ports.map(canConnect)).then((r) => r.every(Boolean)), spawnError]);
      if (ok) return;
      if (Date.now() > deadline) {
        throw new Error(`${this.spec.bin} did not accept connections on ${HOST}:${this.port} within ${START_DEADLINE_MS} ms:\n${this.output}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(sig);
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_DEADLINE_MS);
    await exited;
    clearTimeout(timer);
  }
}

/** Children still running when the test process exits are killed (by PID, only ours). */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

const REDIS: Spec = {
  bin: 'redis-server',
  pkg: 'redis-server',
  args: (port) => ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--loglevel', 'warning'],
};

const NATS: Spec = {
  bin: 'nats-server',
  pkg: 'nats-server',
  args: (port, monitorPort) => ['-a', HOST, '-p', String(port), ...(monitorPort ? ['-m', String(monitorPort)] : [])],
};

export interface RedisBroker extends BrokerProcess {
  readonly url: string;
}

export interface NatsBroker extends BrokerProcess {
  readonly url: string;
  /** Number of client connections the server holds (from the monitoring endpoint /connz). */
  connz(): Promise<NatsConnz>;
}

export interface NatsConnz {
  num_connections: number;
  connections: Array<{ cid: number; name?: string; subscriptions: number; ip: string; port: number }>;
}

export async function startRedis(): Promise<RedisBroker> {
  const broker = await BrokerProcess.start(REDIS);
  return Object.assign(broker, { url: `redis://${HOST}:${broker.port}` });
}

/** nats-server with its monitoring port, so tests can count connections with /connz. */
export async function startNats(): Promise<NatsBroker> {
  const broker = await BrokerProcess.start(NATS, true);
  return Object.assign(broker, {
    url: `nats://${HOST}:${broker.port}`,
    async connz(): Promise<NatsConnz> {
      const res = await fetch(`http://${HOST}:${broker.monitorPort}/connz?subs=1`);
      if (!res.ok) throw new Error(`nats /connz answered ${res.status}`);
      return (await res.json()) as NatsConnz;
    },
  });
}
