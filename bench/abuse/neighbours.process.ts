// The neighbours as a process of their own (the attacker's parsing must not delay them):
// `node neighbours.process.js <port> <count> <deadlineMs>` prints `ready` once connected, and its JSON
// report when stdin says `stop` (or at the deadline).
import { createInterface } from 'node:readline';
import { NeighbourProbe } from './neighbours.js';

const [port, count, deadlineMs] = process.argv.slice(2).map(Number);
const probe = new NeighbourProbe(count!);
const finish = (): void => {
  process.stdout.write(`${JSON.stringify(probe.stop())}\n`);
  process.exit(0);
};
setTimeout(finish, deadlineMs!).unref();
await probe.start(`ws://127.0.0.1:${port}/echo`);
process.stdout.write('ready\n');
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'stop') finish();
});
