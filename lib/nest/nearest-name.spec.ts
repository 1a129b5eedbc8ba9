import { describe, expect, it } from 'vitest';
import { editDistance, nearestName } from './nearest-name.js';

describe('editDistance', () => {
  it.each([
    ['onNamespaceConnected', 'onNamespaceConnected', 0],
    ['onNamespaceConected', 'onNamespaceConnected', 1],
    ['onNamespaceConnectedd', 'onNamespaceConnected', 1],
    ['onNamespaceConnectex', 'onNamespaceConnected', 1],
    ['OnNativeMessage', 'onNativeMessage', 0],
    ['onRoomJoin', 'onRoomJoined', 2],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
  ])('%s → %s is %i (case-insensitive)', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('nearestName', () => {
  it('picks the closest candidate within the limit, else nothing', () => {
    expect(nearestName('maxPayLoad', ['askTimeout', 'maxPayload', 'maxPendingAsks'], 2)).toBe('maxPayload');
    expect(nearestName('pingIntervall', ['pingInterval', 'path'], 2)).toBe('pingInterval');
    expect(nearestName('colour', ['path', 'origins'], 2)).toBeUndefined();
  });
});
