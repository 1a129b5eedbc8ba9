// Builds the chat app without listening, so main.ts and the browser test start the same thing.
import 'reflect-metadata';
import type { NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { fileURLToPath } from 'node:url';
import { AppModule } from './app.module.js';

/** The page: index.html, app.js, style.css (dist/sample/public after a build, sample/public in tests). */
const PUBLIC_DIR = fileURLToPath(new URL('./public', import.meta.url));

export async function createApp(options: NestApplicationOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, options);
  app.useStaticAssets(PUBLIC_DIR);
  return app;
}
