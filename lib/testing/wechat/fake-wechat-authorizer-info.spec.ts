import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { FakeWeChatPlatform } from './fake-wechat-platform.js';
import {
  type Json,
  component,
  componentClient,
  errorOf,
  fetchJson,
  MERCHANT,
  other,
  startWithComponentToken,
} from './spec-helpers.js';

describe('FakeWeChatPlatform authorizer info, list and business endpoint', () => {
  let clock: number;
  let wechat: FakeWeChatPlatform;
  let cat: string;

  const { api, onboard, basicInfo } = componentClient(
    () => wechat,
    () => cat,
  );

  beforeEach(async () => {
    clock = Date.UTC(2025, 0, 1);
    ({ wechat, cat } = await startWithComponentToken({ components: [component, other], now: () => clock }));
  });

  afterEach(() => wechat.stop());

  describe('api_get_authorizer_info', () => {
    it('describes an authorized merchant and answers 61003 for unknown or revoked ones', async () => {
      await wechat.authorize({
        componentAppId: component.appId,
        authorizerAppId: MERCHANT,
        funcIds: [7],
        nickName: 'Shop',
      });
      const reply = await api('api_get_authorizer_info', { authorizer_appid: MERCHANT });
      expect(reply).toEqual({
        authorizer_info: {
          nick_name: 'Shop',
          head_img: '',
          service_type_info: { id: 2 },
          verify_type_info: { id: 0 },
          user_name: expect.stringMatching(/^gh_[0-9a-f]{12}$/),
          principal_name: 'Shop Co., Ltd.',
        },
        authorization_info: { authorizer_appid: MERCHANT, func_info: [{ funcscope_category: { id: 7 } }] },
      });
      const notAuthorized = [61003, 'component is not authorized by this account'];
      expect(errorOf(await api('api_get_authorizer_info', { authorizer_appid: 'wx_stranger' }))).toEqual(notAuthorized);
      await wechat.revoke(component.appId, MERCHANT);
      expect(errorOf(await api('api_get_authorizer_info', { authorizer_appid: MERCHANT }))).toEqual(notAuthorized);
    });
  });

  describe('api_get_authorizer_list', () => {
    it('pages authorized merchants in authorization order and skips revoked ones', async () => {
      for (const id of ['wx_m1', 'wx_m2', 'wx_m3', 'wx_m4']) {
        await wechat.authorize({ componentAppId: component.appId, authorizerAppId: id });
        clock += 1000;
      }
      await wechat.authorize({ componentAppId: other.appId, authorizerAppId: 'wx_elsewhere' });
      await wechat.reauthorize(component.appId, 'wx_m1'); // keeps its place
      await wechat.revoke(component.appId, 'wx_m3');

      const page1 = await api('api_get_authorizer_list', { offset: 0, count: 2 });
      expect(page1.total_count).toBe(3);
      expect(page1.list).toEqual([
        {
          authorizer_appid: 'wx_m1',
          refresh_token: wechat.authorizerState(component.appId, 'wx_m1')?.refreshToken,
          auth_time: clock / 1000,
        },
        {
          authorizer_appid: 'wx_m2',
          refresh_token: wechat.authorizerState(component.appId, 'wx_m2')?.refreshToken,
          auth_time: clock / 1000 - 3,
        },
      ]);
      const page2 = await api('api_get_authorizer_list', { offset: '2', count: '2' });
      expect((page2.list as Json[]).map((e) => e.authorizer_appid)).toEqual(['wx_m4']);
      expect((await api('api_get_authorizer_list', { offset: 5, count: 500 })).list).toEqual([]);
    });

    it.each([
      ['count 501', { offset: 0, count: 501 }],
      ['count 0', { offset: 0, count: 0 }],
      ['missing count', { offset: 0 }],
      ['negative offset', { offset: -1, count: 10 }],
      ['fractional count', { offset: 0, count: 1.5 }],
    ])('answers 40097 to %s', async (_case, body) => {
      expect(errorOf(await api('api_get_authorizer_list', body))).toEqual([40097, 'invalid args']);
    });

    it('omits refresh_token for an entry hidden with hideRefreshTokenInList', async () => {
      await wechat.authorize({ componentAppId: component.appId, authorizerAppId: MERCHANT });
      wechat.hideRefreshTokenInList(component.appId, MERCHANT);
      expect((await api('api_get_authorizer_list', { offset: 0, count: 1 })).list).toEqual([
        { authorizer_appid: MERCHANT, auth_time: clock / 1000 },
      ]);
      wechat.hideRefreshTokenInList(component.appId, MERCHANT, false);
      expect(
        ((await api('api_get_authorizer_list', { offset: 0, count: 1 })).list as Json[])[0].refresh_token,
      ).toBeDefined();
    });
  });

  describe('business endpoint getaccountbasicinfo', () => {
    it('accepts a valid authorizer token by GET and POST and records the calls', async () => {
      const { authorizer_access_token: token } = await onboard();
      const expected = {
        errcode: 0,
        errmsg: 'ok',
        appid: MERCHANT,
        account_type: 1,
        principal_type: 1,
        principal_name: `Merchant ${MERCHANT} Co., Ltd.`,
        realname_status: 1,
      };
      expect(await basicInfo(token)).toEqual(expected);
      const url = `${wechat.baseUrl}/cgi-bin/account/getaccountbasicinfo?access_token=${token}`;
      expect(await fetchJson(url, { method: 'POST', body: '{}' })).toEqual(expected);
      await basicInfo('aat_forged');
      expect(wechat.businessCalls()).toEqual([
        { authorizerAppId: MERCHANT, token },
        { authorizerAppId: MERCHANT, token },
      ]);
      expect(wechat.calls('getaccountbasicinfo')).toBe(3);
      wechat.resetCalls();
      expect(wechat.businessCalls()).toEqual([]);
      expect(wechat.calls('getaccountbasicinfo')).toBe(0);
    });

    it('answers 41001 without a token, 40001 to unknown, component and killed tokens', async () => {
      const invalid = [40001, 'invalid credential, access_token is invalid or not latest'];
      expect(errorOf(await fetchJson(`${wechat.baseUrl}/cgi-bin/account/getaccountbasicinfo`))).toEqual([
        41001,
        'access_token missing',
      ]);
      expect(errorOf(await basicInfo('aat_unknown'))).toEqual(invalid);
      expect(errorOf(await basicInfo(cat))).toEqual(invalid);

      const { authorizer_access_token: token } = await onboard();
      const second = await onboard('wx_merchant_2');
      wechat.killAuthorizerAccessTokens(component.appId, MERCHANT);
      expect(errorOf(await basicInfo(token))).toEqual(invalid);
      expect(wechat.authorizerOfToken(token)).toBeUndefined();
      expect((await basicInfo(second.authorizer_access_token)).appid).toBe('wx_merchant_2');
      expect(wechat.businessCalls()).toEqual([
        { authorizerAppId: 'wx_merchant_2', token: second.authorizer_access_token },
      ]);
    });
  });
});
