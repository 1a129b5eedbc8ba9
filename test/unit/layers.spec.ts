// The layers point one way (docs/design.md): nest → engine → protocol; exchange plugs into the engine
// through its interfaces; the test kit speaks the protocol. The protocol codec has no I/O, and nothing
// outside lib/nest loads Nest, so the engine entry works in apps without it.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
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

/** Relative imports that load a module at run time (not `import type` / `export type`), resolved to files. */
function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)(\s+type)?\b[^'"]*?from\s+'(\.[^']+)'/gm)]
    .filter((m) => m[1] === undefined)
    .map((m) => join(dirname(file), m[2]!.replace(/\.js$/, '.ts')));
}

/** Every file reachable from `start` over the edges of `graph` (start included). */
function reachable(graph: ReadonlyMap<string, readonly string[]>, start: string): Set<string> {
  const seen = new Set<string>([start]);
  const todo = [start];
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    for (const next of graph.get(file) ?? []) if (!seen.has(next)) seen.add(next), todo.push(next);
  }
  return seen;
}

/**
 * Value imports of a target from a file that the target itself loads (at run time): imports "back
 * toward" it, which close a cycle and must be `import type`.
 */
function importsBackToward(graph: ReadonlyMap<string, readonly string[]>, targets: readonly string[]): string[] {
  return targets.flatMap((target) => {
    const below = reachable(graph, target);
    return [...graph]
      .filter(([file, deps]) => below.has(file) && deps.includes(target))
      .map(([file]) => `${relative(LIB, file)} imports ${relative(LIB, target)}`);
  });
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

  it('the engine entry (lib/engine.ts) needs no Nest', () => {
    const bad = violations([join(LIB, 'engine.ts')], (s) => s.startsWith('@nestjs') || s.startsWith('./nest/'));
    expect(bad).toEqual([]);
  });

  it('lib/exchange plugs into the engine through its interfaces: no Nest, and of lib only the exchange contract, the engine errors, the deadline queue (a leaf) and the protocol', () => {
    const allowed = new Set(['../engine/stack-exchange.js', '../engine/engine.errors.js', '../engine/deadline-queue.js', '../protocol/index.js']);
    const bad = violations(sources(join(LIB, 'exchange')), (s) => s.startsWith('@nestjs') || (s.startsWith('../') && !allowed.has(s)));
    expect(bad).toEqual([]);
  });

  it('lib/testing loads no Nest when imported (createTestingApp imports @nestjs/testing when called) and of lib only the protocol', () => {
    const bad = sources(join(LIB, 'testing')).flatMap((f) => {
      const text = readFileSync(f, 'utf8');
      const nestValues = [...text.matchAll(/^\s*(?:import|export)(\s+type)?\b[^'"]*?from\s+'(@nestjs\/[^']+)'/gm)].filter((m) => m[1] === undefined).map((m) => m[2]!);
      const lib = imports(f).filter((spec) => spec.startsWith('../') && !spec.startsWith('../protocol/'));
      return [...nestValues, ...lib].map((spec) => `${relative(LIB, f)} imports ${spec}`);
    });
    expect(bad).toEqual([]);
  });

  describe('inside lib/engine, an import back toward conn or namespace-conn is `import type`', () => {
    const engine = join(LIB, 'engine');
    const targets = [join(engine, 'conn.ts'), join(engine, 'namespace-conn.ts')];

    it('holds for the engine', () => {
      const graph = new Map(sources(engine).map((f) => [f, valueImports(f)] as const));
      expect(importsBackToward(graph, targets)).toEqual([]);
    });

    it('the check finds such an import (a router that conn loads importing Conn as a value)', () => {
      const router = join(engine, 'message.router.ts');
      const graph = new Map<string, string[]>([
        [targets[0]!, [router]],
        [router, [targets[0]!]],
        [targets[1]!, []],
      ]);
      expect(importsBackToward(graph, targets)).toEqual(['engine/message.router.ts imports engine/conn.ts']);
    });
  });
});
