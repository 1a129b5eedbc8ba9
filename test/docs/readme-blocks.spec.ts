// Every TypeScript block of README.md compiles against the built package, so the docs cannot rot.
// Convention (readme-blocks.ts has the details):
//   - ```ts blocks are ESM files of a strict project with decorators; `nestjs-neffos` is the built
//     package (its dist/lib declarations), other packages are the repository's devDependencies;
//   - a first line `// name.ts` names the file, so blocks import each other (`./chat.controller.js`);
//   - a block without imports gets test/docs/readme-prelude.ts in front; one with imports stands alone;
//   - a block naming `sample/…` compiles beside a copy of the sample, with that file's imports;
//   - `<!-- readme-check: skip: <why> -->` on the line before a block opts it out (reason required).
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, stagePackage } from '../packaging/scratch-app.js';
import { extractBlocks, formatErrors, typeCheck, writeProject } from './readme-blocks.js';

const README = readFileSync(join(REPO, 'README.md'), 'utf8');

let work: string;
let stage: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'nestjs-neffos-readme-'));
  stage = await stagePackage(work);
}, 240_000);

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('README.md', () => {
  it('every ```ts block type-checks against the built package (strict, experimentalDecorators, emitDecoratorMetadata)', async () => {
    const blocks = extractBlocks(README);
    const checked = blocks.filter((b) => b.skip === undefined);
    // A README without its examples (or a fence regex that finds none) is not a pass.
    expect(checked.length).toBeGreaterThanOrEqual(10);
    const dir = await writeProject(work, 'readme', stage, blocks);
    const { errors, files } = await typeCheck(dir, blocks);
    expect(formatErrors(errors), 'README blocks that do not compile').toBe('');
    // Compiled against the declarations of the built package, never against lib/'s sources.
    expect(files).toContain(join(stage, 'dist/lib/index.d.ts'));
    expect(files.filter((f) => f.startsWith(join(REPO, 'lib')) || f.startsWith(join(stage, 'lib')))).toEqual([]);
  }, 240_000);

  it('opts a block out only with a reason', () => {
    for (const block of extractBlocks(README).filter((b) => b.skip !== undefined)) expect(block.skip!.length).toBeGreaterThanOrEqual(10);
    expect(() => extractBlocks('<!-- readme-check: skip -->\n```ts\nx\n```\n')).toThrow('needs a reason');
  });

  it('refuses two blocks that name the same file', () => {
    expect(() => extractBlocks('```ts\n// a.ts\nexport {};\n```\n\n```ts\n// a.ts\nexport {};\n```\n')).toThrow('the block names a.ts, as the block at line 1 does');
  });
});

/** A document with three type errors, each on a line marked `// ✘`, and a skipped block that is not TypeScript. */
const BROKEN = `# Fixture

\`\`\`ts
// app.module.ts
import { Module } from '@nestjs/common';
import { NeffosModule } from 'nestjs-neffos';

@Module({ imports: [NeffosModule.forRoot({ path: 42 })] })  // ✘ path is a string
export class AppModule {}
\`\`\`

A fragment: no imports, so the prelude's names are in scope.

\`\`\`ts
const server = app.get(NeffosServer);
server.broadcast({ namespace: 'default', event: 'tick', body: 'now' });
server.brodcast({ namespace: 'default', event: 'tick', body: 'now' });  // ✘ misspelt
\`\`\`

\`\`\`typescript
// uses-module.ts
import { AppModule } from './app.module.js';

const module: typeof AppModule = AppModule;
const name: number = module.name;  // ✘ a string
\`\`\`

<!-- readme-check: skip: a sketch that is not TypeScript at all -->
\`\`\`ts
this block would not even parse
\`\`\`

\`\`\`js
neither is this one, but it is JavaScript and not checked
\`\`\`
`;

describe('the README check itself', () => {
  it('fails on a block with a type error and names its line in the document', async () => {
    const blocks = extractBlocks(BROKEN, 'BROKEN.md');
    expect(blocks.map((b) => [b.file, b.skip !== undefined])).toEqual([
      ['app.module.ts', false],
      ['readme-14.ts', false],
      ['uses-module.ts', false],
      ['readme-29.ts', true],
    ]);
    const dir = await writeProject(work, 'broken', stage, blocks);
    const { errors } = await typeCheck(dir, blocks, 'BROKEN.md');
    const marked = BROKEN.split('\n').flatMap((line, i) => (line.includes('// ✘') ? [`BROKEN.md:${i + 1}`] : []));
    expect(marked).toHaveLength(3);
    expect(errors.map((e) => e.where), formatErrors(errors)).toEqual(marked);
    expect(errors.map((e) => e.code)).toEqual(['TS2322', 'TS2551', 'TS2322']);
    expect(errors[1]!.text).toContain("Did you mean 'broadcast'?");
  }, 240_000);
});
