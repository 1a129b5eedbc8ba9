// The system programs the tests use, where they are looked for, and what to install when one is
// missing. One place for `scripts/provision.mjs` (npm `pretest`) and the tests that start them, so
// both say the same thing. Plain JavaScript so scripts run without a build; types in the .d.mts.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Debian installs some servers (nats-server) in /usr/sbin, which a non-root PATH often lacks. */
export const DEFAULT_SBIN_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

export const TOOLS = [
  {
    id: 'chromium',
    names: ['chromium', 'chromium-browser'],
    defaultPath: '/usr/bin/chromium',
    env: 'CHROMIUM_PATH',
    debian: 'chromium',
    brew: 'brew install --cask chromium',
    usedBy: 'test/browser (Chromium through playwright-core)',
  },
  {
    id: 'redis-server',
    names: ['redis-server'],
    debian: 'redis-server',
    brew: 'brew install redis',
    usedBy: 'the scale-out tests on a real Redis',
  },
  {
    id: 'nats-server',
    names: ['nats-server'],
    debian: 'nats-server',
    brew: 'brew install nats-server',
    usedBy: 'the scale-out tests on a real NATS',
  },
];

export function toolById(id) {
  const tool = TOOLS.find((t) => t.id === id);
  if (tool === undefined) throw new Error(`unknown tool ${id}`);
  return tool;
}

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where to look besides PATH: `NEFFOS_SBIN_DIRS` (PATH-style list) or the sbin folders. */
export function sbinDirs(env = process.env) {
  return env.NEFFOS_SBIN_DIRS !== undefined ? env.NEFFOS_SBIN_DIRS.split(delimiter).filter(Boolean) : DEFAULT_SBIN_DIRS;
}

/**
 * The executable for `tool`, or `undefined`. Its env variable (e.g. CHROMIUM_PATH), when set, is the
 * only place looked at; otherwise its default path, then PATH, then the sbin folders.
 */
export function findTool(tool, env = process.env) {
  const override = tool.env === undefined ? undefined : env[tool.env];
  if (override !== undefined && override !== '') return isExecutable(override) ? override : undefined;
  if (tool.defaultPath !== undefined && isExecutable(tool.defaultPath)) return tool.defaultPath;
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...sbinDirs(env)];
  for (const dir of dirs) {
    for (const name of tool.names) {
      const candidate = join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/** What is missing, who needs it, and how to install it on Debian/Ubuntu, macOS, or elsewhere. */
export function missingToolsMessage(tools, env = process.env) {
  const lines = [`missing ${tools.map((t) => t.id).join(', ')}:`];
  for (const t of tools) {
    const override = t.env === undefined ? undefined : env[t.env];
    const where = override !== undefined && override !== '' ? `${t.env}=${override} is not an executable file` : `not found on PATH or in ${sbinDirs(env).join(', ')}`;
    lines.push(`  ${t.id}: ${where}; used by ${t.usedBy}`);
  }
  const brewCasks = tools.filter((t) => t.brew.includes('--cask')).map((t) => t.brew);
  const brewFormulae = tools.filter((t) => !t.brew.includes('--cask')).map((t) => t.brew.replace('brew install ', ''));
  const brew = [...(brewFormulae.length > 0 ? [`brew install ${brewFormulae.join(' ')}`] : []), ...brewCasks].join(' && ');
  lines.push(
    'Install them:',
    `  Debian/Ubuntu:    sudo apt-get update && sudo apt-get install -y --no-install-recommends ${tools.map((t) => t.debian).join(' ')}`,
    `  macOS (Homebrew): ${brew}`,
    `  elsewhere:        your system's packages of ${tools.map((t) => t.id).join(', ')}, on PATH (or in /usr/sbin)`,
  );
  const withEnv = tools.filter((t) => t.env !== undefined);
  if (withEnv.length > 0) lines.push(`  or point ${withEnv.map((t) => t.env).join(', ')} at an installed binary.`);
  return lines.join('\n');
}

export class MissingToolError extends Error {
  name = 'MissingToolError';
  constructor(tool, env = process.env) {
    super(missingToolsMessage([tool], env));
    this.tool = tool.id;
  }
}

/** The executable of the tool `id`; throws `MissingToolError` (with the install line) if there is none. */
export function requireTool(id, env = process.env) {
  const tool = toolById(id);
  const path = findTool(tool, env);
  if (path === undefined) throw new MissingToolError(tool, env);
  return path;
}
