import { Module } from '@nestjs/common';
import { NeffosModule } from '../lib/index.js';
import { AnnounceController } from './chat/announce.controller.js';
import { ChatController } from './chat/chat.controller.js';
import { ChatService } from './chat/chat.service.js';
import { requireNickname } from './chat/nickname.js';
import { NeffosClientController } from './web/neffos-client.controller.js';

@Module({
  imports: [NeffosModule.forRoot({ path: '/chat', authorize: requireNickname })],
  controllers: [AnnounceController, NeffosClientController],
  providers: [ChatService, ChatController],
})
export class AppModule {}
