// Subpath `nestjs-neffos/platform-ws`: kept apart so that only apps using @nestjs/platform-ws need it.
export { NeffosWsAdapter } from './nest/neffos-ws.adapter.js';
