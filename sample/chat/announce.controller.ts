// Plain HTTP routes next to the socket events: NeffosServer pushes to sockets from anywhere in the app.
//   curl -X POST localhost:3000/announce -H 'content-type: application/json' -d '{"text":"Deploy at noon"}'
import { BadRequestException, Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { NeffosServer } from 'nestjs-neffos';
import { CHAT_NAMESPACE, MAX_MESSAGE_LENGTH } from './chat.constants.js';
import type { ChatServerApp, MembersBody, SystemBody } from './chat.events.js';
import { ChatService } from './chat.service.js';

@Controller()
export class AnnounceController {
  constructor(
    private readonly server: NeffosServer<ChatServerApp>,
    private readonly chat: ChatService,
  ) {}

  /** Broadcasts a system message to every connected page, whatever room it is in. */
  @Post('announce')
  @HttpCode(202)
  announce(@Body() body: unknown): { delivered: number } {
    const text = typeof body === 'object' && body !== null ? (body as { text?: unknown }).text : undefined;
    if (typeof text !== 'string' || text.trim() === '') throw new BadRequestException('send JSON {"text": "…"}');
    const notice: SystemBody = { text: text.trim().slice(0, MAX_MESSAGE_LENGTH), kind: 'announce' };
    return { delivered: this.server.broadcast({ namespace: CHAT_NAMESPACE, event: 'system', body: notice }) };
  }

  /** Who is in which room, on every node. */
  @Get('rooms')
  rooms(): Promise<MembersBody[]> {
    return Promise.all(this.chat.rooms.map((room) => this.chat.members(room)));
  }
}
