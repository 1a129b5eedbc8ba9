// The contributor setup: `scripts/provision.mjs` (npm `pretest`) as a non-root user finds the tools
// on PATH and in sbin folders, honours CHROMIUM_PATH, and says exactly what to install when something
// is missing, without trying apt-get where it cannot; the browser helper honours CHROMIUM_PATH too.
import { spawn } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTool, MissingToolError, requireTool, toolById } from '../../scripts/system-binaries.mjs';
import { chromiumPath } from '../utils/browser.js';

const REPO = resolve(import.meta.dirname, '../..');
/** Run as "nobody" when the suite runs as root (CI), so the non-root path is what is tested. */
const NOBODY = typeof process.getuid === 'function' && process.getuid() === 0 ? { uid: 65534, gid: 65534 } : {};

let dir: string;
let bin: string;
let sbin: string;
let empty: string;

async function fakeTool(folder: string, name: string): Promise<string> {
  const path = join(folder, name);
  await writeFile(path, '#!/bin/sh\nexit 0\n');
  await chmod(path, 0o755);
  return path;
}

function provision(env: Record<string, string>, asNobody = true): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(dir, 'scripts/provision.mjs')], {
      env: { HOME: dir, ...env },
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(asNobody ? NOBODY : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nestjs-neffos-provision-'));
  await chmod(dir, 0o755);
  await mkdir(join(dir, 'scripts'));
  for (const f of ['provision.mjs', 'system-binaries.mjs']) await cp(join(REPO, 'scripts', f), join(dir, 'scripts', f));
  for (const sub of ['bin', 'sbin', 'empty']) await mkdir(join(dir, sub));
  [bin, sbin, empty] = ['bin', 'sbin', 'empty'].map((s) => join(dir, s)) as [string, string, string];
  await fakeTool(bin, 'redis-server');
  await fakeTool(bin, 'chromium-bin');
  await fakeTool(sbin, 'nats-server');
  await chmod(join(dir, 'scripts'), 0o755);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('scripts/provision.mjs', () => {
  it('as a non-root user, finds tools on PATH, in sbin folders off PATH, and at CHROMIUM_PATH', async () => {
    const res = await provision({ PATH: bin, NEFFOS_SBIN_DIRS: sbin, CHROMIUM_PATH: join(bin, 'chromium-bin') });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toBe(
      `provision: ok (chromium ${join(bin, 'chromium-bin')}, redis-server ${join(bin, 'redis-server')}, nats-server ${join(sbin, 'nats-server')})`,
    );
  });

  it('says exactly what to install when tools are missing, and lets the suite run', async () => {
    const res = await provision({ PATH: empty, NEFFOS_SBIN_DIRS: sbin, CHROMIUM_PATH: join(empty, 'chromium') });
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe(
      [
        'provision: missing chromium, redis-server:',
        `  chromium: CHROMIUM_PATH=${join(empty, 'chromium')} is not an executable file; used by test/browser (Chromium through playwright-core)`,
        `  redis-server: not found on PATH or in ${sbin}; used by the scale-out tests on a real Redis`,
        'Install them:',
        '  Debian/Ubuntu:    sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium redis-server',
        '  macOS (Homebrew): brew install redis && brew install --cask chromium',
        "  elsewhere:        your system's packages of chromium, redis-server, on PATH (or in /usr/sbin)",
        '  or point CHROMIUM_PATH at an installed binary.',
        'provision: (CHROMIUM_PATH set) the tests that need them will fail with this message; the others run.',
        '',
      ].join('\n'),
    );
  });

  it('does not try to install without apt-get, even as root', async () => {
    const res = await provision({ PATH: empty, NEFFOS_SBIN_DIRS: sbin, CHROMIUM_PATH: '' }, false);
    expect(res.code).toBe(0);
    expect(res.stdout).not.toContain('installing');
    expect(res.stderr).toContain('provision: missing');
    expect(res.stderr).toContain('the tests that need them will fail with this message');
  });
});

describe('tools in the tests', () => {
  it('findTool looks in the sbin folders after PATH (Debian puts nats-server in /usr/sbin)', () => {
    const nats = toolById('nats-server');
    expect(findTool(nats, { PATH: empty, NEFFOS_SBIN_DIRS: sbin })).toBe(join(sbin, 'nats-server'));
    expect(findTool(nats, { PATH: empty, NEFFOS_SBIN_DIRS: empty })).toBeUndefined();
    expect(() => requireTool('nats-server', { PATH: empty, NEFFOS_SBIN_DIRS: empty })).toThrow(MissingToolError);
  });

  it('the browser helper takes Chromium from CHROMIUM_PATH, and fails naming it when it points nowhere', () => {
    const saved = process.env.CHROMIUM_PATH;
    try {
      process.env.CHROMIUM_PATH = join(bin, 'chromium-bin');
      expect(chromiumPath()).toBe(join(bin, 'chromium-bin'));
      process.env.CHROMIUM_PATH = join(empty, 'chromium');
      expect(() => chromiumPath()).toThrow(`CHROMIUM_PATH=${join(empty, 'chromium')} is not an executable file`);
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved;
    }
  });
});
