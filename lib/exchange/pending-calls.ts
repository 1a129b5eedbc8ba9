// Calls waiting for other nodes' answers. A request (an action on a connection held elsewhere) is
// settled by the holder's outcome, or fails as "not found" once every live node has said it does
// not hold the connection; a query collects one answer per live node. A node that dies or says
// goodbye is no longer waited for. Every call has a deadline, so none can hang. A request sent to the
// one node believed to hold the connection carries a fallback: when that node says "not here" (or
// is gone), the fallback asks the others and the call waits for them instead.
import { type Deadline, DeadlineQueue } from '../engine/deadline-queue.js';
import { ConnectionNotFoundError } from '../engine/engine.errors.js';
import type { PresenceAnswer, RemoteOutcome } from '../engine/stack-exchange.js';

interface RequestCall {
  kind: 'request';
  connectionId: string;
  awaiting: Set<string>;
  /** A node was dropped before it answered: it may have held the connection, so no "not found". */
  lost: boolean;
  /** What to do when nobody answers in time. */
  onTimeout: () => Error;
  /** Set while the request went to one node only: asks the others, returns whom to wait for now. */
  fallback: (() => Iterable<string>) | undefined;
  resolve(outcome: RemoteOutcome): void;
  reject(err: Error): void;
  deadline: Deadline;
}

interface QueryCall {
  kind: 'query';
  awaiting: Set<string>;
  answers: PresenceAnswer[];
  answered: Set<string>;
  resolve(answers: PresenceAnswer[]): void;
  reject(err: Error): void;
  deadline: Deadline;
}

type Call = RequestCall | QueryCall;

export class PendingCalls {
  private readonly calls = new Map<number, Call>();
  /** One timer per timeout value, not one per call (deadline-queue.ts). */
  private readonly deadlines = new DeadlineQueue();
  private nextRid = 0;

  get size(): number {
    return this.calls.size;
  }

  /**
   * Registers a request to `nodes`; the returned rid goes into the published message. With a
   * `fallback`, `nodes` is the one node believed to hold the connection (see the header).
   */
  request(
    connectionId: string,
    nodes: Iterable<string>,
    timeoutMs: number,
    onTimeout: () => Error,
    fallback?: () => Iterable<string>,
  ): { rid: number; promise: Promise<RemoteOutcome> } {
    const rid = this.nextRid++;
    const promise = new Promise<RemoteOutcome>((resolve, reject) => {
      const deadline = this.deadlines.add(timeoutMs, () => this.fail(rid, onTimeout()));
      this.calls.set(rid, { kind: 'request', connectionId, awaiting: new Set(nodes), lost: false, onTimeout, fallback, resolve, reject, deadline });
    });
    this.check(rid);
    return { rid, promise };
  }

  /** The connection id of request `rid` while it is pending (to learn or forget which node holds it). */
  connectionOf(rid: number): string | undefined {
    const call = this.calls.get(rid);
    return call?.kind === 'request' ? call.connectionId : undefined;
  }

  /** Registers a query to `nodes`; after `timeoutMs` it settles with the answers it has. */
  query(nodes: Iterable<string>, timeoutMs: number): { rid: number; promise: Promise<PresenceAnswer[]> } {
    const rid = this.nextRid++;
    const promise = new Promise<PresenceAnswer[]>((resolve, reject) => {
      const deadline = this.deadlines.add(timeoutMs, () => this.finishQuery(rid));
      this.calls.set(rid, { kind: 'query', awaiting: new Set(nodes), answers: [], answered: new Set(), resolve, reject, deadline });
    });
    this.check(rid);
    return { rid, promise };
  }

  /** The holder's outcome. */
  resolved(rid: number, outcome: RemoteOutcome): void {
    const call = this.calls.get(rid);
    if (call?.kind !== 'request') return;
    this.delete(rid, call);
    call.resolve(outcome);
  }

  /** The holder's failure (or a local one, e.g. the publish was refused). */
  fail(rid: number, err: Error): void {
    const call = this.calls.get(rid);
    if (call === undefined) return;
    this.delete(rid, call);
    call.reject(err);
  }

  /** `node` does not hold the connection of request `rid`. */
  absent(rid: number, node: string): void {
    const call = this.calls.get(rid);
    if (call?.kind !== 'request') return;
    call.awaiting.delete(node);
    this.check(rid);
  }

  /** `node`'s answer to query `rid` (a node not awaited, e.g. one that just started, counts too). */
  answer(rid: number, node: string, answer: PresenceAnswer): void {
    const call = this.calls.get(rid);
    if (call?.kind !== 'query' || call.answered.has(node)) return;
    call.answered.add(node);
    call.answers.push(answer);
    call.awaiting.delete(node);
    this.check(rid);
  }

  /** `node` died or left: stop waiting for it everywhere. */
  nodeGone(node: string): void {
    for (const [rid, call] of this.calls) {
      if (!call.awaiting.delete(node)) continue;
      if (call.kind === 'request') call.lost = true;
      this.check(rid);
    }
  }

  /**
   * The link to `node` closed: its answers in flight may be gone with the socket, so every request
   * still waiting for `node` fails with `error()` now rather than at its timeout. Queries are left to
   * their own (short) deadline: a lost presence answer costs at most the node timeout.
   */
  linkLost(node: string, error: () => Error): void {
    for (const [rid, call] of this.calls) {
      if (call.kind !== 'request' || !call.awaiting.has(node)) continue;
      this.delete(rid, call);
      call.reject(error());
    }
  }

  /** Rejects every call (broker lost, exchange closed). */
  failAll(err: Error): void {
    for (const [rid, call] of this.calls) {
      this.delete(rid, call);
      call.reject(err);
    }
  }

  private check(rid: number): void {
    const call = this.calls.get(rid);
    if (call === undefined || call.awaiting.size > 0) return;
    if (call.kind === 'query') return this.finishQuery(rid);
    if (call.fallback !== undefined) {
      const fallback = call.fallback;
      call.fallback = undefined;
      for (const node of fallback()) call.awaiting.add(node);
      if (call.awaiting.size > 0) return;
    }
    // Everyone said "not here": fail fast. If a node died first, it may have held the connection and
    // been answering it; then only the timer can tell, which makes it an ask timeout, not a hang.
    if (!call.lost) this.fail(rid, new ConnectionNotFoundError(call.connectionId));
  }

  private finishQuery(rid: number): void {
    const call = this.calls.get(rid);
    if (call?.kind !== 'query') return;
    this.delete(rid, call);
    call.resolve(call.answers);
  }

  private delete(rid: number, call: Call): void {
    this.deadlines.cancel(call.deadline);
    this.calls.delete(rid);
  }
}
