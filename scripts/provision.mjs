// Makes sure the machine has the system binaries the tests need (run as `pretest`):
//   chromium      -> /usr/bin/chromium (Playwright browser tests, via playwright-core)
//   redis-server  -> redis-server on PATH (scale-out tests)
//   nats-server   -> nats-server on PATH (scale-out tests)
// Idempotent and fast when everything is present (a few stat calls, one line of output).
// When something is missing: as root with apt-get, installs the Debian packages; otherwise prints
// the exact command to run and exits non-zero.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** binary (absolute path or a name looked up on PATH) -> Debian package providing it */
const requirements = [
  { bin: '/usr/bin/chromium', pkg: 'chromium' },
  { bin: 'redis-server', pkg: 'redis-server' },
  { bin: 'nats-server', pkg: 'nats-server' },
];

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `command -v` equivalent: an absolute path is checked as is, a bare name is searched on PATH. */
function which(bin) {
  if (bin.includes('/')) return isExecutable(bin) ? bin : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, bin);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

const missing = requirements.filter((r) => !which(r.bin));
if (missing.length === 0) {
  console.log(`provision: ok (${requirements.map((r) => r.pkg).join(', ')} present)`);
  process.exit(0);
}

const pkgs = [...new Set(missing.map((r) => r.pkg))];
const installCmd = `apt-get install -y --no-install-recommends ${pkgs.join(' ')}`;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const aptGet = which('apt-get');

if (!isRoot || !aptGet) {
  const why = !aptGet ? 'apt-get is not available' : 'not running as root';
  console.error(
    `provision: missing ${missing.map((r) => r.bin).join(', ')} (${why}).\n` +
      `Install the Debian packages ${pkgs.join(', ')}, e.g.:\n` +
      `  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive ${installCmd}`,
  );
  process.exit(1);
}

console.log(`provision: installing ${pkgs.join(' ')} (missing ${missing.map((r) => r.bin).join(', ')})`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...pkgs]]) {
  console.log(`provision: apt-get ${args.join(' ')}`);
  const res = spawnSync(aptGet, args, { stdio: 'inherit', env });
  if (res.error || res.status !== 0) {
    console.error(`provision: apt-get ${args[0]} failed (${res.error?.message ?? `exit ${res.status}`})`);
    process.exit(1);
  }
}

const stillMissing = requirements.filter((r) => !which(r.bin));
if (stillMissing.length > 0) {
  console.error(`provision: still missing after install: ${stillMissing.map((r) => r.bin).join(', ')}`);
  process.exit(1);
}
console.log(`provision: ok (installed ${pkgs.join(', ')})`);
