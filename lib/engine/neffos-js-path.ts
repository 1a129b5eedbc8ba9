// Where the browser build of neffos.js is, for `serveClient`. A module of its own, imported only when
// the client is first served: `import.meta` is syntax of ES modules alone, and a test runner that
// transforms this package to CommonJS (Jest with ts-jest, the setup of many Nest 11 apps) cannot parse
// a module that holds it, so every app importing nestjs-neffos failed to load under it.
import { createRequire } from 'node:module';

export function neffosJsPath(): string {
  // neffos.js has no `exports` map: its `main` is the browser build, dist/neffos.js (an ES module).
  return createRequire(import.meta.url).resolve('neffos.js');
}
