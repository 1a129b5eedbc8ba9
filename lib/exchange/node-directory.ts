// Which other nodes are alive: every message a node sends counts as a heartbeat; a node silent for
// longer than the node timeout (a crash, kill -9, a partition) is dropped, and calls stop waiting
// for its answers. This is what bounds how long a crashed node's connections can hold up an answer.

export class NodeDirectory {
  private readonly lastSeen = new Map<string, number>();

  constructor(private readonly timeoutMs: number) {}

  /** Records a sign of life; returns true when the node was not known before. */
  seen(node: string, now = Date.now()): boolean {
    const known = this.lastSeen.has(node);
    this.lastSeen.set(node, now);
    return !known;
  }

  /** Forgets a node (it said goodbye); returns whether it was known. */
  remove(node: string): boolean {
    return this.lastSeen.delete(node);
  }

  /** Drops and returns the nodes not heard from within the timeout. */
  expire(now = Date.now()): string[] {
    const gone: string[] = [];
    for (const [node, at] of this.lastSeen) {
      if (now - at > this.timeoutMs) {
        this.lastSeen.delete(node);
        gone.push(node);
      }
    }
    return gone;
  }

  /**
   * After a broker outage nobody could be heard: give every known node a fresh timeout instead of
   * declaring the whole cluster dead the moment the connection is back.
   */
  refreshAll(now = Date.now()): void {
    for (const node of this.lastSeen.keys()) this.lastSeen.set(node, now);
  }

  /**
   * This node could not listen for `ms` (its own loop was held: a long collection, a starved CPU), so
   * the heartbeats of that time still sit unread in its socket: that time does not count against
   * anyone. Only the stall is excused, so a crashed node still goes after `timeout` of listening.
   */
  excuse(ms: number): void {
    for (const [node, at] of this.lastSeen) this.lastSeen.set(node, at + ms);
  }

  has(node: string): boolean {
    return this.lastSeen.has(node);
  }

  living(): string[] {
    return [...this.lastSeen.keys()];
  }

  get size(): number {
    return this.lastSeen.size;
  }
}
