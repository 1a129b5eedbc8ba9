// `npm run docs`: the API reference of every public entry (typedoc.json) as HTML in dist/api, from the
// JSDoc. TypeDoc 0.28 runs on TypeScript's JS API (5.0–6.0) and the repository compiles with TypeScript
// 7, which has none, and npm refuses a devDependency whose TypeScript peer conflicts with the root's; so
// TypeDoc and its TypeScript 6 live in this folder's own package, installed here on first use.
// Extra arguments go to TypeDoc (`npm run docs -- --out /tmp/api`). Warnings are errors (typedoc.json).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const typedoc = join(here, 'node_modules/typedoc/bin/typedoc');

function run(command, args, cwd) {
  const { status, error } = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (error !== undefined) throw error;
  if (status !== 0) process.exit(status ?? 1);
}

if (!existsSync(typedoc)) {
  console.log('Installing TypeDoc and its TypeScript into scripts/api-docs (once) …');
  run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error', '--prefer-offline'], here);
}
run(process.execPath, [typedoc, '--options', join(root, 'typedoc.json'), ...process.argv.slice(2)], root);
