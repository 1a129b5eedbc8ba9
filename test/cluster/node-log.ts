// A node's operational log lines (NeffosLogger), kept so tests can wait for "broker unreachable",
// "node … joined" and "dropped a … bus message" instead of sleeping.
import type { NeffosLogger } from '../../lib/engine/stack-exchange.js';
import { DEFAULT_WAIT_MS, EventLog } from '../utils/wait.js';

export class NodeLog {
  readonly lines = new EventLog<string>();

  readonly logger: NeffosLogger = {
    log: (m) => this.lines.push(`log ${m}`),
    warn: (m) => this.lines.push(`warn ${m}`),
    error: (m) => this.lines.push(`error ${m}`),
  };

  /** The first line matching `pattern` logged since `from` (an index into the lines). */
  async waitFor(pattern: RegExp, what: string, ms = DEFAULT_WAIT_MS, from = 0): Promise<string> {
    const found = await this.lines.waitFor((line) => pattern.test(line) && this.lines.entries.indexOf(line, from) >= from, what, ms);
    return found;
  }

  get size(): number {
    return this.lines.entries.length;
  }
}
