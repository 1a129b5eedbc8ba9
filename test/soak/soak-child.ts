// The soak server process (fixtures/soak-server.main.ts, run from TypeScript through the cluster tests'
// ts-register.mjs, with --expose-gc), driven over IPC; stopped by its PID (close, then SIGKILL if it
// lingers).
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { withTimeout } from '../utils/wait.js';

const MAIN = fileURLToPath(new URL('./fixtures/soak-server.main.ts', import.meta.url));
const REGISTER = new URL('../cluster/fixtures/ts-register.mjs', import.meta.url).href;
const START_MS = 30_000;
const CALL_MS = 30_000;

export interface Measurement {
  /** Median heapUsed of seven full collections, bytes. */
  heap: number;
  heaps: number[];
  /** Sizes of the engine's internal maps (prefixed `a.`/`b.` with two nodes). */
  sizes: Record<string, number>;
  /** Objects made minus objects collected, by kind (Conn, NSConn, per-connection controllers). */
  reachable: Record<string, number>;
}

export class SoakServer {
  private seq = 0;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly exited: Promise<void>,
  ) {
    child.on('message', (raw) => {
      const { seq, result, error } = raw as { seq: number; result?: unknown; error?: string };
      const w = this.waiting.get(seq);
      if (w === undefined) return;
      this.waiting.delete(seq);
      if (error !== undefined) w.reject(new Error(`soak server: ${error}`));
      else w.resolve(result);
    });
    for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-4000)));
    void exited.then(() => {
      for (const w of this.waiting.values()) w.reject(new Error(`the soak server exited:\n${this.output}`));
      this.waiting.clear();
    });
  }

  /** Starts the server; resolves with it and the ports its engines listen on. */
  static async start(env: Record<string, string>): Promise<{ server: SoakServer; ports: number[] }> {
    const child = spawn(process.execPath, ['--expose-gc', '--import', REGISTER, MAIN], {
      env: { ...process.env, ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const server = new SoakServer(child, exited);
    try {
      const { ports } = await withTimeout(server.reply<{ ports: number[] }>(0), START_MS, () => `the soak server to start; output:\n${server.output}`);
      return { server, ports };
    } catch (err) {
      child.kill('SIGKILL');
      await exited;
      throw err;
    }
  }

  private reply<T>(seq: number): Promise<T> {
    return new Promise<T>((resolve, reject) => this.waiting.set(seq, { resolve: resolve as (v: unknown) => void, reject }));
  }

  private call<T>(op: string, args?: object): Promise<T> {
    const seq = ++this.seq;
    const answer = this.reply<T>(seq);
    this.child.send({ seq, op, args });
    return withTimeout(answer, CALL_MS, `soak server op ${op}`);
  }

  /**
   * Heap and sizes after full collections. `idle` (default) first waits until every connection is
   * gone; `settleMs` first lets that long pass (so waits with shorter timeouts have fired).
   */
  measure(idle = true, settleMs = 0): Promise<Measurement> {
    return this.call('measure', { idle, settleMs });
  }

  /**
   * `engines[node].ask(id, { namespace: 'default', event })`, resolved with the reply's text or the
   * name of the error it rejected with.
   */
  ask(node: number, id: string, event: string, timeout: number): Promise<string> {
    return this.call('ask', { node, id, event, timeout });
  }

  /** With two nodes: `count` times, a third node (a new node id) joins, is linked if links are on, and leaves. */
  churn(count: number): Promise<void> {
    return this.call('churn', { count });
  }

  /** Writes a heap snapshot of the server to `file` (after a collection); for finding what a growth is. */
  snapshot(file: string): Promise<string> {
    return this.call('snapshot', { file });
  }

  /** Closes the engines, then ends the process. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      await this.call('close').catch(() => {});
      this.child.kill('SIGTERM');
      const killer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await this.exited;
      clearTimeout(killer);
    }
  }
}
