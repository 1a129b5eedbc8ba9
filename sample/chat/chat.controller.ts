// The chat's neffos events. Every public method is an event of namespace "default" (named verbatim);
// the `on…` methods are the lifecycle hooks. Messages carry the room they were sent in
// (neffos.js `ns.room(name).emit(...)`), so the server never has to guess where to deliver.
// Helpers live in ChatService or outside the class: a method here, even a TypeScript `private` one,
// would be an event too.
import { WsException } from '@nestjs/websockets';
import { Message, NeffosController, NSConn, type NeffosHandlers } from 'nestjs-neffos';
import { CHAT_NAMESPACE, MAX_MESSAGE_LENGTH } from './chat.constants.js';
import type { ChatBody, ChatClientEvents, ChatServerEvents, MembersBody, SystemBody, TypingBody, WelcomeBody } from './chat.events.js';
import { ChatService } from './chat.service.js';
import { nicknameOf } from './nickname.js';

/** Connections are typed with what the server sends; `implements` checks the events' replies. */
type ChatConn = NSConn<ChatServerEvents>;

@NeffosController(CHAT_NAMESPACE)
export class ChatController implements NeffosHandlers<ChatClientEvents> {
  constructor(private readonly users: ChatService) {}

  async onNamespaceConnected(_msg: Message, conn: ChatConn): Promise<void> {
    // `authorize` (see app.module.ts) already refused handshakes without a nickname.
    const { nickname } = this.users.add(conn.id, nicknameOf(conn.conn.request) ?? 'anonymous');
    const welcome: WelcomeBody = { nickname, rooms: this.users.rooms, online: await this.users.onlineCount() };
    conn.emit('welcome', welcome);
    conn.broadcast('system', notice(`${nickname} is online`));
  }

  onNamespaceDisconnect(_msg: Message, conn: ChatConn): void {
    const user = this.users.remove(conn.id);
    if (user !== undefined) conn.broadcast('system', notice(`${user.nickname} went offline`));
  }

  /** Vetoes joins of rooms that do not exist, whoever started them (server `join` or client `ns.joinRoom`). */
  onRoomJoin(msg: Message): void {
    if (!this.users.isRoom(msg.room)) throw new WsException(`there is no room "${msg.room}"`);
  }

  async onRoomJoined(msg: Message, conn: ChatConn): Promise<void> {
    this.users.setRoom(conn.id, msg.room);
    conn.broadcast('system', notice(`${this.users.nicknameOf(conn.id)} joined #${msg.room}`), { room: msg.room });
    conn.broadcast('members', await this.users.members(msg.room), { room: msg.room, includeSelf: true });
  }

  async onRoomLeft(msg: Message, conn: ChatConn): Promise<void> {
    if (this.users.get(conn.id)?.room === msg.room) this.users.setRoom(conn.id, '');
    // A forced leave is a disconnect: onNamespaceDisconnect says goodbye once, to everyone.
    if (!msg.isForced) conn.broadcast('system', notice(`${this.users.nicknameOf(conn.id)} left #${msg.room}`), { room: msg.room });
    conn.broadcast('members', await this.users.members(msg.room), { room: msg.room });
  }

  /** Ask `join` with a room name: leaves the current room, joins that one, replies with its members. */
  async join(msg: Message, conn: ChatConn): Promise<MembersBody> {
    const room = msg.text().trim();
    if (!this.users.isRoom(room)) throw new WsException(`there is no room "${room}"`);
    for (const name of [...conn.rooms.keys()]) {
      if (name !== room) await conn.leaveRoom(name);
    }
    await conn.joinRoom(room);
    return this.users.members(room);
  }

  /** `chat` sent in a room: delivered to everyone in it, the sender included (every page shows it). */
  chat(msg: Message, conn: ChatConn): void {
    if (msg.room === '') throw new WsException('join a room before chatting');
    const text = msg.text().trim().slice(0, MAX_MESSAGE_LENGTH);
    if (text === '') return;
    const body: ChatBody = { from: this.users.nicknameOf(conn.id), text, at: new Date().toISOString() };
    conn.broadcast('chat', body, { room: msg.room, includeSelf: true });
  }

  /** `typing` sent in a room: the others in it see a "… is typing" notice. */
  typing(msg: Message, conn: ChatConn): void {
    if (msg.room === '') return;
    const body: TypingBody = { from: this.users.nicknameOf(conn.id) };
    conn.broadcast('typing', body, { room: msg.room });
  }
}

function notice(text: string): SystemBody {
  return { text, kind: 'info' };
}
