// Jest with ts-jest (the test setup of many Nest 11 apps) runs this ESM package by transforming each of
// its files to CommonJS, and CommonJS cannot hold `import.meta`: one module with it, loaded when the
// package is imported, failed every such test suite with "Cannot use 'import.meta' outside a module"
// (checked by hand with Jest 29 and ts-jest 29 on a packed tarball). So no module loaded by an entry's
// static imports may use it; `serveClient` finds neffos.js in a module imported on first use.
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRIES = ['lib/index.ts', 'lib/engine.ts', 'lib/testing.ts', 'lib/platform-ws.ts', 'lib/redis.ts', 'lib/nats.ts'];

/** Relative specifiers of the static imports and re-exports that load code (not `import type`/`export type`). */
function staticImports(source: string): string[] {
  const specifiers: string[] = [];
  const statement = /^(?:import|export)\s+(?!type\b)(?:[^;]*?\sfrom\s+)?'(\.[^']+)'/gms;
  for (const match of source.matchAll(statement)) specifiers.push(match[1]!);
  return specifiers;
}

/** Every source file an entry loads through static imports, with its source. */
function loadedModules(): Map<string, string> {
  const seen = new Map<string, string>();
  const pending = ENTRIES.map((entry) => join(root, entry));
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    const source = readFileSync(file, 'utf8');
    seen.set(file, source);
    for (const specifier of staticImports(source)) pending.push(join(dirname(file), specifier.replace(/\.js$/, '.ts')));
  }
  return seen;
}

describe('the package transformed to CommonJS (Jest with ts-jest)', () => {
  it('loads: no module an entry imports statically uses import.meta', () => {
    const modules = loadedModules();
    expect(modules.size).toBeGreaterThan(50); // the walk follows the graph, not only the entries
    expect(modules.has(join(root, 'lib/engine/client-script.ts'))).toBe(true);
    const withImportMeta = [...modules].filter(([, source]) => /\bimport\.meta\b/.test(source)).map(([file]) => relative(root, file));
    expect(withImportMeta).toEqual([]);
  });
});
