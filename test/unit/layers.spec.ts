// The layers point one way (DESIGN.md): nest → engine → protocol. The protocol codec has no I/O, and
// nothing below lib/nest imports Nest, so the engine entry works in apps without it.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const LIB = join(import.meta.dirname, '../../lib');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1]!);
}

function violations(files: string[], forbidden: (spec: string) => boolean): string[] {
  return files.flatMap((f) => imports(f).filter(forbidden).map((spec) => `${relative(LIB, f)} imports ${spec}`));
}

describe('layering', () => {
  it('lib/protocol imports nothing else of lib and no I/O module', () => {
    const bad = violations(sources(join(LIB, 'protocol')), (s) => /^\.\.\//.test(s) || /^(node:)?(net|http|https|fs|ws|stream)$/.test(s) || s === 'ws');
    expect(bad).toEqual([]);
  });

  it('lib/engine imports only lib/protocol, never Nest', () => {
    const bad = violations(sources(join(LIB, 'engine')), (s) => s.startsWith('@nestjs') || (s.startsWith('../') && !s.startsWith('../protocol/')));
    expect(bad).toEqual([]);
  });

  it('the engine entry (lib/core.ts) needs no Nest', () => {
    const bad = violations([join(LIB, 'core.ts')], (s) => s.startsWith('@nestjs') || s.startsWith('./nest/'));
    expect(bad).toEqual([]);
  });
});
