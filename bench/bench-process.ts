/** Child processes for the orchestrator: CPU pinning with taskset, startup line, bounded waits, kill by PID. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';

export interface Pinning {
  pinned: boolean;
  /** why not, when not pinned */
  reason?: string;
}

/** Pins only when taskset works here and there are at least two cores (server on 0, generator on 1). */
export function detectPinning(): Pinning {
  if (availableParallelism() < 2) return { pinned: false, reason: `only ${availableParallelism()} core(s) available` };
  const probe = spawnSync('taskset', ['-c', '1', process.execPath, '-e', ''], { stdio: 'ignore' });
  if (probe.error) return { pinned: false, reason: `taskset unavailable (${probe.error.message})` };
  if (probe.status !== 0) return { pinned: false, reason: `taskset -c 1 failed (exit ${probe.status})` };
  return { pinned: true };
}

/** `taskset -c <core> node <args>` (taskset execs node, so the child's PID is node's), or plain node. */
export function spawnNode(core: number | undefined, args: readonly string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const [cmd, argv] =
    core === undefined ? [process.execPath, [...args]] : ['taskset', ['-c', String(core), process.execPath, ...args]];
  return spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'], env });
}

/** Keeps the last lines of a child's stderr for error messages. */
export function tailStderr(child: ChildProcess, keep = 20): () => string {
  const lines: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    lines.push(line);
    if (lines.length > keep) lines.shift();
  });
  return () => lines.join('\n');
}

/** Resolves with the port from the child's `listening <port>` stdout line. */
export function waitForListening(child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const done = (err: Error | undefined, port?: number): void => {
      clearTimeout(timer);
      child.off('exit', onExit);
      lines.close();
      child.stdout!.resume(); // keep draining whatever else the server prints
      if (err) reject(err);
      else resolve(port!);
    };
    const timer = setTimeout(() => done(new Error(`no "listening <port>" line within ${timeoutMs} ms\n${stderr()}`)), timeoutMs);
    const onExit = (code: number | null, signal: string | null): void =>
      done(new Error(`exited before listening (${signal ?? `exit ${code}`})\n${stderr()}`));
    child.once('exit', onExit);
    lines.on('line', (line) => {
      const match = /^listening (\d+)$/.exec(line.trim());
      if (match) done(undefined, Number(match[1]));
    });
  });
}

/** Collects stdout until the child exits; kills it (SIGKILL) past the timeout. */
export function runToExit(child: ChildProcess, timeoutMs: number): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
  });
}

/** SIGTERM by PID, SIGKILL if still alive after `graceMs`. */
export async function killByPid(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(child.pid!, sig);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
