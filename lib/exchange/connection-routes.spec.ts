import { describe, expect, it } from 'vitest';
import { ConnectionRoutes } from './connection-routes.js';

describe('ConnectionRoutes', () => {
  it('remembers the node that answered, forgets it when that node says absent or goes away', () => {
    const routes = new ConnectionRoutes();
    routes.learn('c1', 'b');
    routes.learn('c2', 'b');
    routes.learn('c3', 'c');
    expect(routes.get('c1')).toBe('b');
    routes.forget('c1', 'c'); // another node's "not here" says nothing about b
    expect(routes.get('c1')).toBe('b');
    routes.forget('c1', 'b');
    expect(routes.get('c1')).toBeUndefined();
    routes.learn('c2', 'c'); // moved (a custom id reconnected elsewhere)
    routes.forgetNode('b');
    expect([routes.get('c2'), routes.get('c3')]).toEqual(['c', 'c']);
  });

  it('keeps at most its maximum, forgetting the route learned longest ago', () => {
    const routes = new ConnectionRoutes(3);
    for (const id of ['c1', 'c2', 'c3']) routes.learn(id, 'n');
    routes.learn('c1', 'm'); // learned again: now the newest
    routes.learn('c4', 'n');
    expect(routes.size).toBe(3);
    expect(['c1', 'c2', 'c3', 'c4'].map((id) => routes.get(id))).toEqual(['m', undefined, 'n', 'n']);
  });

  it('keeps a route that keeps answering, however many others come and go', () => {
    const routes = new ConnectionRoutes(3);
    routes.learn('busy', 'n');
    for (let i = 0; i < 10; i++) {
      // Two short-lived connections answered, then the next ask to 'busy' looks up its route.
      routes.learn(`short-${2 * i}`, 'm');
      routes.learn(`short-${2 * i + 1}`, 'm');
      expect(routes.get('busy'), `before ask ${i}`).toBe('n');
      routes.learn('busy', 'n'); // the same holder answered again
    }
    expect(routes.size).toBe(3);
  });
});
