import { describe, expect, it } from 'vitest';
import { MembershipIndex } from './membership.index.js';
import type { NSConn } from './namespace-conn.js';

// The index only reads `namespace` of an NSConn; a plain object stands in for one.
const member = (namespace: string): NSConn => ({ namespace }) as NSConn;

describe('MembershipIndex', () => {
  it('keeps namespace members, and room members apart from them', () => {
    const index = new MembershipIndex();
    const a = member('chat');
    const b = member('chat');
    const other = member('news');
    index.addNamespace(a);
    index.addNamespace(b);
    index.addNamespace(other);
    index.addRoom(a, 'r1');
    expect([...index.members('chat')]).toEqual([a, b]);
    expect([...index.members('chat', 'r1')]).toEqual([a]);
    expect([...index.members('news')]).toEqual([other]);
    expect(index.roomNames('chat')).toEqual(['r1']);
    expect(index.roomNames('news')).toEqual([]);
  });

  it('forgets empty rooms and namespaces, so roomNames lists only rooms with members', () => {
    const index = new MembershipIndex();
    const a = member('chat');
    const b = member('chat');
    index.addNamespace(a);
    index.addRoom(a, 'r1');
    index.addRoom(b, 'r1');
    index.addRoom(a, 'r2');
    index.removeRoom(a, 'r1');
    expect([...index.members('chat', 'r1')]).toEqual([b]);
    index.removeRoom(b, 'r1');
    expect(index.roomNames('chat')).toEqual(['r2']);
    index.removeRoom(a, 'r2');
    expect(index.roomNames('chat')).toEqual([]);
    index.removeNamespace(a);
    expect(index.members('chat').size).toBe(0);
  });

  it('removing what is not there is a no-op; unknown namespaces and rooms have no members', () => {
    const index = new MembershipIndex();
    const a = member('chat');
    index.removeNamespace(a);
    index.removeRoom(a, 'r1');
    index.addRoom(a, 'r1');
    index.removeRoom(member('chat'), 'r1');
    expect([...index.members('chat', 'r1')]).toEqual([a]);
    expect(index.members('nope').size).toBe(0);
    expect(index.members('nope', 'r').size).toBe(0);
  });
});
