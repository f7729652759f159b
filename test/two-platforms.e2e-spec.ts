import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { firstValueFrom } from 'rxjs';
import { Clock } from '../lib/clock/clock.js';
import {
  AsAuthorizer,
  OpenPlatformErrorCode,
  OpenPlatformHttpService,
  OpenPlatformModule,
  TokenService,
} from '../lib/index.js';
import { FakeDouyinPlatform, FakeWeChatPlatform } from '../lib/testing/index.js';
import { DOUYIN_COMPONENT, douyinComponent } from './support/douyin-harness.js';
import { COMPONENT_A, wechatComponent } from './support/fixtures.js';
import { ManualClock } from './support/manual-clock.js';
import { rejection } from './support/rejection.js';

const WX_SHOP = 'wx_two_platforms_shop';
const TT_SHOP = 'tt_two_platforms_shop';
type Answer = { errcode?: number; err_no?: number; errno?: number; appid?: string };

let douyinBase = '';

@Injectable()
class MixedApi {
  constructor(private readonly http: OpenPlatformHttpService) {}

  /** Named by appid only: the component (and so the platform and its token transport) is found. */
  @AsAuthorizer((appId: string) => appId)
  async douyinInfo(appId: string): Promise<Answer> {
    void appId;
    return (await firstValueFrom(this.http.get<Answer>(`${douyinBase}/api/apps/v2/basic_info/get_info`))).data;
  }
}

@Module({ providers: [MixedApi] })
class MixedModule {}

// One app runs a WeChat and a Douyin component; calls that name only an authorizer find its
// component, its platform and the platform's way of carrying the token.
describe('WeChat and Douyin components in one app (e2e over loopback HTTP)', () => {
  const clock = new ManualClock();
  const wechat = new FakeWeChatPlatform({ components: [COMPONENT_A], now: () => clock.now() });
  const douyin = new FakeDouyinPlatform({ apiVersion: 'v2', components: [DOUYIN_COMPONENT], now: () => clock.now() });
  let app: INestApplication;
  let tokens: TokenService;
  let http: OpenPlatformHttpService;

  beforeAll(async () => {
    await Promise.all([wechat.start(), douyin.start()]);
    douyinBase = douyin.baseUrl;
    const moduleRef = await Test.createTestingModule({
      imports: [
        OpenPlatformModule.forRoot({
          components: [wechatComponent(COMPONENT_A, wechat.baseUrl), douyinComponent(douyin)],
          isGlobal: true,
        }),
        MixedModule,
      ],
    })
      .overrideProvider(Clock)
      .useValue(clock)
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const events = (appId: string) => `${url}/open-platform/${appId}/events`;
    wechat.setEventsUrl(COMPONENT_A.appId, events(COMPONENT_A.appId));
    douyin.setEventsUrl(DOUYIN_COMPONENT.appId, events(DOUYIN_COMPONENT.appId));
    expect((await wechat.pushTicket(events(COMPONENT_A.appId), COMPONENT_A.appId)).status).toBe(200);
    expect((await douyin.pushTicket(events(DOUYIN_COMPONENT.appId), DOUYIN_COMPONENT.appId)).status).toBe(200);
    // Both merchants authorize by push only (no redirect): the module exchanges the pushed codes.
    await wechat.authorize({ componentAppId: COMPONENT_A.appId, authorizerAppId: WX_SHOP, push: true });
    await douyin.authorize({ componentAppId: DOUYIN_COMPONENT.appId, authorizerAppId: TT_SHOP, push: true });
    await Promise.all([wechat.settle(), douyin.settle()]);
    tokens = app.get(TokenService);
    http = app.get(OpenPlatformHttpService);
  });

  afterAll(async () => {
    await app.close();
    await Promise.all([wechat.stop(), douyin.stop()]);
  });

  it('getAuthorizerAccessToken finds each authorizer on its own platform', async () => {
    expect(wechat.isAuthorizerTokenValid(await tokens.getAuthorizerAccessToken(WX_SHOP))).toBe(true);
    expect(douyin.isAuthorizerTokenValid(await tokens.getAuthorizerAccessToken(TT_SHOP))).toBe(true);
    expect(await tokens.getAuthorizer(TT_SHOP)).toMatchObject({
      platform: 'douyin',
      componentAppId: DOUYIN_COMPONENT.appId,
    });
  });

  it('{ authorizerAppId } and @AsAuthorizer inject each platform its own way (query vs access-token header)', async () => {
    const wx = await firstValueFrom(
      http.get<Answer>(`${wechat.baseUrl}/cgi-bin/account/getaccountbasicinfo`, { authorizerAppId: WX_SHOP }),
    );
    expect(wx.data).toMatchObject({ errcode: 0, appid: WX_SHOP });
    const tt = await firstValueFrom(
      http.get<Answer>(`${douyin.baseUrl}/api/apps/v2/basic_info/get_info`, { authorizerAppId: TT_SHOP }),
    );
    expect(tt.data.err_no ?? tt.data.errno ?? 0).toBe(0);
    expect((await app.get(MixedApi).douyinInfo(TT_SHOP)).err_no ?? 0).toBe(0);
    expect(douyin.businessCalls().map((c) => c.authorizerAppId)).toEqual([TT_SHOP, TT_SHOP]);
  });

  it('an authorizer of neither component: AUTHORIZER_NOT_FOUND naming both components, no platform call', async () => {
    const before = douyin.calls('auth_token') + wechat.calls('api_authorizer_token');
    const err = await rejection(tokens.getAuthorizerAccessToken('tt_nobody'));
    expect(err.code).toBe(OpenPlatformErrorCode.AUTHORIZER_NOT_FOUND);
    expect(err.message).toContain(`${COMPONENT_A.appId} (wechat)`);
    expect(err.message).toContain(`${DOUYIN_COMPONENT.appId} (douyin)`);
    expect(douyin.calls('auth_token') + wechat.calls('api_authorizer_token')).toBe(before);
  });
});
