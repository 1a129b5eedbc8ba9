// Replays, byte for byte, what the Go neffos client sent to the Go server in the capture (transcript
// Part C, summarised in docs/protocol.md Appendix A), and checks that this engine answers with the same
// bytes the Go server did. The handlers mirror the capture's test server: echo replies, fail errors,
// chat and roomchat are broadcast to the others, v1 refuses connects without a token.
import { describe, expect, it } from 'vitest';
import { ClientError, type Message, type NSConn } from '../../lib/index.js';
import { useEngineHarness } from '../utils/engine-harness.js';
import { EventLog } from '../utils/wait.js';

function goServer(seqIds: string[]) {
  const log = new EventLog<string>();
  return {
    log,
    options: {
      path: '/echo',
      idGenerator: () => seqIds.shift() ?? 'conn?',
      onDisconnect: (c: { id: string }) => log.push(`disconnect ${c.id}`),
      namespaces: {
        default: {
          echo: (msg: Message) => msg.body,
          fail: () => {
            throw new ClientError('bad thing');
          },
          chat: (msg: Message, ns: NSConn) => void ns.broadcast('chat', msg.body),
          roomchat: (msg: Message, ns: NSConn) => void ns.broadcast('roomchat', msg.body, { room: msg.room }),
        },
        v1: {
          _OnNamespaceConnect: () => {
            throw new ClientError('unauthorized: token=ok required');
          },
        },
      },
    },
  };
}

describe('Go client interop (transcript Part C replayed)', () => {
  const harness = useEngineHarness();

  it('answers every Go client frame with the bytes the Go server sent', async () => {
    const server = goServer(['conn1', 'conn2']);
    await harness.start(server.options);

    const golisten = await harness.raw();
    golisten.send('M');
    await golisten.expectFrame('Aconn1');
    golisten.send('$1795375269364568744;default;;_OnNamespaceConnect;0;0;');
    await golisten.expectFrame('$1795375269364568744;;;;;;');
    golisten.send('$1795375269365706317;default;r1;_OnRoomJoin;0;0;');
    await golisten.expectFrame('$1795375269365706317;;;;;;');

    const goclient = await harness.raw();
    goclient.send('M');
    await goclient.expectFrame('Aconn2');
    goclient.send('$1795375269661499925;default;;_OnNamespaceConnect;0;0;');
    await goclient.expectFrame('$1795375269661499925;;;;;;');
    goclient.send('$1795375269662806418;default;;echo;0;0;hello;world');
    await goclient.expectFrame('$1795375269662806418;default;;echo;0;0;hello;world');

    goclient.send(';default;;chat;0;0;hi all; from go client');
    await golisten.expectFrame(';default;;chat;0;0;hi all; from go client');

    goclient.send('$1795375269665121591;default;r1;_OnRoomJoin;0;0;');
    await goclient.expectFrame('$1795375269665121591;;;;;;');
    goclient.send(';default;r1;roomchat;0;0;hello room r1');
    goclient.send('$1795375269667351613;default;;fail;0;0;x');
    await goclient.expectFrame('$1795375269667351613;default;;fail;1;0;bad thing');
    await golisten.expectFrame(';default;r1;roomchat;0;0;hello room r1');

    goclient.send('$1795375269669333899;default;r1;_OnRoomLeave;0;0;');
    await goclient.expectFrame('$1795375269669333899;;;;;;');
    goclient.send('$1795375269670564302;v1;;_OnNamespaceConnect;0;0;');
    await goclient.expectFrame('$1795375269670564302;v1;;_OnNamespaceConnect;1;0;unauthorized: token=ok required');
    goclient.send('$1795375269671458087;default;;_OnNamespaceDisconnect;0;0;');
    await goclient.expectFrame('$1795375269671458087;;;;;;');

    // The Go client leaves by dropping TCP without a close frame; the server must still tear down.
    goclient.ws.terminate();
    await server.log.waitFor((e) => e === 'disconnect conn2');

    golisten.send('$1795375270866457777;default;;_OnNamespaceDisconnect;0;0;');
    await golisten.expectFrame('$1795375270866457777;;;;;;');
    expect(harness.engine.members('default')).toEqual([]);
    // Nothing else reached either client: every frame was accounted for above.
    expect(golisten.received.map((f) => f.text)).toHaveLength(6);
    expect(goclient.received.map((f) => f.text)).toHaveLength(8);
  });
});
