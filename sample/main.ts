// `npm start`: builds, then runs this. PORT (default 3000) and HOST (default: all interfaces) pick where to listen.
import type { AddressInfo } from 'node:net';
import { createApp } from './bootstrap.js';

const app = await createApp();
app.enableShutdownHooks();
const port = Number(process.env.PORT ?? 3000);
if (process.env.HOST) await app.listen(port, process.env.HOST);
else await app.listen(port);
const { port: actual } = app.getHttpServer().address() as AddressInfo;
console.log(`Chat sample listening on http://localhost:${actual}`);
