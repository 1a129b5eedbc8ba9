// The documents in docs/ are what the code cites: every "docs/protocol.md §x.y" must name a section that
// exists, every "transcript Part X §n" a captured scene of its Appendix A, every "docs/….md" a file of
// the repository; and no file may point outside the repository (a clone has nothing there).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const SKIP = new Set(['node_modules', 'dist', '.git', 'test-artifacts']);
const TEXT = /\.(ts|mts|mjs|js|json|md|html|css|yml|yaml)$/;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name)) return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return files(path);
    return TEXT.test(e.name) ? [path] : [];
  });
}

const all = files(ROOT).map((path) => ({ path, name: relative(ROOT, path), text: readFileSync(path, 'utf8') }));
const code = all.filter((f) => !f.name.startsWith('docs/') && !f.name.endsWith('.md'));
const protocol = readFileSync(join(ROOT, 'docs/protocol.md'), 'utf8');

/** Section numbers of docs/protocol.md: its headings, and the numbered items of §10 as "10.n". */
function protocolSections(): Set<string> {
  const sections = new Set<string>();
  let inTen = false;
  for (const line of protocol.split('\n')) {
    const heading = /^#{2,4} (\d+(?:\.\d+)*)\.? /.exec(line);
    if (heading !== null) {
      sections.add(heading[1]!);
      inTen = heading[1] === '10';
      continue;
    }
    if (line.startsWith('## ')) inTen = false;
    const item = /^(\d+)\. /.exec(line);
    if (inTen && item !== null) sections.add(`10.${item[1]}`);
  }
  return sections;
}

/** Scenes of Appendix A: "A §n" for row n of the Part A table, and "C" / "E" for the parts themselves. */
function capturedScenes(): Set<string> {
  const scenes = new Set<string>();
  const appendix = protocol.slice(protocol.indexOf('## Appendix A'));
  let part = '';
  for (const line of appendix.split('\n')) {
    const heading = /^### Part ([A-E]) /.exec(line);
    if (heading !== null) {
      part = heading[1]!;
      scenes.add(part);
      continue;
    }
    const row = /^\| (\d+) \|/.exec(line);
    if (row !== null && part !== '') scenes.add(`${part} §${row[1]}`);
  }
  return scenes;
}

describe('docs/', () => {
  it('every "§" reference in code resolves in docs/protocol.md (sections, §10 items, Appendix A scenes)', () => {
    const sections = protocolSections();
    const scenes = capturedScenes();
    const unresolved: string[] = [];
    for (const f of code) {
      for (const m of f.text.matchAll(/(Part ([A-E]) )?§(\d+(?:\.\d+)*)/g)) {
        const ok = m[1] !== undefined ? scenes.has(`${m[2]} §${m[3]}`) : sections.has(m[3]!);
        if (!ok) unresolved.push(`${f.name}: ${m[0]}`);
      }
      for (const m of f.text.matchAll(/transcript Part ([A-E])(?! §)/g)) {
        if (!scenes.has(m[1]!)) unresolved.push(`${f.name}: ${m[0]}`);
      }
    }
    expect(sections.size).toBeGreaterThan(50);
    expect([...scenes].filter((s) => s.startsWith('A ')), 'the 20 scenes of Part A').toHaveLength(20);
    expect(unresolved).toEqual([]);
  });

  it('a file citing protocol sections names docs/protocol.md, and no reference says just "spec"', () => {
    const unnamed = code
      .filter((f) => /(?<!Part [A-E] )§\d/.test(f.text) && !f.text.includes('docs/protocol.md'))
      .map((f) => f.name);
    const spec = new RegExp(String.raw`\bspec ` + '\u00a7'); // built, so this file does not match itself
    const bare = code.filter((f) => spec.test(f.text)).map((f) => f.name);
    expect(unnamed).toEqual([]);
    expect(bare).toEqual([]);
  });

  it('every docs/….md that a file mentions exists', () => {
    const missing = all.flatMap((f) =>
      [...f.text.matchAll(/\bdocs\/([\w.-]+\.md)\b/g)].filter((m) => !existsSync(join(ROOT, 'docs', m[1]!))).map((m) => `${f.name}: ${m[0]}`),
    );
    expect(missing).toEqual([]);
  });

  it('every repository path the documents name exists (so a rename updates docs/architecture.md too)', () => {
    const missing = all
      .filter((f) => f.name.startsWith('docs/') || f.name === 'README.md')
      .flatMap((f) =>
        [...f.text.matchAll(/`((?:lib|test|bench|sample|scripts)\/[\w./-]*[\w/])`/g)]
          .filter((m) => !existsSync(join(ROOT, m[1]!)))
          .map((m) => `${f.name}: ${m[1]}`),
      );
    expect(missing).toEqual([]);
  });

  it('no file points outside the repository', () => {
    // Joined from pieces so that this file does not match itself.
    const outside = [['', 'work', ''], ['..', 'shared', ''], ['shared', 'docs', ''], ['shared', 'DESIGN']].map((p) => p.join('/'));
    const offenders = all.filter((f) => outside.some((p) => f.text.includes(p))).map((f) => f.name);
    expect(offenders).toEqual([]);
  });
});
