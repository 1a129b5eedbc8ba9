// The packed package as users get it: installed from its tarball into scratch apps (CommonJS and ESM
// on Nest 12, CommonJS on Nest 11 with TypeScript 5.9 and the classic `moduleResolution: node`),
// compiled with plain `tsc` and `skipLibCheck: false`, started, and talked to over the neffos
// protocol. The CommonJS apps add the package with the README's Install line for their Nest major, to an
// app that has Nest already, and the Nest 11 one also runs a test of the user's under Jest with the
// README's ts-jest setup. Also checks each entry's exported names against the hand-kept list in
// public-api.ts.
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dial } from 'nestjs-neffos/testing';
import { httpRequest } from '../utils/http.js';
import { CONSUMER_FILES, JEST_SPEC } from './consumer-sources.js';
import { declaredExports } from './declared-exports.js';
import { PUBLIC_API } from './public-api.js';
import { createScratchApp, makeWorkDir, packPackage, REPO, REPO_TSC, run, startApp, type ScratchAppSpec } from './scratch-app.js';

const STRICT = {
  strict: true,
  skipLibCheck: false,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  types: ['node'],
};

/** Nest of that major, and the optional peers every entry needs to load (`/redis`, `/nats`). */
function nest(major: 11 | 12): string[] {
  const nestPackages = ['common', 'core', 'platform-express', 'platform-ws', 'websockets', 'testing'].map((p) => `@nestjs/${p}@${major}`);
  return [...nestPackages, 'reflect-metadata@^0.2', 'rxjs@^7', '@types/node@^20', 'ioredis@^6', '@nats-io/transport-node@^3'];
}

/** A Nest app of that major before it adds this package: what `nest new` gives, and the optional peers. */
function appBefore(major: 11 | 12): string[] {
  return nest(major).filter((p) => !p.startsWith('@nestjs/websockets@'));
}

/**
 * The arguments of the README's Install line for that major (`npm install nestjs-neffos … # Nest 11`),
 * which the scratch app runs as its user would: a bare `@nestjs/websockets` in a Nest 11 app is
 * refused by npm (ERESOLVE), so the line must say which major.
 */
function readmeInstall(major: 11 | 12): string[] {
  const install = /## Install\n+```sh\n([\s\S]*?)```/.exec(readFileSync(join(REPO, 'README.md'), 'utf8'));
  const line = install?.[1]?.split('\n').find((l) => l.includes(`# Nest ${major}`));
  if (line === undefined) throw new Error(`README.md's Install block has no line marked "# Nest ${major}"`);
  const words = line.slice(0, line.indexOf('#')).trim().split(/\s+/);
  if (words.slice(0, 3).join(' ') !== 'npm install nestjs-neffos') throw new Error(`README.md's Nest ${major} line is no \`npm install nestjs-neffos …\`: ${line}`);
  return words.slice(2);
}

/**
 * The Jest setup the README gives for CommonJS apps (its ```json block after "With Jest"), plus where
 * the spec is: JEST_SPEC must pass with it.
 */
function readmeJestConfig(): Record<string, unknown> {
  const block = /With Jest on a CommonJS app[\s\S]*?```json\n([\s\S]*?)```/.exec(readFileSync(join(REPO, 'README.md'), 'utf8'))?.[1];
  if (block === undefined) throw new Error('README.md has no ```json block after "With Jest on a CommonJS app"');
  return { testEnvironment: 'node', roots: ['<rootDir>/test'], testRegex: '\\.e2e-spec\\.ts$', ...(JSON.parse(`{${block}}`) as Record<string, unknown>) };
}

interface Consumer {
  title: string;
  name: string;
  spec: ScratchAppSpec;
  /** The compiler: the repository's TypeScript, or one the app installed. */
  tsc: (dir: string) => string;
}

const CONSUMERS: Consumer[] = [
  {
    title: 'a CommonJS app on Nest 12 (TypeScript 7, module nodenext)',
    name: 'cjs-nest12',
    spec: { type: 'commonjs', dependencies: appBefore(12), addWith: readmeInstall(12), compilerOptions: { ...STRICT, target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext' }, files: CONSUMER_FILES },
    tsc: () => REPO_TSC,
  },
  {
    title: 'an ESM app on Nest 12 (TypeScript 7, module nodenext)',
    name: 'esm-nest12',
    spec: { type: 'module', dependencies: nest(12), compilerOptions: { ...STRICT, target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext' }, files: CONSUMER_FILES },
    tsc: () => REPO_TSC,
  },
  {
    title: 'a CommonJS app on Nest 11 (TypeScript 5.9, module commonjs, moduleResolution node)',
    name: 'cjs-nest11',
    spec: {
      type: 'commonjs',
      dependencies: [...appBefore(11), 'typescript@~5.9', 'jest@^30', 'ts-jest@^29', '@jest/globals@^30'],
      addWith: readmeInstall(11),
      compilerOptions: { ...STRICT, target: 'ES2021', module: 'commonjs', moduleResolution: 'node' },
      files: { ...CONSUMER_FILES, 'test/chat.e2e-spec.ts': JEST_SPEC, 'jest.config.json': JSON.stringify(readmeJestConfig(), null, 2) },
    },
    tsc: (dir) => join(dir, 'node_modules/.bin/tsc'),
  },
];

/**
 * An app on the bare engine (`nestjs-neffos/engine`), which the README says needs no Nest: npm installs
 * required peers by itself, so only optional Nest peers keep Nest out of its node_modules.
 */
const ENGINE_ONLY: ScratchAppSpec = {
  type: 'module',
  dependencies: ['@types/node@^20'],
  compilerOptions: { ...STRICT, experimentalDecorators: false, emitDecoratorMetadata: false, target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext' },
  files: {
    'src/main.ts': [
      "import { createServer } from 'node:http';",
      "import type { AddressInfo } from 'node:net';",
      "import { NeffosEngine } from 'nestjs-neffos/engine';",
      '',
      'const server = createServer();',
      "const engine = new NeffosEngine({ path: '/bare', namespaces: { default: { echo: (msg) => msg.body } } }).attach(server);",
      "server.listen(0, '127.0.0.1', () => console.log(`listening engine=${(server.address() as AddressInfo).port}`));",
      "process.once('SIGTERM', () => void engine.close().then(() => server.close()));",
      '',
    ].join('\n'),
  },
};

let work: string;
/** Each consumer's folder, installed and compiled; all three install at once (npm waits on the network). */
const ready = new Map<string, Promise<string>>();

beforeAll(async () => {
  work = await makeWorkDir();
  const tarball = await packPackage(work);
  for (const { name, spec, tsc } of CONSUMERS) {
    const building = createScratchApp(work, name, tarball, spec).then(async (dir) => {
      await run(tsc(dir), ['-p', 'tsconfig.json'], dir, 180_000);
      return dir;
    });
    building.catch(() => {}); // awaited (and reported) by the consumer's own beforeAll
    ready.set(name, building);
  }
  const engineOnly = createScratchApp(work, 'engine-only', tarball, ENGINE_ONLY).then(async (dir) => {
    await run(REPO_TSC, ['-p', 'tsconfig.json'], dir, 180_000);
    return dir;
  });
  engineOnly.catch(() => {});
  ready.set('engine-only', engineOnly);
}, 300_000);

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe.each(CONSUMERS)('$title', ({ name }) => {
  let dir: string;

  beforeAll(async () => {
    dir = await ready.get(name)!;
  }, 900_000);

  it('starts, and serves its controller and the bare engine over the neffos protocol', async () => {
    const app = await startApp(dir, 'dist/main.js');
    try {
      const client = await dial(`ws://127.0.0.1:${app.ready.nest}/ws`);
      const chat = await client.connect('chat');
      expect((await chat.nextEvent('welcome')).text()).toBe(`hello ${client.id}`);
      expect((await chat.ask('echo', 'hi')).text()).toBe('hi');
      expect((await chat.ask('add', [1, 2, 3])).json()).toBe(6);
      const stats = await httpRequest(`http://127.0.0.1:${app.ready.nest}/stats`);
      expect(stats.json()).toEqual({ connections: 1 });
      await client.close();

      const bare = await dial(`ws://127.0.0.1:${app.ready.engine}/bare`);
      expect((await (await bare.connect('default')).ask('echo', 'raw')).text()).toBe('raw');
      await bare.close();
    } finally {
      await app.stop();
    }
    expect(app.stderr()).toBe('');
  }, 90_000);

  it("runs the user's own e2e test on nestjs-neffos/testing, which exits with nothing left open", async () => {
    const { stdout, stderr } = await run('node', ['dist/selftest.js'], dir, 60_000);
    expect(stdout.trim()).toBe('selftest ok');
    expect(stderr).toBe('');
  }, 90_000);

  it('loads every entry with require() and import, each with exactly the listed names', async () => {
    const pkg = JSON.parse(readFileSync(join(dir, 'node_modules/nestjs-neffos/package.json'), 'utf8')) as { exports: Record<string, { types: string } | string> };
    const entries = Object.keys(pkg.exports).filter((k) => k !== './package.json');
    expect(entries.sort()).toEqual(Object.keys(PUBLIC_API).sort());
    const specifiers = entries.map((e) => (e === '.' ? 'nestjs-neffos' : `nestjs-neffos/${e.slice(2)}`));
    const script = (loader: string): string => `(async () => { const out = {}; for (const s of ${JSON.stringify(specifiers)}) out[s] = Object.keys(${loader}).sort(); console.log(JSON.stringify(out)); })()`;
    const required = JSON.parse((await run('node', ['-e', script('require(s)')], dir, 60_000)).stdout) as Record<string, string[]>;
    const imported = JSON.parse((await run('node', ['-e', script('await import(s)')], dir, 60_000)).stdout) as Record<string, string[]>;
    expect(required).toEqual(imported);
    for (const [entry, specifier] of entries.map((e, i) => [e, specifiers[i]!] as const)) {
      const api = PUBLIC_API[entry]!;
      expect(imported[specifier], `runtime exports of ${specifier}`).toEqual([...api.values].sort());
      const types = (pkg.exports[entry] as { types: string }).types;
      const declared = [...declaredExports(join(dir, 'node_modules/nestjs-neffos', types))].sort();
      expect(declared, `declared exports of ${specifier}`).toEqual([...api.values, ...api.types].sort());
    }
  }, 120_000);

});

describe('the CommonJS app on Nest 11, tested with Jest (its default runner)', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await ready.get('cjs-nest11')!;
  }, 900_000);

  it("runs the user's e2e test with the README's ts-jest setup", async () => {
    const { stderr } = await run('node', ['node_modules/jest/bin/jest.js', '--config', 'jest.config.json'], dir, 120_000);
    expect(stderr).toContain('Tests:       1 passed, 1 total');
  }, 150_000);
});

describe('an app on nestjs-neffos/engine alone (ESM, TypeScript 7)', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await ready.get('engine-only')!;
  }, 900_000);

  it('installs without Nest, compiles, and serves the neffos protocol', async () => {
    expect(existsSync(join(dir, 'node_modules/@nestjs')), 'node_modules/@nestjs in an engine-only app').toBe(false);
    expect(existsSync(join(dir, 'node_modules/rxjs')), 'node_modules/rxjs in an engine-only app').toBe(false);
    const app = await startApp(dir, 'dist/main.js');
    try {
      const client = await dial(`ws://127.0.0.1:${app.ready.engine}/bare`);
      expect((await (await client.connect('default')).ask('echo', 'no nest')).text()).toBe('no nest');
      await client.close();
    } finally {
      await app.stop();
    }
    expect(app.stderr()).toBe('');
  }, 90_000);
});
