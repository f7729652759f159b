import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Module } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import { DurableStore, OpenPlatformErrorCode, OpenPlatformHttpService } from '../lib/index.js';
import { StoreKeys } from '../lib/store/store-keys.js';
import { merchantAuthorizes } from './support/authorize-flow.js';
import { COMPONENT_A, COMPONENT_B } from './support/fixtures.js';
import { startHarness, type Harness } from './support/harness.js';
import { rejection } from './support/rejection.js';
import { ShopApi, type Basic } from './support/shop-api.js';

const A = COMPONENT_A.appId;
const B = COMPONENT_B.appId;
const ONLY_A = 'wx_only_on_a';
const ONLY_B = 'wx_only_on_b';
const BOTH = 'wx_on_both';

@Module({ providers: [ShopApi] })
class ShopModule {}

// Two components in one app: calls that name an authorizer but not its component find the one
// whose records hold it.
describe('several components: authorizer-scoped calls without componentAppId (e2e)', () => {
  let h: Harness;
  let http: OpenPlatformHttpService;
  let shops: ShopApi;
  const basicUrl = () => `${h.fake.baseUrl}/cgi-bin/account/getaccountbasicinfo`;

  beforeAll(async () => {
    h = await startHarness({ options: { isGlobal: true }, imports: [ShopModule] });
    for (const c of [A, B]) await h.fake.pushTicket(h.eventsUrl(c), c);
    await merchantAuthorizes(h, ONLY_A, { componentAppId: A });
    await merchantAuthorizes(h, ONLY_B, { componentAppId: B });
    await merchantAuthorizes(h, BOTH, { componentAppId: A });
    await merchantAuthorizes(h, BOTH, { componentAppId: B });
    await h.fake.settle();
    http = h.app.get(OpenPlatformHttpService);
    shops = h.app.get(ShopApi);
  });

  afterAll(() => h.close());

  it('getAuthorizerAccessToken, a request config and @AsAuthorizer find the component that holds the authorizer', async () => {
    const tokenA = await h.tokens.getAuthorizerAccessToken(ONLY_A);
    const tokenB = await h.tokens.getAuthorizerAccessToken(ONLY_B);
    expect(h.fake.authorizerOfToken(tokenA)).toBe(ONLY_A);
    expect(h.fake.authorizerOfToken(tokenB)).toBe(ONLY_B);
    const viaConfig = await firstValueFrom(http.get<Basic>(basicUrl(), { authorizerAppId: ONLY_B }));
    expect(viaConfig.data).toMatchObject({ errcode: 0, appid: ONLY_B });
    expect(await shops.basic(ONLY_A, h.fake.baseUrl)).toMatchObject({ errcode: 0, appid: ONLY_A });
    expect(await h.tokens.getAuthorizer(ONLY_B)).toMatchObject({ componentAppId: B, status: 'active' });
  });

  it('an authorizer of several components is ambiguous: UNKNOWN_COMPONENT naming them; componentAppId settles it', async () => {
    const err = await rejection(h.tokens.getAuthorizerAccessToken(BOTH));
    expect(err.code).toBe(OpenPlatformErrorCode.UNKNOWN_COMPONENT);
    expect(err.message).toContain(A);
    expect(err.message).toContain(B);
    expect((await rejection(shops.basic(BOTH, h.fake.baseUrl))).code).toBe(OpenPlatformErrorCode.UNKNOWN_COMPONENT);
    const token = await h.tokens.getAuthorizerAccessToken(BOTH, { componentAppId: B });
    expect(h.fake.authorizerOfToken(token)).toBe(BOTH);
  });

  it('an authorizer no component holds → AUTHORIZER_NOT_FOUND from the records alone, no platform call', async () => {
    h.fake.resetCalls();
    const err = await rejection(h.tokens.getAuthorizerAccessToken('wx_nobody_anywhere'));
    expect(err.code).toBe(OpenPlatformErrorCode.AUTHORIZER_NOT_FOUND);
    expect(err.message).toContain('pass componentAppId');
    expect((await rejection(h.tokens.getAuthorizer('wx_nobody_anywhere'))).code).toBe(
      OpenPlatformErrorCode.AUTHORIZER_NOT_FOUND,
    );
    expect(h.fake.calls('api_get_authorizer_list')).toBe(0);
    expect(h.fake.calls('api_authorizer_token')).toBe(0);
  });

  it('a resolved component is remembered: a record lost afterwards is repaired from that component', async () => {
    await h.tokens.getAuthorizerAccessToken(ONLY_A);
    await h.app.get(DurableStore).delete(StoreKeys.authorizer('wechat', A, ONLY_A));
    const token = await h.tokens.getAuthorizerAccessToken(ONLY_A, { forceRefresh: true });
    expect(h.fake.authorizerOfToken(token)).toBe(ONLY_A);
    expect(await h.tokens.getAuthorizer(ONLY_A)).toMatchObject({ componentAppId: A, status: 'active' });
  });

  it('component-scoped calls still need componentAppId', async () => {
    expect((await rejection(h.tokens.getComponentAccessToken())).code).toBe(OpenPlatformErrorCode.UNKNOWN_COMPONENT);
    expect((await rejection(h.tokens.listAuthorizers())).code).toBe(OpenPlatformErrorCode.UNKNOWN_COMPONENT);
  });
});
