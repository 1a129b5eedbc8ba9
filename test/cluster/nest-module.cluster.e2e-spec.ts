// NeffosModule.forRoot({ exchange }): two Nest apps in this process over the in-memory bus. The
// injectable NeffosServer reaches a client of the other app (broadcast, to, ask, cluster.*), the app
// is ready only once its exchange has subscribed, and app.close() closes the exchange: the node says
// goodbye and leaves the bus.
import { describe, expect, it } from 'vitest';
import { ClusterExchange, MemoryBus, MemoryTransport, NeffosController, NeffosServer } from '../../lib/index.js';
import type { Message, NSConn } from '../../lib/index.js';
import { createNestApp, useNestApps } from '../utils/nest-app.js';
import { ChatClient } from './cluster-client.js';
import { HOP_MS } from './cluster.suite.js';
import { CHAT } from './fixtures/chat.events.js';
import { NodeLog } from './node-log.js';

@NeffosController(CHAT)
class ChatController {
  shout(msg: Message, conn: NSConn) {
    conn.broadcast('shout', msg.body);
  }
}

describe('NeffosModule.forRoot({ exchange }) across two Nest apps', () => {
  useNestApps();

  it('NeffosServer reaches a client held by the other app; app.close() takes the node off the bus', async () => {
    const bus = new MemoryBus();
    const logs = [new NodeLog(), new NodeLog()];
    const apps = [];
    for (const log of logs) {
      const exchange = new ClusterExchange(new MemoryTransport(bus), { prefix: 'nest', heartbeatInterval: 100 });
      apps.push(await createNestApp({ providers: [ChatController], neffos: { path: '/cluster', exchange, logger: log.logger } }));
    }
    const [a, b] = apps as [Awaited<ReturnType<typeof createNestApp>>, Awaited<ReturnType<typeof createNestApp>>];
    // Bootstrap awaited the exchange: both nodes are subscribed before the apps listen.
    expect(bus.subscriberCount('nest.all')).toBe(2);
    await Promise.all(logs.map((l, i) => l.waitFor(/1 peer\(s\)/, `app ${i} to know the other`, HOP_MS)));

    const onA = await ChatClient.open(a.url, 0);
    const onB = await ChatClient.open(b.url, 1);
    try {
      const serverA = a.app.get(NeffosServer);
      serverA.broadcast({ namespace: CHAT, event: 'news', body: 'from A' });
      await onB.waitFor('news', 'from A', HOP_MS);
      serverA.to(onB.id).emit({ namespace: CHAT, event: 'private', body: 'just you' });
      await onB.waitFor('private', 'just you', HOP_MS);
      expect((await serverA.ask(onB.id, { namespace: CHAT, event: 'q', body: 'hi' })).text()).toBe(`hi@${onB.id}`);
      expect((await serverA.cluster.members(CHAT)).sort()).toEqual([onA.id, onB.id].sort());
      expect(serverA.members(CHAT)).toEqual([onA.id]); // the local view stays local
      await serverA.cluster.joinRoom(onB.id, CHAT, 'nest-room');
      expect(await a.app.get(NeffosServer).cluster.rooms(CHAT)).toEqual(['nest-room']);
      onA.ns.emit('shout', 'hello B');
      await onB.waitFor('shout', 'hello B', HOP_MS);
    } finally {
      await onA.close();
      await onB.close();
    }

    const mark = logs[0]!.size;
    await b.close();
    expect(bus.subscriberCount('nest.all')).toBe(1);
    expect(bus.channelNames().sort()).toEqual(['nest.all', `nest.node.${(a.app.get(NeffosServer).engine.options.exchange as ClusterExchange).nodeId}`].sort());
    await logs[0]!.waitFor(/left; 0 peer\(s\)/, 'app A to see app B leave', HOP_MS, mark);
  });
});
