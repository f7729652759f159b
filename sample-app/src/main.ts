import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { OpenPlatformEvents, TokenService } from 'nest-open-platform';
import { FakeWeChatPlatform } from 'nest-open-platform/testing';
import { firstValueFrom } from 'rxjs';
import { filter } from 'rxjs/operators';
import { AppModule, useEmulator } from './app.module.js';
import { SAMPLE_COMPONENT } from './emulator.module.js';

const TEN_MINUTES = 10 * 60 * 1000;

async function bootstrap(): Promise<void> {
  const logger = new Logger('SampleApp');
  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
  const url = await app.getUrl();
  logger.log(`listening on ${url}; events route: POST ${url}/open-platform/{componentAppId}/events`);
  if (!useEmulator()) return;

  // Play the platform's part: push a verify ticket over HTTP, as WeChat does every 10 minutes.
  const fake = app.get(FakeWeChatPlatform);
  const eventsUrl = `${url.replace('[::1]', '127.0.0.1')}/open-platform/${SAMPLE_COMPONENT.appId}/events`;
  const ticketArrived = firstValueFrom(app.get(OpenPlatformEvents).events$.pipe(filter((e) => e.type === 'ticket')));
  const push = await fake.pushTicket(eventsUrl, SAMPLE_COMPONENT.appId);
  logger.log(`emulator pushed a verify ticket: HTTP ${push.status} ${push.body}`);
  setInterval(() => void fake.pushTicket(eventsUrl, SAMPLE_COMPONENT.appId).catch(() => undefined), TEN_MINUTES).unref();
  await ticketArrived;

  const token = await app.get(TokenService).getComponentAccessToken();
  logger.log(`obtained a component token from the emulator (…${token.slice(-4)}); ready`);
}

bootstrap().catch((err) => {
  console.error(err);
  process.exit(1);
});
