// Types of broker-process.mjs (plain JavaScript so that scripts run without a build).
export declare const HOST: '127.0.0.1';

export declare class BrokerBinaryMissingError extends Error {
  constructor(bin: string, pkg: string);
}

export interface BrokerSpec {
  bin: string;
  pkg: string;
  args(port: number, monitorPort: number | undefined): string[];
}

export declare const REDIS: BrokerSpec;
export declare const NATS: BrokerSpec;

export declare function findBinary(bin: string, pkg: string): string;
export declare function freePort(): Promise<number>;
export declare function canConnect(port: number, host?: string): Promise<boolean>;

export declare class BrokerProcess {
  readonly spec: BrokerSpec;
  readonly port: number;
  readonly monitorPort: number | undefined;
  readonly path: string;
  static start(spec: BrokerSpec, options?: { port?: number; withMonitor?: boolean }): Promise<BrokerProcess>;
  readonly pid: number | undefined;
  readonly running: boolean;
  stop(): Promise<void>;
  kill(): Promise<void>;
  restart(): Promise<void>;
  launch(): Promise<void>;
}
