import { describe, expect, it } from 'vitest';
import {
  isSystemEvent,
  OnAnyEvent,
  OnNamespaceConnect,
  OnNamespaceConnected,
  OnNamespaceDisconnect,
  OnNativeMessage,
  OnRoomJoin,
  OnRoomJoined,
  OnRoomLeave,
  OnRoomLeft,
} from './system-events.js';

describe('reserved event names (docs/protocol.md §3.1)', () => {
  it('have the exact wire strings', () => {
    expect({
      OnNamespaceConnect,
      OnNamespaceConnected,
      OnNamespaceDisconnect,
      OnRoomJoin,
      OnRoomJoined,
      OnRoomLeave,
      OnRoomLeft,
      OnAnyEvent,
      OnNativeMessage,
    }).toEqual({
      OnNamespaceConnect: '_OnNamespaceConnect',
      OnNamespaceConnected: '_OnNamespaceConnected',
      OnNamespaceDisconnect: '_OnNamespaceDisconnect',
      OnRoomJoin: '_OnRoomJoin',
      OnRoomJoined: '_OnRoomJoined',
      OnRoomLeave: '_OnRoomLeave',
      OnRoomLeft: '_OnRoomLeft',
      OnAnyEvent: '_OnAnyEvent',
      OnNativeMessage: '_OnNativeMessage',
    });
  });
});

describe('isSystemEvent', () => {
  it.each([
    '_OnNamespaceConnect',
    '_OnNamespaceConnected',
    '_OnNamespaceDisconnect',
    '_OnRoomJoin',
    '_OnRoomJoined',
    '_OnRoomLeave',
    '_OnRoomLeft',
  ])('%s => true', (event) => {
    expect(isSystemEvent(event)).toBe(true);
  });

  it.each([
    '_OnAnyEvent',
    '_OnNativeMessage',
    '',
    'chat',
    'OnNamespaceConnect',
    '_onNamespaceConnect',
    '_ONROOMJOIN',
    ' _OnRoomJoin',
    '_OnRoomJoin ',
    '_OnRoomJoin;',
    '_OnRoom',
    '_On',
  ])('%j => false', (event) => {
    expect(isSystemEvent(event)).toBe(false);
  });
});
