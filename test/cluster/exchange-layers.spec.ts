// lib/exchange plugs into the engine (docs/design.md, layers): it imports the engine's seam, errors and
// the protocol, never Nest; and the engine reaches it only through types (stack-exchange.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const LIB = join(import.meta.dirname, '../../lib');

function importsOf(dir: string): Array<{ file: string; spec: string }> {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
    .flatMap((file) => [...readFileSync(join(dir, file), 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)].map((m) => ({ file, spec: m[1]! })));
}

describe('lib/exchange layering', () => {
  it('imports no Nest and nothing of lib but the engine and the protocol', () => {
    const bad = importsOf(join(LIB, 'exchange')).filter(({ spec }) => spec.startsWith('@nestjs') || (spec.startsWith('../') && !spec.startsWith('../engine/') && !spec.startsWith('../protocol/')));
    expect(bad).toEqual([]);
  });

  it('the engine imports no exchange code', () => {
    const bad = importsOf(join(LIB, 'engine')).filter(({ spec }) => spec.includes('exchange/'));
    expect(bad).toEqual([]);
  });
});
