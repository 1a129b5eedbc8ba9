// The prelude of README fragments: a ```ts block of README.md with no `import` line of its own is
// compiled with these lines in front of it (see readme-blocks.ts), so a short example can use the names
// every Nest app has in scope without repeating the imports. A block that imports anything must import
// everything it uses (it is then compiled as it is, and can be copied as it is).
// This file is type-checked with the rest of test/ by `npm test` (against the sources; the README
// check compiles it against the built package).
import { Body, Controller, Get, Inject, Injectable, Module, Param, Post, Scope, UseGuards, type INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ConnectedSocket, MessageBody, WsException } from '@nestjs/websockets';
import { Message, NeffosController, NeffosEvent, NeffosIgnore, NeffosModule, NeffosServer, NSConn } from 'nestjs-neffos';
import { NeffosEngine } from 'nestjs-neffos/engine';
import { NatsExchange } from 'nestjs-neffos/nats';
import { RedisExchange } from 'nestjs-neffos/redis';

/** The application of `main.ts` (`const app = await NestFactory.create(AppModule)`). */
declare const app: INestApplication;

