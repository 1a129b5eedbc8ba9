// Types of system-binaries.mjs (plain JavaScript so that scripts run without a build).
export interface Tool {
  id: 'chromium' | 'redis-server' | 'nats-server';
  names: string[];
  defaultPath?: string;
  env?: string;
  debian: string;
  brew: string;
  usedBy: string;
}

export declare const DEFAULT_SBIN_DIRS: string[];
export declare const TOOLS: Tool[];
export declare function toolById(id: Tool['id']): Tool;
export declare function sbinDirs(env?: NodeJS.ProcessEnv): string[];
export declare function findTool(tool: Tool, env?: NodeJS.ProcessEnv): string | undefined;
export declare function missingToolsMessage(tools: Tool[], env?: NodeJS.ProcessEnv): string;
export declare class MissingToolError extends Error {
  readonly tool: Tool['id'];
  constructor(tool: Tool, env?: NodeJS.ProcessEnv);
}
export declare function requireTool(id: Tool['id'], env?: NodeJS.ProcessEnv): string;
