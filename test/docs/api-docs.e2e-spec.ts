// `npm run docs` builds the API reference from the JSDoc with TypeDoc (typedoc.json, warnings are
// errors), and the reference lists every public name of every entry (test/packaging/public-api.ts).
// TypeDoc and the TypeScript 6 it runs on live in scripts/api-docs, installed there on first use.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, run } from '../packaging/scratch-app.js';
import { PUBLIC_API } from '../packaging/public-api.js';

let out: string;
let log: string;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'nestjs-neffos-api-'));
  const result = await run('node', ['scripts/api-docs/run.mjs', '--out', out], REPO, 600_000);
  log = result.stdout + result.stderr;
}, 660_000);

afterAll(async () => {
  if (out !== undefined) await rm(out, { recursive: true, force: true });
});

describe('npm run docs', () => {
  it('builds the reference without a TypeDoc warning', () => {
    expect(log).toContain('html generated at');
    expect(log).not.toMatch(/\[warning\]|\[error\]/);
  });

  it.each(Object.entries(PUBLIC_API))('lists every public name of %s on its page', (entry, api) => {
    const page = entry === '.' ? 'index' : entry.slice(2);
    const html = readFileSync(join(out, 'modules', `${page}.html`), 'utf8');
    const missing = [...api.values, ...api.types].filter((name) => !html.includes(`>${name}<`));
    expect(missing).toEqual([]);
  });
});
