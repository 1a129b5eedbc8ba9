// An app that does not scale out never loads a broker client: the root and engine entries load neither
// ioredis nor @nats-io/*, and each broker entry loads only its own. Checked in a fresh Node process on
// the compiled entries (both client libraries are CommonJS, so whatever loaded shows in require.cache).
import { transformFile } from '@swc/core';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
// Inside the repository, so the compiled files resolve their dependencies from its node_modules.
const OUT = join(ROOT, 'node_modules/.cache', `entry-isolation-${process.pid}`);

async function compile(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      await compile(path);
      continue;
    }
    if (!entry.name.endsWith('.ts') || entry.name.endsWith('.spec.ts')) continue;
    const { code } = await transformFile(path, {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
        target: 'es2022',
      },
      module: { type: 'es6' },
    });
    const target = join(OUT, relative(ROOT, path)).replace(/\.ts$/, '.js');
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, code);
  }
}

/** The broker client packages a fresh process has loaded after importing `entry`. */
async function brokerClientsLoadedBy(entry: string): Promise<string[]> {
  const url = pathToFileURL(join(OUT, 'lib', entry)).href;
  const script = `
    import { createRequire } from 'node:module';
    await import(${JSON.stringify(url)});
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    const names = new Set();
    for (const file of loaded) {
      const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(file.slice(file.lastIndexOf('node_modules/')));
      if (m && /^(ioredis|@nats-io\\/.+)$/.test(m[1])) names.add(m[1]);
    }
    console.log(JSON.stringify([...names].sort()));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: OUT, timeout: 30_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as string[];
}

describe('entry points load broker clients only when asked', () => {
  beforeAll(async () => {
    await compile(join(ROOT, 'lib'));
  }, 60_000);
  afterAll(() => rm(OUT, { recursive: true, force: true }));

  it('the root entry loads neither ioredis nor @nats-io/*', async () => {
    expect(await brokerClientsLoadedBy('index.js')).toEqual([]);
  });

  it('the engine entry loads neither', async () => {
    const engineEntry = existsSync(join(OUT, 'lib/engine.js')) ? 'engine.js' : 'core.js';
    expect(await brokerClientsLoadedBy(engineEntry)).toEqual([]);
  });

  it('nestjs-neffos/redis loads ioredis and not NATS', async () => {
    expect(await brokerClientsLoadedBy('redis.js')).toEqual(['ioredis']);
  });

  it('nestjs-neffos/nats loads @nats-io/* and not ioredis', async () => {
    const loaded = await brokerClientsLoadedBy('nats.js');
    expect(loaded).toContain('@nats-io/transport-node');
    expect(loaded).not.toContain('ioredis');
  });
});
