// Which node holds a connection, as far as this node has learned it: the node that answered the last
// request for that id. A request for a known id then goes to that node's own channel instead of the
// shared one, so no other node receives or decodes it. Nothing is announced to learn this (a
// connection costs no bus traffic); a wrong entry only costs one "not here" and a fan-out.

/** Routes kept at most; the one answered for longest ago is forgotten first. */
export const MAX_ROUTES = 10_000;

export class ConnectionRoutes {
  private readonly holder = new Map<string, string>();

  constructor(private readonly max = MAX_ROUTES) {}

  /** The node believed to hold `connectionId`, if any. */
  get(connectionId: string): string | undefined {
    return this.holder.get(connectionId);
  }

  /**
   * `node` answered a request for `connectionId`: it holds it. A route that answers again moves to the
   * back, so a long-lived connection asked all along is not pushed out by the many that came and went
   * (its next ask would fan out to every node again).
   */
  learn(connectionId: string, node: string): void {
    this.holder.delete(connectionId);
    this.holder.set(connectionId, node);
    if (this.holder.size > this.max) this.holder.delete(this.holder.keys().next().value!);
  }

  /** `node` said it does not hold `connectionId`: forget the route if it pointed there. */
  forget(connectionId: string, node: string): void {
    if (this.holder.get(connectionId) === node) this.holder.delete(connectionId);
  }

  /** `node` died or left: none of its routes hold any more. */
  forgetNode(node: string): void {
    for (const [id, holder] of this.holder) if (holder === node) this.holder.delete(id);
  }

  get size(): number {
    return this.holder.size;
  }
}
