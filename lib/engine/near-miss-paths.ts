// Why a client gets 404: an upgrade to `/ws/` or `/WS` when the engine serves `/ws` is refused like any
// path that is not ours (paths match exactly, as in Go), and without a word the client's author cannot
// tell why. Such near misses are logged once per requested path; unrelated paths stay silent (they
// belong to the app), and so does a repeated one: a client that retries must not flood the log.
import { NEAR_MISS_PATH } from './engine.messages.js';
import type { NeffosLogger } from './stack-exchange.js';

/** Distinct near-miss paths remembered (and logged) per engine; past it, further ones are not logged. */
export const NEAR_MISS_PATHS_LOGGED = 100;

/** The path with one trailing slash dropped (not the root's), lower-cased. */
function loosely(path: string): string {
  return (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path).toLowerCase();
}

/** Whether `requested` differs from `served` only by a trailing slash or the case of its letters. */
export function isNearMiss(requested: string, served: string): boolean {
  return requested !== served && loosely(requested) === loosely(served);
}

export class NearMissPaths {
  /** Near misses already logged; never more than NEAR_MISS_PATHS_LOGGED, each at most one longer than the served path. */
  private readonly logged = new Set<string>();

  constructor(
    private readonly served: string,
    private readonly logger: NeffosLogger,
  ) {}

  /** An upgrade to `requested` was refused with 404: say why, if it looks meant for us. */
  refused(requested: string): void {
    if (this.logged.size >= NEAR_MISS_PATHS_LOGGED || this.logged.has(requested) || !isNearMiss(requested, this.served)) return;
    this.logged.add(requested);
    this.logger.warn(NEAR_MISS_PATH(requested, this.served));
  }
}
