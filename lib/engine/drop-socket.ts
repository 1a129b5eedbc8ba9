// Dropping a socket without a close handshake. ws's terminate() destroys the TCP socket with no error,
// and Node then fails every write still buffered on it with an error object of its own
// (ERR_STREAM_DESTROYED, stack and message formatted each time): a client that never reads can leave
// tens of thousands of tiny replies buffered, so one drop held the event loop for 100–300 ms and a
// few dozen such clients for seconds. Destroyed with an error, Node hands that one error to every
// buffered write instead. ws treats a socket error as the peer going away: its 'close' (1006) follows.
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/** The one error every write still buffered on a dropped socket fails with. */
const DROPPED = new Error('socket dropped without a close handshake');

/** ws's private field: the upgraded TCP socket (absent before the upgrade completes and after close). */
interface WithSocket {
  _socket?: Socket | null;
}

export function dropSocket(socket: WebSocket): void {
  const tcp = (socket as unknown as WithSocket)._socket;
  // ws listens for errors on an upgraded socket (and keeps a no-op listener after the first), so the
  // error cannot go unhandled; anything else is left to terminate().
  if (socket.readyState === socket.CONNECTING || tcp == null || tcp.destroyed || tcp.listenerCount('error') === 0) {
    socket.terminate();
    return;
  }
  tcp.destroy(DROPPED);
}
