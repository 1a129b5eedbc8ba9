// A node's heartbeat ticks as the in-memory bus carries them: each tick publishes one heartbeat, then
// checks expiry, so tests bound an expiry in ticks rather than on the clock (a loaded machine makes
// ticks late, never more of them).
import { decodeClusterMessage } from '../../lib/exchange/cluster-message.codec.js';
import { type MemoryBus, MemoryTransport } from '../../lib/exchange/memory.transport.js';

export interface HeartbeatTicks {
  /** Heartbeats of the node heard so far. */
  readonly count: number;
  close(): Promise<void>;
}

export async function heartbeatTicks(bus: MemoryBus, channel: string, nodeId: string): Promise<HeartbeatTicks> {
  let count = 0;
  const observer = new MemoryTransport(bus);
  await observer.subscribe(channel, (payload) => {
    const decoded = decodeClusterMessage(payload);
    if (decoded.ok && decoded.msg.t === 'hb' && decoded.msg.n === nodeId) count++;
  });
  return {
    get count() {
      return count;
    },
    close: () => observer.close(),
  };
}
