// `pretest`: makes sure the system programs the tests use are there (scripts/system-binaries.mjs says
// which, and where it looks: PATH, /usr/sbin, /usr/local/sbin, and CHROMIUM_PATH for Chromium).
// Everything present: one line, a few stat calls, any user. Something missing: as root with apt-get
// (CI, a fresh Debian box) it installs the Debian packages; otherwise it prints what to install on
// Debian, macOS and elsewhere and lets the suite run: the tests that need a missing program fail with
// that same message, the others pass.
import { spawnSync } from 'node:child_process';
import { findTool, missingToolsMessage, TOOLS } from './system-binaries.mjs';

const missing = TOOLS.filter((t) => findTool(t) === undefined);
if (missing.length === 0) {
  console.log(`provision: ok (${TOOLS.map((t) => `${t.id} ${findTool(t)}`).join(', ')})`);
  process.exit(0);
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const aptGet = findTool({ id: 'apt-get', names: ['apt-get'] });
// An explicit CHROMIUM_PATH that points nowhere is a typo to fix, not a package to install.
const overridden = missing.filter((t) => t.env !== undefined && (process.env[t.env] ?? '') !== '');
if (!isRoot || aptGet === undefined || overridden.length > 0) {
  const why = overridden.length > 0 ? `${overridden.map((t) => t.env).join(', ')} set` : aptGet === undefined ? 'no apt-get here' : 'not root, so not installing';
  console.warn(`provision: ${missingToolsMessage(missing)}\nprovision: (${why}) the tests that need them will fail with this message; the others run.`);
  process.exit(0);
}

const pkgs = [...new Set(missing.map((t) => t.debian))];
console.log(`provision: installing ${pkgs.join(' ')} (missing ${missing.map((t) => t.id).join(', ')})`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...pkgs]]) {
  console.log(`provision: apt-get ${args.join(' ')}`);
  const res = spawnSync(aptGet, args, { stdio: 'inherit', env });
  if (res.error || res.status !== 0) {
    console.error(`provision: apt-get ${args[0]} failed (${res.error?.message ?? `exit ${res.status}`})`);
    process.exit(1);
  }
}
const stillMissing = TOOLS.filter((t) => findTool(t) === undefined);
if (stillMissing.length > 0) {
  console.error(`provision: still ${missingToolsMessage(stillMissing)}`);
  process.exit(1);
}
console.log(`provision: ok (installed ${pkgs.join(', ')})`);
