// Who is online and in which room. A plain singleton: the chat controller and the HTTP controller
// share it through Nest's injector. Member lists and the online count come from NeffosServer.cluster,
// so they cover every node when the app runs as several instances (npm run start:cluster).
import { Injectable } from '@nestjs/common';
import { NeffosServer } from 'nestjs-neffos';
import { CHAT_NAMESPACE, ROOMS } from './chat.constants.js';
import type { MembersBody } from './chat.events.js';
import { nicknameInId } from './nickname.js';

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

  constructor(private readonly server: NeffosServer) {}

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

  /** The nicknames of the users in a room on every node, sorted (connection ids carry them, see nickname.ts). */
  async members(room: string): Promise<MembersBody> {
    const ids = await this.server.cluster.members(CHAT_NAMESPACE, room);
    return { room, members: ids.map(nicknameInId).sort((a, b) => a.localeCompare(b)) };
  }

  /** Connections on every node. */
  onlineCount(): Promise<number> {
    return this.server.cluster.connectionCount();
  }

  isRoom(name: string): boolean {
    return this.rooms.includes(name);
  }
}
