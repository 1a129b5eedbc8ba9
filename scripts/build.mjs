// Compiles lib/, sample/ and bench/ to dist/ with SWC (decorator metadata on, ESM out) and copies
// non-TypeScript assets (the sample's static page). Type checking is `npm run typecheck`, kept apart
// so that `npm start` stays fast on a fresh clone.
import { transformFile } from '@swc/core';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
const sources = ['lib', 'sample', 'bench'];

const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: true,
};

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

await rm(out, { recursive: true, force: true });
for (const src of sources) {
  if (!existsSync(join(root, src))) continue; // a packaging test builds a copy that has only lib/
  for await (const file of walk(join(root, src))) {
    const rel = relative(root, file);
    if (file.endsWith('.spec.ts') || rel.includes('/fixtures/')) continue;
    const target = join(out, rel.replace(/\.ts$/, '.js'));
    await mkdir(dirname(target), { recursive: true });
    if (file.endsWith('.ts')) {
      const { code, map } = await transformFile(file, { ...swcOptions, sourceFileName: relative(dirname(target), file) });
      await writeFile(target, `${code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
      if (map) await writeFile(`${target}.map`, map);
    } else {
      await cp(file, target);
    }
  }
}
