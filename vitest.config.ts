import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const lib = fileURLToPath(new URL('./lib/', import.meta.url));

export default defineConfig({
  // SWC, not esbuild: Nest resolves constructor dependencies from emitted decorator metadata.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  // `nestjs-neffos` and its subpaths resolve to the sources (tsconfig.json `paths` says the same), so
  // the sample and the tests import the package by name without a build and without a second copy.
  resolve: {
    alias: [
      { find: /^nestjs-neffos$/, replacement: `${lib}index.ts` },
      { find: /^nestjs-neffos\/([\w-]+)$/, replacement: `${lib}$1.ts` },
    ],
  },
  test: {
    include: ['lib/**/*.spec.ts', 'test/**/*.spec.ts', 'test/**/*.e2e-spec.ts'],
    reporters: ['default', './test/utils/summary.reporter.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Two cores on CI: run files in parallel but not more than the machine has.
    maxWorkers: 2,
    minWorkers: 1,
    // The scope tests check, with a WeakRef and gc(), that per-connection controllers are released.
    poolOptions: { forks: { execArgv: ['--expose-gc'] } },
  },
});
