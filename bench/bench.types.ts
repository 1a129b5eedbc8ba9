/** Shapes exchanged between the orchestrator, the load generator and the server processes. */

/** How the load generator talks to a server. */
export type ClientProtocol =
  /** neffos frames: `M` → `A<id>`, namespace connect, then asks `$<n>;default;;echo;0;0;<payload>`. */
  | 'neffos'
  /** `@nestjs/platform-ws` JSON: `{"event":"echo","data":...}` both ways, replies matched in order. */
  | 'nest-json';

/** What a server reports on `GET /__stats` (add `?gc=1` to collect garbage first; needs `--expose-gc`). */
export interface ServerStats {
  /** `process.cpuUsage()`, microseconds since the server started (all threads). */
  cpuUserUs: number;
  cpuSystemUs: number;
  rss: number;
  heapUsed: number;
  /** server-side monotonic clock, nanoseconds, as a decimal string */
  hrtimeNs: string;
}

interface GeneratorBase {
  url: string;
  statsUrl: string;
  protocol: ClientProtocol;
}

/** Round-trip load: `connections` sockets, `depth` asks outstanding on each. */
export interface LoadConfig extends GeneratorBase {
  mode: 'load';
  connections: number;
  depth: number;
  payloadBytes: number;
  warmupMs: number;
  durationMs: number;
}

/** Idle memory: open `connections` handshaken sockets and compare server RSS before and after. */
export interface IdleConfig extends GeneratorBase {
  mode: 'idle';
  connections: number;
}

export type GeneratorConfig = LoadConfig | IdleConfig;

export interface LoadResult {
  mode: 'load';
  roundTrips: number;
  /** client-side measured window, seconds */
  seconds: number;
  roundTripsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** replies that were error frames or did not match an outstanding request */
  errors: number;
  /** generator CPU time over the window, microseconds */
  generatorCpuUs: number;
  /** busy CPU time of the whole machine over the window (all cores, /proc/stat, 10 ms ticks), if known */
  machineBusyUs?: number;
  serverBefore: ServerStats;
  serverAfter: ServerStats;
}

export interface IdleResult {
  mode: 'idle';
  connections: number;
  serverBefore: ServerStats;
  serverAfter: ServerStats;
}

export type GeneratorResult = LoadResult | IdleResult;
