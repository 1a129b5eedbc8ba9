// Who is online and in which room. A plain singleton: the chat controller and the HTTP controller
// share it through Nest's injector.
import { Injectable } from '@nestjs/common';
import { ROOMS } from './chat.constants.js';
import type { MembersBody } from './chat.events.js';

export interface ChatUser {
  id: string;
  nickname: string;
  /** The room the user is in, `''` before the first join. */
  room: string;
}

@Injectable()
export class ChatService {
  private readonly users = new Map<string, ChatUser>();

  readonly rooms = ROOMS;

  add(id: string, nickname: string): ChatUser {
    const user: ChatUser = { id, nickname, room: '' };
    this.users.set(id, user);
    return user;
  }

  remove(id: string): ChatUser | undefined {
    const user = this.users.get(id);
    this.users.delete(id);
    return user;
  }

  get(id: string): ChatUser | undefined {
    return this.users.get(id);
  }

  /** The user's nickname (connections are registered on namespace connect, so this always finds one). */
  nicknameOf(id: string): string {
    return this.users.get(id)?.nickname ?? 'someone';
  }

  setRoom(id: string, room: string): void {
    const user = this.users.get(id);
    if (user !== undefined) user.room = room;
  }

  /** The nicknames of the users in a room, sorted. */
  members(room: string): MembersBody {
    const members = [...this.users.values()]
      .filter((u) => u.room === room)
      .map((u) => u.nickname)
      .sort((a, b) => a.localeCompare(b));
    return { room, members };
  }

  get onlineCount(): number {
    return this.users.size;
  }

  isRoom(name: string): boolean {
    return this.rooms.includes(name);
  }
}
