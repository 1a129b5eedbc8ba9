import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // SWC, not esbuild: Nest resolves constructor dependencies from emitted decorator metadata.
  plugins: [swc.vite({ module: { type: 'es6' } })],
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
