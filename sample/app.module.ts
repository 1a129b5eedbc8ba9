import { Module } from '@nestjs/common';
import { NeffosModule } from 'nestjs-neffos';
import { AnnounceController } from './chat/announce.controller.js';
import { ChatController } from './chat/chat.controller.js';
import { ChatService } from './chat/chat.service.js';
import { connectionIdFor, requireNickname } from './chat/nickname.js';
import { exchangeFromEnv } from './cluster-exchange.js';

@Module({
  imports: [
    NeffosModule.forRootAsync({
      useFactory: async () => ({ path: '/chat', serveClient: true, authorize: requireNickname, idGenerator: connectionIdFor, exchange: await exchangeFromEnv() }),
    }),
  ],
  controllers: [AnnounceController],
  providers: [ChatService, ChatController],
})
export class AppModule {}
