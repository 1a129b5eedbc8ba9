// A cluster node in its own process (fixtures/cluster-node.main.ts run from TypeScript through
// ts-register.mjs), on its own loopback HTTP port. Its output lines are kept so tests wait on what
// it logs; it is stopped by its PID (SIGTERM, then SIGKILL if it lingers) or killed with -9.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { httpRequest } from '../utils/http.js';
import { EventLog, withTimeout } from '../utils/wait.js';
import { unwrap, type ControlArgs, type ControlResult } from './fixtures/control.js';

const MAIN = fileURLToPath(new URL('./fixtures/cluster-node.main.ts', import.meta.url));
const REGISTER = new URL('./fixtures/ts-register.mjs', import.meta.url).href;
const START_MS = 30_000;
const STOP_MS = 5_000;

export class ChildNode {
  readonly lines = new EventLog<string>();
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    lines: EventLog<string>,
    exited: Promise<void>,
  ) {
    this.lines = lines;
    this.exited = exited;
  }

  static async start(env: Record<string, string>): Promise<ChildNode> {
    const child = spawn(process.execPath, ['--import', REGISTER, MAIN], {
      env: { ...process.env, ...env, NO_COLOR: '1', FORCE_COLOR: '0' },
      // stdin stays open and unused: the node exits when it ends, i.e. when this process is gone.
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const lines = new EventLog<string>();
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    for (const stream of [child.stdout!, child.stderr!]) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop()!;
        for (const line of parts) lines.push(line);
      });
    }
    try {
      const ready = await withTimeout(
        Promise.race([
          lines.waitFor((l) => l.startsWith('READY '), 'READY', START_MS),
          exited.then(() => {
            throw new Error(`the cluster node exited during startup:\n${lines.entries.join('\n')}`);
          }),
        ]),
        START_MS,
        () => `the cluster node to start; output:\n${lines.entries.join('\n')}`,
      );
      return new ChildNode(child, Number(ready.slice(6)), lines, exited);
    } catch (err) {
      child.kill('SIGKILL');
      await exited;
      throw err;
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/cluster`;
  }

  async call<T>(op: string, args: ControlArgs = {}): Promise<T> {
    const res = await httpRequest(`http://127.0.0.1:${this.port}/control/${op}`, { method: 'POST', body: args, timeoutMs: 15_000 });
    if (res.status !== 200) throw new Error(`control ${op} answered HTTP ${res.status}: ${res.text}`);
    return unwrap<T>(res.json<ControlResult>());
  }

  /** The first output line matching `pattern` at or after line index `from`. */
  logged(pattern: RegExp, ms: number, from = 0): Promise<string> {
    return this.lines.waitFor((l) => pattern.test(l) && this.lines.entries.indexOf(l, from) >= from, `node ${this.pid} to log ${pattern}`, ms);
  }

  get lineCount(): number {
    return this.lines.entries.length;
  }

  /** Graceful: SIGTERM (app.close(), goodbye to the other nodes), SIGKILL if it is still there after 5 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    await withTimeout(this.exited, STOP_MS, 'the node to exit').catch(async () => {
      this.child.kill('SIGKILL');
      await this.exited;
    });
  }

  /** kill -9: no goodbye, no cleanup. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}
