import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { OpenPlatformEvents, OpenPlatformHttpService, TokenService } from 'nest-open-platform';
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
  setInterval(
    () => void fake.pushTicket(eventsUrl, SAMPLE_COMPONENT.appId).catch(() => undefined),
    TEN_MINUTES,
  ).unref();
  await ticketArrived;

  const tokens = app.get(TokenService);
  const token = await tokens.getComponentAccessToken();
  logger.log(`obtained a component token from the emulator (…${token.slice(-4)})`);

  // A merchant authorizes: …/authorize → the platform's page → …/authorized (and the push).
  fake.setEventsUrl(SAMPLE_COMPONENT.appId, eventsUrl);
  fake.queueMerchant({ componentAppId: SAMPLE_COMPONENT.appId, authorizerAppId: 'wx_sample_shop', funcIds: [1, 15] });
  const toPage = await fetch(`${url.replace('[::1]', '127.0.0.1')}/open-platform/${SAMPLE_COMPONENT.appId}/authorize`, {
    redirect: 'manual',
  });
  const toApp = await fetch(toPage.headers.get('location')!, { redirect: 'manual' });
  const authorized = await (await fetch(toApp.headers.get('location')!)).json();
  logger.log(`merchant onboarded: ${JSON.stringify(authorized)}`);

  // Call a platform API as that merchant: the token is injected by OpenPlatformHttpService.
  const basic = await app
    .get(OpenPlatformHttpService)
    .axiosRef.get<{ errcode: number; appid: string }>(`${fake.baseUrl}/cgi-bin/account/getaccountbasicinfo`, {
      authorizerAppId: 'wx_sample_shop',
    });
  logger.log(`getaccountbasicinfo as wx_sample_shop: errcode ${basic.data.errcode}, appid ${basic.data.appid}; ready`);
}

bootstrap().catch((err) => {
  console.error(err);
  process.exit(1);
});
