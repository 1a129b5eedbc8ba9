// Starts redis-server and nats-server on free loopback ports with no persistence, waits until they
// accept connections (port polled against a deadline, no fixed sleep), stops them by PID. Shared by
// the tests (test/utils/brokers.ts), `npm run start:cluster` and `npm run bench -- --cluster`.
// Plain JavaScript so scripts can use it without a build; types in broker-process.d.mts.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { delimiter, join } from 'node:path';

export const HOST = '127.0.0.1';
const START_DEADLINE_MS = 10_000;
const STOP_DEADLINE_MS = 5_000;
/** Debian installs nats-server in /usr/sbin, which a non-root PATH may lack. */
const SBIN_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

export class BrokerBinaryMissingError extends Error {
  name = 'BrokerBinaryMissingError';
  constructor(bin, pkg) {
    super(
      `${bin} not found (searched PATH and ${SBIN_DIRS.join(', ')}): install the Debian package "${pkg}" ` +
        `(sudo apt-get install -y --no-install-recommends ${pkg}); \`npm test\` does it through scripts/provision.mjs when run as root`,
    );
  }
}

export function findBinary(bin, pkg) {
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
  throw new BrokerBinaryMissingError(bin, pkg);
}

/** A port nobody listens on right now (the OS picks it; we release it for the broker). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function canConnect(port, host = HOST) {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export const REDIS = {
  bin: 'redis-server',
  pkg: 'redis-server',
  args: (port) => ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--loglevel', 'warning'],
};

export const NATS = {
  bin: 'nats-server',
  pkg: 'nats-server',
  args: (port, monitorPort) => ['-a', HOST, '-p', String(port), ...(monitorPort ? ['-m', String(monitorPort)] : [])],
};

/** Children still running when this process exits are killed (by PID, only ours). */
const live = new Set();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * The 'exit' hook above does not run when this process is killed (SIGKILL, or a test runner that stops
 * its worker hard), and the broker would live on as an orphan holding its ports. A detached shell
 * checks once a second that this process is alive and kill -9s the broker (by PID, if it is still that
 * binary) once it is not. It is stopped with the broker.
 */
function watchOver(child, bin) {
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; grep -q ${bin} /proc/${child.pid}/cmdline 2>/dev/null && kill -9 ${child.pid}`;
  const watchdog = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  watchdog.on('error', () => {}); // no sh: the exit hook is all there is
  watchdog.unref();
  return watchdog;
}

/** One broker process on a fixed port (chosen at the first start), with its recent output for error messages. */
export class BrokerProcess {
  #child;
  #output = '';

  constructor(spec, port, monitorPort, path) {
    this.spec = spec;
    this.port = port;
    this.monitorPort = monitorPort;
    this.path = path;
  }

  /** Starts `spec` on `port` (or a free one; then up to 3 ports are tried, in case another process grabs one first). */
  static async start(spec, { port, withMonitor = false } = {}) {
    const path = findBinary(spec.bin, spec.pkg);
    let lastError;
    for (let attempt = 0; attempt < (port ? 1 : 3); attempt++) {
      const broker = new BrokerProcess(spec, port ?? (await freePort()), withMonitor ? await freePort() : undefined, path);
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

  get pid() {
    return this.#child?.pid;
  }

  get running() {
    const c = this.#child;
    return c !== undefined && c.exitCode === null && c.signalCode === null;
  }

  /** Graceful stop (SIGTERM), SIGKILL past a deadline. */
  stop() {
    return this.#signal('SIGTERM');
  }

  /** kill -9: the broker vanishes without closing its connections cleanly. */
  kill() {
    return this.#signal('SIGKILL');
  }

  /** Starts the broker again on the same port(s), e.g. after `stop()` in a broker-restart test. */
  async restart() {
    if (this.running) await this.stop();
    await this.launch();
  }

  async launch() {
    this.#output = '';
    const child = spawn(this.path, this.spec.args(this.port, this.monitorPort), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    live.add(child);
    const watchdog = child.pid === undefined ? undefined : watchOver(child, this.spec.bin);
    child.once('exit', () => {
      live.delete(child);
      watchdog?.kill('SIGKILL');
    });
    const keep = (chunk) => {
      this.#output = (this.#output + chunk.toString()).slice(-2000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let spawnError;
    child.once('error', (err) => (spawnError = err));
    const deadline = Date.now() + START_DEADLINE_MS;
    const ports = [this.port, ...(this.monitorPort ? [this.monitorPort] : [])];
    for (;;) {
      if (spawnError) throw spawnError;
      if (!this.running) throw new Error(`${this.spec.bin} exited during start on port ${this.port}:\n${this.#output}`);
      const ok = (await Promise.all(ports.map((p) => canConnect(p)))).every(Boolean);
      if (ok && this.running) return;
      if (Date.now() > deadline) {
        throw new Error(`${this.spec.bin} did not accept connections on ${HOST}:${this.port} within ${START_DEADLINE_MS} ms:\n${this.#output}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async #signal(sig) {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.kill(sig);
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_DEADLINE_MS);
    await exited;
    clearTimeout(timer);
  }
}
