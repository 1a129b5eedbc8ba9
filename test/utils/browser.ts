import { chromium, type Browser, type LaunchOptions } from 'playwright-core';
import { requireTool } from '../../scripts/system-binaries.mjs';

/**
 * The Chromium to launch: `CHROMIUM_PATH` if set, else Debian's `/usr/bin/chromium` (installed by
 * `scripts/provision.mjs`, npm `pretest`), else `chromium` on PATH. Throws the install instructions
 * when there is none, so a browser test fails with them instead of hanging.
 */
export function chromiumPath(): string {
  return requireTool('chromium');
}

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
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
    timeout: options.timeout ?? 30_000,
  });
}
