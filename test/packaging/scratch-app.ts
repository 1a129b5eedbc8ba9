// Builds and packs this package as npm would publish it, and makes scratch consumer apps in a temp
// folder that install the tarball from the registry's point of view: `npm install <tarball> …` with
// real peer resolution (no --legacy-peer-deps), compiled with plain `tsc` and `skipLibCheck: false`.
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');
/** The repository's own TypeScript (7.x); a scratch app may install another one and use that. */
export const REPO_TSC = join(REPO, 'node_modules/.bin/tsc');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of child processes: none of the `npm test` run's own npm/vitest settings leak in. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('npm_') || k.startsWith('VITEST') || k === 'NODE_OPTIONS' || k === 'NODE_ENV' || k === 'TEST') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** Runs a command to completion; rejects with its output if it fails or outlives `timeoutMs`. */
export function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${command} could not start: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code, stdout, stderr };
      if (code === 0) resolvePromise(result);
      else {
        const why = signal === 'SIGKILL' ? `did not finish within ${timeoutMs} ms` : `exited with ${code ?? signal}`;
        reject(new Error(`\`${command} ${args.join(' ')}\` in ${cwd} ${why}:\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`));
      }
    });
  });
}

/**
 * Copies lib/ and the package files into `workDir/stage`, with a node_modules link to the repository's:
 * a clean checkout of the package, nothing built. The repository's own dist/ is not touched, so
 * `npm start` and concurrent test files are unaffected.
 */
async function copyPackageSources(workDir: string): Promise<string> {
  const stage = join(workDir, 'stage');
  await mkdir(join(stage, 'scripts'), { recursive: true });
  for (const f of ['package.json', 'README.md', 'LICENSE', 'tsconfig.json', 'tsconfig.build.json']) await cp(join(REPO, f), join(stage, f));
  await cp(join(REPO, 'scripts/build.mjs'), join(stage, 'scripts/build.mjs'));
  await cp(join(REPO, 'lib'), join(stage, 'lib'), { recursive: true });
  await symlink(join(REPO, 'node_modules'), join(stage, 'node_modules'), 'dir');
  return stage;
}

/**
 * The package copied as by copyPackageSources and built there exactly as `npm run build` does.
 * Returns the stage folder: the package as it would be published (package.json, dist/lib).
 */
export async function stagePackage(workDir: string): Promise<string> {
  const stage = await copyPackageSources(workDir);
  await run('node', ['scripts/build.mjs'], stage, 120_000);
  await run(REPO_TSC, ['-p', 'tsconfig.build.json'], stage, 120_000);
  return stage;
}

/**
 * Packs the package from a clean copy (copyPackageSources: no dist/) with plain `npm pack`, as a
 * maintainer would publish it: its `prepack` script must build, or the tarball holds no code. Returns
 * the tarball's path.
 */
export async function packPackage(workDir: string): Promise<string> {
  const stage = await copyPackageSources(workDir);
  await run('npm', ['pack', '--pack-destination', workDir, '--silent'], stage, 180_000);
  const tarball = (await readdir(workDir)).find((f) => f.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`npm pack left no tarball in ${workDir}`);
  return join(workDir, tarball);
}

export interface ScratchAppSpec {
  /** `package.json` `type`. */
  type: 'commonjs' | 'module';
  /** Packages to install next to the tarball, e.g. `@nestjs/core@11`. */
  dependencies: string[];
  /**
   * The arguments of an `npm install nestjs-neffos …` line of the README, run as a second step into the
   * app that `dependencies` made, as a user adds the package to an app that exists (`nestjs-neffos`
   * stands for the tarball). Without it the tarball is installed with `dependencies`.
   */
  addWith?: string[];
  compilerOptions: Record<string, unknown>;
  /** Source files by path relative to the app (e.g. `src/main.ts`). */
  files: Record<string, string>;
}

/** A new app folder under `workDir` with the tarball and `dependencies` installed and `files` written. */
export async function createScratchApp(workDir: string, name: string, tarball: string, spec: ScratchAppSpec): Promise<string> {
  const dir = await mkdtemp(join(workDir, `${name}-`));
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, private: true, version: '0.0.0', type: spec.type }, null, 2));
  // Offline first: with a warm npm cache nothing touches the network (a stalled registry fetch once held
  // an install for ten minutes). A cold cache fails that at once, and then the registry is asked, with
  // short fetch timeouts so a stalled request is retried instead of waited on.
  const install = (packages: string[]): Promise<RunResult> => {
    const args = ['install', '--no-audit', '--no-fund', '--loglevel=error', ...packages];
    return run('npm', [...args, '--offline'], dir, 300_000).catch(() =>
      run('npm', [...args, '--prefer-offline', '--fetch-timeout=30000', '--fetch-retries=4'], dir, 600_000),
    );
  };
  if (spec.addWith === undefined) await install([tarball, ...spec.dependencies]);
  else {
    await install(spec.dependencies);
    await install(spec.addWith.map((p) => (p === 'nestjs-neffos' ? tarball : p)));
  }
  const tsconfig = { compilerOptions: { ...spec.compilerOptions, outDir: 'dist', rootDir: 'src' }, include: ['src'] };
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  for (const [path, text] of Object.entries(spec.files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

export interface RunningApp {
  /** The `key value` pairs the app printed on its ready line (`listening nest=1234 engine=5678`). */
  readonly ready: Record<string, string>;
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts `node <entry>` in `dir` and resolves once it prints a line starting with `listening`. */
export function startApp(dir: string, entry: string, timeoutMs = 30_000): Promise<RunningApp> {
  const child = spawn('node', [entry], { cwd: dir, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`node ${entry} printed no "listening" line within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('listening '));
      if (line === undefined) return;
      clearTimeout(timer);
      const ready = Object.fromEntries(line.slice('listening '.length).trim().split(/\s+/).map((kv) => kv.split('=') as [string, string]));
      resolvePromise({ ready, stderr: () => stderr, stop });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`node ${entry} exited (${code ?? signal}) before listening:\n${stdout}\n${stderr}`));
    });
  });
}

/** A temp folder for one test file's scratch apps. */
export function makeWorkDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'nestjs-neffos-packaging-'));
}
