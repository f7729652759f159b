import { afterEach, expect } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import { Clock } from '../../lib/clock/clock.js';
import {
  MemoryDurableStore,
  OpenPlatformEvents,
  OpenPlatformModule,
  TokenService,
  type OpenPlatformEvent,
  type OpenPlatformModuleOptions,
} from '../../lib/index.js';
import { RENEWAL_INTERVAL_NAME } from '../../lib/refresh/renewal.scheduler.js';
import { RenewalSweep, type SweepReport } from '../../lib/refresh/renewal-sweep.service.js';
import { FakeDouyinPlatform, FakeWeChatPlatform } from '../../lib/testing/index.js';
import { CapturingLogger } from './capturing-logger.js';
import { DOUYIN_COMPONENT, douyinComponent } from './douyin-harness.js';
import { COMPONENT_A, TEST_RETRY, wechatComponent } from './fixtures.js';
import { ManualClock } from './manual-clock.js';

// An app with both platforms and scheduled renewal, its interval taken out so a test drives the
// ticks and the clock by hand (the renewal suites share it).

export const SHOPS = ['wx_renew_shop_1', 'wx_renew_shop_2', 'wx_renew_shop_3'];
export const TT_SHOP = 'tt_renew_shop';

export interface World {
  app: INestApplication;
  clock: ManualClock;
  wechat: FakeWeChatPlatform;
  douyin: FakeDouyinPlatform;
  tokens: TokenService;
  sweep: RenewalSweep;
  events: OpenPlatformEvent[];
  logger: CapturingLogger;
  url: string;
  /** Runs one renewal tick by hand (the interval is taken out of the registry: the test drives time). */
  tick(): Promise<SweepReport>;
}

const opened: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of opened.splice(0).reverse()) await close();
});

export async function startWorld(
  opts: {
    clock?: ManualClock;
    wechat?: FakeWeChatPlatform;
    douyin?: FakeDouyinPlatform;
    durable?: MemoryDurableStore;
    /** Storage and fleet options, as given to forRoot (instead of `durable`). */
    storage?: Pick<OpenPlatformModuleOptions, 'storage' | 'redis'>;
    refresh?: OpenPlatformModuleOptions['refresh'];
    retry?: OpenPlatformModuleOptions['retry'];
    schedule?: boolean;
    /** Lifetime of Douyin refresh tokens in seconds (default the platform's 30 days). */
    douyinRefreshSeconds?: number;
  } = {},
): Promise<World> {
  const clock = opts.clock ?? new ManualClock();
  const wechat = opts.wechat ?? new FakeWeChatPlatform({ components: [COMPONENT_A], now: () => clock.now() });
  const douyin =
    opts.douyin ??
    new FakeDouyinPlatform({
      apiVersion: 'v2',
      components: [DOUYIN_COMPONENT],
      now: () => clock.now(),
      authorizerTokenExpiresIn: 3600,
      refreshTokenExpiresIn: opts.douyinRefreshSeconds ?? 30 * 86_400,
    });
  if (!opts.wechat) {
    await Promise.all([wechat.start(), douyin.start()]);
    opened.push(() => Promise.all([wechat.stop(), douyin.stop()]).then(() => undefined));
  }
  const logger = new CapturingLogger();
  const moduleRef = await Test.createTestingModule({
    imports: [
      ...(opts.schedule === false ? [] : [ScheduleModule.forRoot()]),
      OpenPlatformModule.forRoot({
        components: [wechatComponent(COMPONENT_A, wechat.baseUrl), douyinComponent(douyin)],
        refresh: opts.refresh ?? { enabled: true, intervalMs: 60_000 },
        retry: opts.retry ?? TEST_RETRY,
        ...(opts.durable ? { storage: { durable: opts.durable } } : {}),
        ...opts.storage,
      }),
    ],
  })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  const app = moduleRef.createNestApplication({ logger });
  const events: OpenPlatformEvent[] = [];
  app.get(OpenPlatformEvents).events$.subscribe((e) => events.push(e));
  await app.listen(0, '127.0.0.1');
  opened.push(() => app.close());
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  wechat.setEventsUrl(COMPONENT_A.appId, `${url}/open-platform/${COMPONENT_A.appId}/events`);
  douyin.setEventsUrl(DOUYIN_COMPONENT.appId, `${url}/open-platform/${DOUYIN_COMPONENT.appId}/events`);
  const sweep = app.get(RenewalSweep);
  const registry = opts.schedule === false ? undefined : app.get(SchedulerRegistry);
  if (registry?.doesExist('interval', RENEWAL_INTERVAL_NAME)) registry.deleteInterval(RENEWAL_INTERVAL_NAME);
  const tick = async (): Promise<SweepReport> => {
    // The boot tick may still be running: wait for it, then run ours.
    for (;;) {
      const report = await sweep.tick();
      if (report) return report;
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return { app, clock, wechat, douyin, tokens: app.get(TokenService), sweep, events, logger, url, tick };
}

export async function onboard(w: World, shops = SHOPS): Promise<void> {
  await w.wechat.pushTicket(`${w.url}/open-platform/${COMPONENT_A.appId}/events`, COMPONENT_A.appId);
  await w.douyin.pushTicket(`${w.url}/open-platform/${DOUYIN_COMPONENT.appId}/events`, DOUYIN_COMPONENT.appId);
  for (const shop of shops)
    await w.wechat.authorize({ componentAppId: COMPONENT_A.appId, authorizerAppId: shop, push: true });
  await w.douyin.authorize({ componentAppId: DOUYIN_COMPONENT.appId, authorizerAppId: TT_SHOP, push: true });
  await Promise.all([w.wechat.settle(), w.douyin.settle()]);
  for (const shop of shops) expect((await w.tokens.getAuthorizer(shop))?.status).toBe('active');
  expect((await w.tokens.getAuthorizer(TT_SHOP))?.status).toBe('active');
}

/** Authorizer tokens renewed, of one authorizer or of every WeChat one. */
export function refreshed(w: World, authorizerAppId?: string): OpenPlatformEvent[] {
  return w.events.filter(
    (e) =>
      e.type === 'token.refreshed' &&
      e.tokenKind === 'authorizer' &&
      (authorizerAppId === undefined ? e.platform === 'wechat' : e.authorizerAppId === authorizerAppId),
  );
}
