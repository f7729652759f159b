import 'reflect-metadata';
import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { OpenPlatformEvents, TokenService, type OpenPlatformEventOf } from 'nest-open-platform';
import { FakeDouyinPlatform, FakeWeChatPlatform } from 'nest-open-platform/testing';
import { firstValueFrom } from 'rxjs';
import { filter } from 'rxjs/operators';
import { AppModule, CONSOLE_LOGIN, useEmulator } from './app.module.js';
import { DEMO_TOKEN_SECONDS, SAMPLE_COMPONENT, SAMPLE_DOUYIN_COMPONENT } from './emulator.module.js';
import { startPrometheus } from './metrics.js';

const TEN_MINUTES = 10 * 60 * 1000;

/** One plain line per demo step: no logger decoration, never a token or secret. */
const say = (line: string) => console.log(line);

/** What differs between the two platforms' demo flows; everything else is the same code. */
interface PlatformDemo {
  name: 'wechat' | 'douyin';
  componentAppId: string;
  merchant: string;
  fake: {
    pushTicket(url: string, appId: string): Promise<{ status: number; body: string }>;
    setEventsUrl(appId: string, url: string): void;
    settle(): Promise<void>;
  };
  queueMerchant(): void;
  /** How the platform's answer says "ok". */
  outcome(data: Record<string, unknown>): string;
}

async function businessCall(base: string, p: PlatformDemo): Promise<string> {
  // An app route whose service method is decorated with @AsAuthorizer(appId): the module finds the
  // merchant's component and injects its token the platform's way.
  const res = await fetch(`${base}/shops/${p.name}/${p.merchant}/info`);
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok)
    throw new Error(`GET /shops/${p.name}/${p.merchant}/info answered ${res.status}: ${JSON.stringify(body)}`);
  return `GET /shops/${p.name}/${p.merchant}/info → ${p.outcome(body)}`;
}

async function onboard(app: INestApplication, base: string, p: PlatformDemo): Promise<void> {
  // Play the platform's part: push a verify ticket over HTTP, as the platform does every 10 minutes.
  const path = `/open-platform/${p.componentAppId}/events`;
  p.fake.setEventsUrl(p.componentAppId, `${base}${path}`);
  const events = app.get(OpenPlatformEvents).events$;
  const ticketStored = firstValueFrom(
    events.pipe(filter((e) => e.type === 'ticket' && e.componentAppId === p.componentAppId)),
  );
  const push = await p.fake.pushTicket(`${base}${path}`, p.componentAppId);
  await ticketStored;
  say(`${p.name}: the emulator pushed a verify ticket to POST ${path} → ${push.status} ${push.body}`);
  setInterval(
    () => void p.fake.pushTicket(`${base}${path}`, p.componentAppId).catch(() => undefined),
    TEN_MINUTES,
  ).unref();

  const tokens = app.get(TokenService);
  await tokens.getComponentAccessToken(p.componentAppId);
  const { components } = await tokens.status(p.componentAppId);
  const validFor = Math.round(((components[0].componentToken.expiresAt ?? Date.now()) - Date.now()) / 1000);
  say(`${p.name}: component token obtained with the ticket (valid ${validFor} s)`);

  // A merchant authorizes: …/authorize → the platform's consent page → …/authorized (and the push).
  p.queueMerchant();
  const toPage = await fetch(`${base}/open-platform/${p.componentAppId}/authorize`, { redirect: 'manual' });
  const toApp = await fetch(toPage.headers.get('location')!, { redirect: 'manual' });
  const authorized = (await (await fetch(toApp.headers.get('location')!)).json()) as { status: string };
  await p.fake.settle();
  say(
    `${p.name}: merchant ${p.merchant} authorized via /authorize → consent page → /authorized (${authorized.status})`,
  );

  say(`${p.name}: business call as ${p.merchant} succeeded: ${await businessCall(base, p)}`);
}

/** Nobody calls: the scheduler renews the merchant's token before it expires; then call again. */
async function renewal(app: INestApplication, base: string, p: PlatformDemo): Promise<void> {
  const renewed = await firstValueFrom(
    app
      .get(OpenPlatformEvents)
      .events$.pipe(
        filter(
          (e): e is OpenPlatformEventOf<'token.refreshed'> =>
            e.type === 'token.refreshed' && e.authorizerAppId === p.merchant,
        ),
      ),
  );
  const left = Math.round((renewed.expiresAt - Date.now()) / 1000);
  say(
    `${p.name}: the scheduler renewed ${p.merchant}'s token before it expired, with nobody calling (new one valid ${left} s)`,
  );
  say(
    `${p.name}: business call as ${p.merchant} succeeded again, on the renewed token: ${await businessCall(base, p)}`,
  );
}

async function bootstrap(): Promise<void> {
  const demo = useEmulator('wechat') && useEmulator('douyin');
  // The demo speaks in plain lines; the module's own log lines come with VERBOSE=1 (and always
  // against real platforms).
  const logger: LogLevel[] | undefined = demo && !process.env.VERBOSE ? ['error', 'warn'] : undefined;
  // Before the app: the module creates its instruments at boot.
  const metrics = await startPrometheus(Number(process.env.METRICS_PORT ?? 9464));
  const app = await NestFactory.create(AppModule, logger ? { logger } : {});
  app.enableShutdownHooks();
  if (metrics) say(`OpenTelemetry metrics in Prometheus format on ${metrics}`);
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
  const url = await app.getUrl();
  say(`listening on ${url}; the platforms push to POST ${url}/open-platform/{componentAppId}/events`);
  say(
    `operator console: ${url}/open-platform/console (user ${CONSOLE_LOGIN.username}, password ${CONSOLE_LOGIN.password}, made for this run and shown only here)`,
  );
  if (!demo) {
    say(
      "real components configured: waiting for the platforms' ticket pushes (merchants authorize via GET /open-platform/{componentAppId}/authorize)",
    );
    return;
  }
  const base = url.replace('[::1]', '127.0.0.1');
  const wechat = app.get(FakeWeChatPlatform);
  const douyin = app.get(FakeDouyinPlatform);
  const platforms: PlatformDemo[] = [
    {
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
      outcome: (d) => `errcode ${String(d.errcode)}, appid ${String(d.appid)}`,
    },
    {
      name: 'douyin',
      componentAppId: SAMPLE_DOUYIN_COMPONENT.appId,
      merchant: 'tt_sample_shop',
      fake: douyin,
      queueMerchant: () =>
        douyin.queueMerchant({ componentAppId: SAMPLE_DOUYIN_COMPONENT.appId, authorizerAppId: 'tt_sample_shop' }),
      outcome: (d) => `err_no ${String(d.err_no)}, app_id ${String((d.data as Record<string, unknown>)?.app_id)}`,
    },
  ];
  for (const p of platforms) await onboard(app, base, p);
  // A user writes to the WeChat merchant's account; ShopBot's handler answers (shop-bot.service.ts).
  wechat.setMessagesUrl(
    SAMPLE_COMPONENT.appId,
    `${base}/open-platform/${SAMPLE_COMPONENT.appId}/authorizers/$APPID$/messages`,
  );
  const answered = await wechat.sendMessage('wx_sample_shop', { msgType: 'text', content: 'hello' });
  say(
    `wechat: a user wrote "hello" to wx_sample_shop; the handler answered "${answered.reply?.content ?? answered.body}"`,
  );
  say(
    `both merchants onboarded; emulator tokens live ${DEMO_TOKEN_SECONDS} s, now nobody calls until the scheduler has renewed them…`,
  );
  await Promise.all(platforms.map((p) => renewal(app, base, p)));
  say("ready: scheduled renewal keeps both merchants' tokens alive; Ctrl-C to stop");
}

bootstrap().catch((err) => {
  console.error(err);
  process.exit(1);
});
