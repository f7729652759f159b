import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, type INestApplication } from '@nestjs/common';
import { Cron, CronExpression, ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import { firstValueFrom } from 'rxjs';
import {
  OpenPlatformEvents,
  OpenPlatformHttpService,
  OpenPlatformModule,
  TokenService,
  type OpenPlatformEvent,
  type OpenPlatformEventOf,
} from '../lib/index.js';
import { FakeDouyinPlatform, FakeWeChatPlatform } from '../lib/testing/index.js';
import { DOUYIN_COMPONENT, douyinComponent } from './support/douyin-harness.js';
import { COMPONENT_A, wechatComponent } from './support/fixtures.js';

const WX_SHOP = 'wx_realtime_shop';
const TT_SHOP = 'tt_realtime_shop';
/** Long enough for four 5 s WeChat lifetimes and past the 20 s Douyin refresh-token lifetime. */
const IDLE_MS = 21_000;

/** The app's own cron job: with one scheduler registration it fires once a second, never twice. */
@Injectable()
class AppJobs {
  readonly fired: number[] = [];
  @Cron(CronExpression.EVERY_SECOND)
  everySecond(): void {
    this.fired.push(Date.now());
  }
}

// Real time, real scheduler: the module's interval renews everything while nobody calls it.
describe('scheduled renewal in real time, next to the app own cron job (e2e over loopback HTTP)', () => {
  const wechat = new FakeWeChatPlatform({
    components: [COMPONENT_A],
    componentTokenExpiresIn: 5,
    authorizerTokenExpiresIn: 5,
  });
  const douyin = new FakeDouyinPlatform({
    apiVersion: 'v2',
    components: [DOUYIN_COMPONENT],
    authorizerTokenExpiresIn: 3600,
    refreshTokenExpiresIn: 20,
  });
  let app: INestApplication;
  let tokens: TokenService;
  const events: OpenPlatformEvent[] = [];

  beforeAll(async () => {
    await Promise.all([wechat.start(), douyin.start()]);
    const moduleRef = await Test.createTestingModule({
      imports: [
        ScheduleModule.forRoot(),
        OpenPlatformModule.forRoot({
          components: [wechatComponent(COMPONENT_A, wechat.baseUrl), douyinComponent(douyin)],
          refresh: { enabled: true, intervalMs: 1000 },
        }),
      ],
      providers: [AppJobs],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.get(OpenPlatformEvents).events$.subscribe((e) => events.push(e));
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const eventsUrl = (id: string) => `${url}/open-platform/${id}/events`;
    wechat.setEventsUrl(COMPONENT_A.appId, eventsUrl(COMPONENT_A.appId));
    douyin.setEventsUrl(DOUYIN_COMPONENT.appId, eventsUrl(DOUYIN_COMPONENT.appId));
    await wechat.pushTicket(eventsUrl(COMPONENT_A.appId), COMPONENT_A.appId);
    await douyin.pushTicket(eventsUrl(DOUYIN_COMPONENT.appId), DOUYIN_COMPONENT.appId);
    await wechat.authorize({ componentAppId: COMPONENT_A.appId, authorizerAppId: WX_SHOP, push: true });
    await douyin.authorize({ componentAppId: DOUYIN_COMPONENT.appId, authorizerAppId: TT_SHOP, push: true });
    await Promise.all([wechat.settle(), douyin.settle()]);
    tokens = app.get(TokenService);
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all([wechat.stop(), douyin.stop()]);
  });

  it('renews WeChat and Douyin tokens before they expire while nobody calls, and the app job runs once per period', async () => {
    const registry = app.get(SchedulerRegistry);
    expect(registry.getIntervals()).toContain('open-platform:renewal');
    const wxStart = await tokens.getAuthorizer(WX_SHOP);
    const ttStart = await tokens.getAuthorizer(TT_SHOP);
    expect(wxStart?.accessTokenExpiresAt).toBeDefined();
    const jobs = app.get(AppJobs);
    const firedBefore = jobs.fired.length;

    await new Promise((r) => setTimeout(r, IDLE_MS));

    // WeChat: every renewal happened while the token it replaced was still valid.
    const renewedTokens = (kind: 'component' | 'authorizer', platform: string) =>
      events.filter(
        (e): e is OpenPlatformEventOf<'token.refreshed'> =>
          e.type === 'token.refreshed' && e.tokenKind === kind && e.platform === platform,
      );
    const wxRenewals = renewedTokens('authorizer', 'wechat');
    expect(wxRenewals.length).toBeGreaterThanOrEqual(4);
    let validUntil = wxStart!.accessTokenExpiresAt!;
    for (const e of wxRenewals) {
      expect(e.at).toBeLessThan(validUntil);
      validUntil = e.expiresAt;
    }
    const componentRenewals = renewedTokens('component', 'wechat');
    expect(componentRenewals.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < componentRenewals.length; i++)
      expect(componentRenewals[i].at).toBeLessThan(componentRenewals[i - 1].expiresAt);

    // Douyin: refreshed before its 20 s refresh token expired, by refresh (no repair, no reuse).
    const ttRenewals = renewedTokens('authorizer', 'douyin');
    expect(ttRenewals.length).toBeGreaterThanOrEqual(1);
    expect(ttRenewals[0].at).toBeLessThan(ttStart!.refreshTokenExpiresAt!);
    expect(douyin.calls('retrieve_auth_code')).toBe(0);
    expect(douyin.refreshTokenReuses()).toBe(0);
    const ttNow = await tokens.getAuthorizer(TT_SHOP);
    expect(ttNow?.status).toBe('active');
    expect(ttNow?.refreshTokenExpiresAt).toBeGreaterThan(Date.now());

    // After idling, business calls on both platforms succeed without waiting on any renewal: no
    // token endpoint is called while they run. A scheduled renewal may coincide with them by
    // chance (every ~4 s), so a coinciding attempt is repeated; one that waits on a renewal every
    // time fails all three.
    const http = app.get(OpenPlatformHttpService);
    const tokenCalls = () => [
      wechat.calls('api_authorizer_token'),
      wechat.calls('api_component_token'),
      douyin.calls('auth_token'),
    ];
    let quiet = false;
    for (let attempt = 0; attempt < 3 && !quiet; attempt++) {
      const before = tokenCalls();
      const wx = await firstValueFrom(
        http.get<{ errcode: number }>(`${wechat.baseUrl}/cgi-bin/account/getaccountbasicinfo`, {
          authorizerAppId: WX_SHOP,
        }),
      );
      expect(wx.data.errcode).toBe(0);
      const tt = await firstValueFrom(
        http.get<{ err_no?: number }>(`${douyin.baseUrl}/api/apps/v2/basic_info/get_info`, {
          authorizerAppId: TT_SHOP,
        }),
      );
      expect(tt.data.err_no ?? 0).toBe(0);
      quiet = tokenCalls().every((n, i) => n === before[i]);
    }
    expect(quiet).toBe(true);

    // The app's own job: once per second, never twice in one period (the scheduler is not registered twice).
    const fired = jobs.fired.slice(firedBefore);
    expect(fired.length).toBeGreaterThanOrEqual(IDLE_MS / 1000 - 3);
    expect(fired.length).toBeLessThanOrEqual(IDLE_MS / 1000 + 1);
    for (let i = 1; i < fired.length; i++) expect(fired[i] - fired[i - 1]).toBeGreaterThan(500);
  }, 60_000);

  it('the interval leaves the registry when the app closes', async () => {
    const registry = app.get(SchedulerRegistry);
    await app.close();
    expect(registry.doesExist('interval', 'open-platform:renewal')).toBe(false);
    app = undefined as unknown as INestApplication;
  });
});
