import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OpenPlatformHttpService } from '../lib/index.js';
import { merchantAuthorizes } from './support/authorize-flow.js';
import { COMPONENT_A } from './support/fixtures.js';
import { startHarness, type Harness } from './support/harness.js';

const SHOP = 'wx_category_shop';

// A user emulates an API their app calls (here /wxa/get_category) and drives it through the
// library: the endpoint accepts only a valid authorizer token, exactly like the built-in ones.
describe('the emulator serves endpoints users add (e2e)', () => {
  let h: Harness;
  let http: OpenPlatformHttpService;
  const url = () => `${h.fake.baseUrl}/wxa/get_category`;

  beforeAll(async () => {
    h = await startHarness({ singleComponent: true });
    await h.fake.pushTicket(h.eventsUrl(), COMPONENT_A.appId);
    h.fake.route(
      'GET',
      '/wxa/get_category',
      h.fake.requireAuthorizer((_req, caller) => ({
        body: { errcode: 0, errmsg: 'ok', appid: caller.authorizerAppId, category_list: [] },
      })),
    );
    expect((await merchantAuthorizes(h, SHOP)).body).toEqual({ authorizerAppId: SHOP, status: 'active' });
    http = h.app.get(OpenPlatformHttpService);
  });

  afterAll(() => h.close());

  it('a call as the authorizer gets its token injected and accepted', async () => {
    const res = await http.axiosRef.get<{ errcode: number; appid: string }>(url(), { authorizerAppId: SHOP });
    expect(res.data).toMatchObject({ errcode: 0, appid: SHOP });
    expect(h.fake.businessCalls().at(-1)?.authorizerAppId).toBe(SHOP);
  });

  it('the same call without the library token is refused the platform way', async () => {
    expect(await (await fetch(url())).json()).toMatchObject({ errcode: 41001 });
  });

  it('a token the platform killed is refused with 40001, renewed by the library and the call retried once', async () => {
    h.fake.killAuthorizerAccessTokens(COMPONENT_A.appId, SHOP);
    const before = h.fake.calls('api_authorizer_token');
    const res = await http.axiosRef.get<{ errcode: number; appid: string }>(url(), { authorizerAppId: SHOP });
    expect(res.data).toMatchObject({ errcode: 0, appid: SHOP });
    expect(h.fake.calls('api_authorizer_token')).toBe(before + 1);
    expect(h.fake.calls('/wxa/get_category')).toBe(4);
  });
});
