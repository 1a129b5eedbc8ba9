import { existsSync } from 'node:fs';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

/** The Debian `chromium` package's binary, installed by `scripts/provision.mjs` (npm `pretest`). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless, sandbox-free (we run as root in CI), and quiet: no background traffic off the machine. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches the system Chromium through playwright-core. Playwright gives every `browser.newContext()`
 * a fresh, temporary profile, so no user-data-dir is needed. Close the returned browser in `afterAll`.
 */
export async function launchChromium(options: Pick<LaunchOptions, 'timeout'> & { args?: string[] } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} not found: run \`node scripts/provision.mjs\` (installs the Debian package chromium)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
    timeout: options.timeout ?? 30_000,
  });
}
