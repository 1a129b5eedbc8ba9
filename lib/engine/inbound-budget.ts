// The budgets of a connection's inbound queue: frames waiting behind a pending handler (maxQueuedFrames,
// maxQueuedBytes, bytes counted with their per-frame overhead), or sent while the handshake runs (the
// small maxHandshakeQueued* budget). Checked against the queue's running totals, never by walking it.
import type { ResolvedEngineOptions } from './engine-options.js';
import { CLOSE_HANDSHAKE_QUEUE_FULL, CLOSE_QUEUE_FULL, CLOSE_QUEUE_TOO_MANY_FRAMES } from './engine.messages.js';
import type { InboundQueue } from './inbound-queue.js';

/** `ok`; `hold`: stop reading the socket until the queue drains; otherwise the reason to close with 1008. */
export type QueueVerdict = 'ok' | 'hold' | { readonly close: string };

/**
 * After a frame was queued: past an eighth of either budget the socket is paused (so only what one or two
 * reads delivered can still arrive: 64 KiB each, thousands of tiny frames); past all of it, close.
 */
export function queueVerdict(queue: InboundQueue, o: ResolvedEngineOptions, handshaking: boolean): QueueVerdict {
  const maxFrames = handshaking ? o.maxHandshakeQueuedFrames : o.maxQueuedFrames;
  const maxBytes = handshaking ? o.maxHandshakeQueuedBytes : o.maxQueuedBytes;
  if (queue.length > maxFrames || queue.bytes > maxBytes) {
    return { close: handshaking ? CLOSE_HANDSHAKE_QUEUE_FULL : queue.length > maxFrames ? CLOSE_QUEUE_TOO_MANY_FRAMES : CLOSE_QUEUE_FULL };
  }
  return queue.length > maxFrames / 8 || queue.bytes > maxBytes / 8 ? 'hold' : 'ok';
}

/** Whether a held socket may be read again: the queue is down to a sixteenth of its budget. */
export function queueDrained(queue: InboundQueue, o: ResolvedEngineOptions): boolean {
  return queue.length <= o.maxQueuedFrames / 16 && queue.bytes <= o.maxQueuedBytes / 16;
}
