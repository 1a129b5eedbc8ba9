// The names a package entry declares, read from its emitted `.d.ts` files: follows `export *` and
// `export { … } from`, and collects `export declare class|function|const|enum`, interfaces and types.
// Enough for what tsc emits for lib/ (one declaration per statement); anything it cannot read is an
// error, so the public-API check cannot pass by missing a name.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const DECLARATION = /^export\s+(?:declare\s+)?(?:abstract\s+)?(class|function|const|let|var|enum|interface|type|namespace)\s+([A-Za-z_$][\w$]*)/;

/** Every name the `.d.ts` file at `path` exports, following re-exports. */
export function declaredExports(path: string, seen = new Set<string>()): Set<string> {
  const names = new Set<string>();
  if (seen.has(path)) return names;
  seen.add(path);
  const text = readFileSync(path, 'utf8');
  // Statements end with `;` at the end of a line; multi-line `export { … }` lists are joined first.
  const statements = text.replace(/\{[^{}]*\}/gs, (block) => block.replace(/\s*\n\s*/g, ' ')).split('\n');
  for (const line of statements) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('export')) continue;
    const star = /^export \* from ['"](.+)['"];$/.exec(trimmed);
    if (star) {
      for (const n of declaredExports(target(path, star[1]!), seen)) names.add(n);
      continue;
    }
    const list = /^export (?:type )?\{([^}]*)\}(?: from ['"](.+)['"])?;$/.exec(trimmed);
    if (list) {
      for (const item of list[1]!.split(',').map((s) => s.trim()).filter(Boolean)) {
        const parts = item.replace(/^type\s+/, '').split(/\s+as\s+/);
        names.add((parts[1] ?? parts[0])!);
      }
      continue;
    }
    const decl = DECLARATION.exec(trimmed);
    if (decl) {
      if (decl[1] === 'const' && /^export\s+declare\s+const\s+\{/.test(trimmed)) throw new Error(`cannot read destructured export in ${path}: ${trimmed}`);
      names.add(decl[2]!);
      continue;
    }
    if (/^export \{\};?$/.test(trimmed) || /^export default /.test(trimmed)) continue;
    throw new Error(`cannot read export statement in ${path}: ${trimmed.slice(0, 120)}`);
  }
  return names;
}

function target(from: string, spec: string): string {
  return resolve(dirname(from), spec.replace(/\.js$/, '.d.ts'));
}
