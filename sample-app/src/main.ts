import 'reflect-metadata';
import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { OpenPlatformEvents, OpenPlatformHttpService, TokenService } from 'nest-open-platform';
import { FakeDouyinPlatform, FakeWeChatPlatform } from 'nest-open-platform/testing';
import { firstValueFrom } from 'rxjs';
import { filter } from 'rxjs/operators';
import { AppModule, useEmulator } from './app.module.js';
import { DEMO_TOKEN_SECONDS, SAMPLE_COMPONENT, SAMPLE_DOUYIN_COMPONENT } from './emulator.module.js';

const TEN_MINUTES = 10 * 60 * 1000;
const logger = new Logger('SampleApp');

/** What differs between the two platforms' demo flows; everything else is the same code. */
interface PlatformDemo {
  name: string;
  componentAppId: string;
  merchant: string;
  fake: {
    pushTicket(url: string, appId: string): Promise<{ status: number; body: string }>;
    setEventsUrl(appId: string, url: string): void;
    settle(): Promise<void>;
  };
  queueMerchant(): void;
  /** A business API of the platform, and how to read its answer. */
  businessUrl: string;
  businessName: string;
  outcome(data: Record<string, unknown>): string;
}

async function demo(app: INestApplication, base: string, p: PlatformDemo): Promise<void> {
  // Play the platform's part: push a verify ticket over HTTP, as the platform does every 10 minutes.
  const eventsUrl = `${base}/open-platform/${p.componentAppId}/events`;
  p.fake.setEventsUrl(p.componentAppId, eventsUrl);
  const ticketArrived = firstValueFrom(
    app
      .get(OpenPlatformEvents)
      .events$.pipe(filter((e) => e.type === 'ticket' && e.componentAppId === p.componentAppId)),
  );
  const push = await p.fake.pushTicket(eventsUrl, p.componentAppId);
  logger.log(`${p.name}: emulator pushed a verify ticket: HTTP ${push.status} ${push.body}`);
  setInterval(() => void p.fake.pushTicket(eventsUrl, p.componentAppId).catch(() => undefined), TEN_MINUTES).unref();
  await ticketArrived;

  await app.get(TokenService).getComponentAccessToken(p.componentAppId);
  logger.log(`${p.name}: obtained a component token from the emulator`);

  // A merchant authorizes: …/authorize → the platform's page → …/authorized (and the push).
  p.queueMerchant();
  const toPage = await fetch(`${base}/open-platform/${p.componentAppId}/authorize`, { redirect: 'manual' });
  const toApp = await fetch(toPage.headers.get('location')!, { redirect: 'manual' });
  const authorized = await (await fetch(toApp.headers.get('location')!)).json();
  await p.fake.settle();
  logger.log(`${p.name}: merchant onboarded: ${JSON.stringify(authorized)}`);

  // Call a platform API as that merchant, naming only its appid: OpenPlatformHttpService finds its
  // component and injects its token the platform's way.
  const answer = await app
    .get(OpenPlatformHttpService)
    .axiosRef.get<Record<string, unknown>>(p.businessUrl, { authorizerAppId: p.merchant });
  logger.log(`${p.name}: ${p.businessName} as ${p.merchant}: ${p.outcome(answer.data)}`);

  // Nobody calls again: the module's scheduled renewal keeps the merchant's token alive.
  void firstValueFrom(
    app
      .get(OpenPlatformEvents)
      .events$.pipe(filter((e) => e.type === 'token.refreshed' && e.authorizerAppId === p.merchant)),
  ).then((e) =>
    logger.log(
      `${p.name}: the scheduler renewed the token of ${p.merchant} before it expired, with no caller (next expiry ${new Date(e.type === 'token.refreshed' ? e.expiresAt : 0).toISOString()})`,
    ),
  );
}

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
  const url = await app.getUrl();
  logger.log(`listening on ${url}; events route: POST ${url}/open-platform/{componentAppId}/events`);
  if (!useEmulator()) return;
  const base = url.replace('[::1]', '127.0.0.1');

  const wechat = app.get(FakeWeChatPlatform);
  await demo(app, base, {
    name: 'wechat',
    componentAppId: SAMPLE_COMPONENT.appId,
    merchant: 'wx_sample_shop',
    fake: wechat,
    queueMerchant: () =>
      wechat.queueMerchant({
        componentAppId: SAMPLE_COMPONENT.appId,
        authorizerAppId: 'wx_sample_shop',
        funcIds: [1, 15],
      }),
    businessUrl: `${wechat.baseUrl}/cgi-bin/account/getaccountbasicinfo`,
    businessName: 'getaccountbasicinfo',
    outcome: (d) => `errcode ${String(d.errcode)}, appid ${String(d.appid)}`,
  });

  const douyin = app.get(FakeDouyinPlatform);
  await demo(app, base, {
    name: 'douyin',
    componentAppId: SAMPLE_DOUYIN_COMPONENT.appId,
    merchant: 'tt_sample_shop',
    fake: douyin,
    queueMerchant: () =>
      douyin.queueMerchant({ componentAppId: SAMPLE_DOUYIN_COMPONENT.appId, authorizerAppId: 'tt_sample_shop' }),
    businessUrl: `${douyin.baseUrl}/api/apps/v2/basic_info/get_info`,
    businessName: 'basic_info/get_info',
    outcome: (d) => `err_no ${String(d.err_no)}`,
  });
  logger.log(
    `both platforms onboarded and called; ready (emulator tokens live ${DEMO_TOKEN_SECONDS} s: watch the scheduler renew them)`,
  );
}

bootstrap().catch((err) => {
  console.error(err);
  process.exit(1);
});
