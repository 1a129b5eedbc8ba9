// Extracts the TypeScript blocks of a Markdown document and type-checks them, as a user's project would
// compile them, against the built package (see readme-blocks.spec.ts for the convention in short).
//
// - Every ```ts / ```typescript block is compiled: ESM, `module: nodenext`, `strict`,
//   `experimentalDecorators`, `emitDecoratorMetadata`, types of Node and of Vitest's globals (for test
//   examples), `nestjs-neffos` installed in node_modules as the built package (dist/lib .d.ts).
// - A block whose first line is a comment naming a file (`// chat.controller.ts`, `// app.module.ts:
//   …`) is written as that file, so other blocks import it (`./chat.controller.js`); any other block is
//   `readme-<line>.ts`. Two blocks may not name the same file.
// - A block with no `import` line is a fragment and gets readme-prelude.ts in front of it; a block with
//   imports is compiled as it is, so it must import all it uses.
// - A block naming a file under `sample/` is an excerpt of the sample app: it is compiled beside a copy
//   of sample/ (as `<name>.readme.ts`), after the import lines of the real file when it has none.
// - `<!-- readme-check: skip: <why> -->` on the line before a block leaves it out; the reason is required.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, posix, relative } from 'node:path';
import { REPO, REPO_TSC } from '../packaging/scratch-app.js';

export const PRELUDE_FILE = join(import.meta.dirname, 'readme-prelude.ts');
const SKIP = /^<!--\s*readme-check:\s*skip\b:?\s*(.*?)\s*-->$/;
const FENCE = /^```(\w*)\s*$/;
const NAMED = /^\/\/\s*([\w./-]+\.ts)\b/;
const IMPORT = /^\s*import\b/m;

export interface ReadmeBlock {
  /** 1-based line of the opening fence in the document. */
  fence: number;
  code: string;
  /** The file the block is written as, relative to the project's src/. */
  file: string;
  /** Why the block is not compiled; undefined for a checked block. */
  skip?: string;
  /** Lines put in front of the block (prelude or the sample file's imports). */
  head: string;
}

export interface BlockError {
  /** `README.md:<line>` style position of the error in the document. */
  where: string;
  code: string;
  text: string;
}

/** The ```ts / ```typescript blocks of `markdown`, with their file names and opt-outs. */
export function extractBlocks(markdown: string, docName = 'README.md'): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  const files = new Map<string, number>();
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (open === null) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`${docName}:${i + 1}: a code fence that is never closed`);
    const lang = open[1];
    const fence = i + 1;
    const code = lines.slice(i + 1, end).join('\n');
    i = end;
    if (lang !== 'ts' && lang !== 'typescript') continue;
    let before = fence - 2;
    while (before >= 0 && lines[before]!.trim() === '') before--;
    const skipMatch = before >= 0 ? SKIP.exec(lines[before]!.trim()) : null;
    if (skipMatch !== null && skipMatch[1]!.length < 10) {
      throw new Error(`${docName}:${before + 1}: "readme-check: skip" needs a reason (why this block cannot compile)`);
    }
    const named = NAMED.exec(code.split('\n')[0] ?? '')?.[1];
    const sample = named?.startsWith('sample/') === true;
    const file = named === undefined ? `readme-${fence}.ts` : sample ? named.replace(/\.ts$/, '.readme.ts') : posix.normalize(named);
    if (skipMatch === null) {
      const previous = files.get(file);
      if (previous !== undefined) throw new Error(`${docName}:${fence}: the block names ${file}, as the block at line ${previous} does`);
      files.set(file, fence);
    }
    let head = '';
    if (!IMPORT.test(code)) head = sample ? sampleImports(named!) : readFileSync(PRELUDE_FILE, 'utf8');
    blocks.push({ fence, code, file, head, ...(skipMatch !== null ? { skip: skipMatch[1]! } : {}) });
  }
  return blocks;
}

/** The import statements of a sample file (the excerpt in the README leaves them out). */
function sampleImports(samplePath: string): string {
  const path = join(REPO, samplePath);
  if (!existsSync(path)) throw new Error(`a README block names ${samplePath}, which does not exist`);
  const imports = readFileSync(path, 'utf8').match(/^import\b[\s\S]*?from\s+'[^']+';$/gm) ?? [];
  return `${imports.join('\n')}\n`;
}

/**
 * A project folder under `workDir` for the checked blocks, with `nestjs-neffos` in its node_modules
 * pointing at `stage` (the built package, see stagePackage) and every other package linked from the
 * repository's node_modules.
 */
export async function writeProject(workDir: string, name: string, stage: string, blocks: readonly ReadmeBlock[]): Promise<string> {
  const dir = join(workDir, name);
  const modules = join(dir, 'node_modules');
  await mkdir(modules, { recursive: true });
  for (const entry of await readdir(join(REPO, 'node_modules'))) {
    if (entry === 'nestjs-neffos' || entry.startsWith('.')) continue;
    await symlink(join(REPO, 'node_modules', entry), join(modules, entry));
  }
  await symlink(stage, join(modules, 'nestjs-neffos'), 'dir');
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: `readme-${name}`, private: true, type: 'module' }, null, 2));
  const compilerOptions = {
    target: 'ES2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    // Every block is a module of its own, even one without import or export.
    moduleDetection: 'force',
    skipLibCheck: true,
    noEmit: true,
    types: ['node', 'vitest/globals'],
  };
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }, null, 2));
  const checked = blocks.filter((b) => b.skip === undefined);
  if (checked.some((b) => b.file.startsWith('sample/'))) await cp(join(REPO, 'sample'), join(dir, 'src/sample'), { recursive: true, filter: (p) => !p.includes('/public') });
  for (const block of checked) {
    const path = join(dir, 'src', block.file);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, block.head + block.code + '\n');
  }
  return dir;
}

export interface CheckResult {
  errors: BlockError[];
  /** Every file the compiler read (`--listFiles`), to see what `nestjs-neffos` resolved to. */
  files: string[];
}

/** Runs the repository's `tsc` on a project made by writeProject; maps its errors to document lines. */
export async function typeCheck(dir: string, blocks: readonly ReadmeBlock[], docName = 'README.md'): Promise<CheckResult> {
  // tsc exits non-zero on type errors: read its output either way (run() would keep only the tail).
  const result = await new Promise<{ stdout: string }>((resolve, reject) => {
    execFile(REPO_TSC, ['-p', 'tsconfig.json', '--pretty', 'false', '--listFiles'], { cwd: dir, timeout: 180_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err !== null && err.killed) reject(new Error(`tsc did not finish within 180 s in ${dir}`));
      else if (err !== null && stdout.trim() === '') reject(new Error(`tsc failed in ${dir}: ${err.message}\n${stderr}`));
      else resolve({ stdout });
    });
  });
  const byFile = new Map(blocks.filter((b) => b.skip === undefined).map((b) => [b.file, b]));
  const errors: BlockError[] = [];
  const files: string[] = [];
  for (const line of result.stdout.split('\n')) {
    const m = /^(\S.*?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
    if (m === null) {
      if (line.startsWith('/')) files.push(line.trim());
      else if (/^\s+\S/.test(line) && errors.length > 0) errors.at(-1)!.text += `\n${line}`;
      continue;
    }
    const rel = relative(join(dir, 'src'), join(dir, m[1]!)).split('\\').join('/');
    const block = byFile.get(rel);
    const codeLine = Number(m[2]) - (block?.head.split('\n').length ?? 1) + 1;
    const where = block !== undefined && codeLine >= 1 ? `${docName}:${block.fence + codeLine}` : `${rel}:${m[2]} (${block !== undefined ? `the lines put before the block of ${docName}:${block.fence}` : 'not a block'})`;
    errors.push({ where, code: m[4]!, text: m[5]! });
  }
  if (errors.length === 0 && files.length === 0) throw new Error(`tsc printed neither errors nor files:\n${result.stdout}`);
  return { errors, files };
}

/** One line per error, for an assertion message. */
export function formatErrors(errors: readonly BlockError[]): string {
  return errors.map((e) => `${e.where}: error ${e.code}: ${e.text}`).join('\n');
}
