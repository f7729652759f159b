import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FakeWeChatPlatform } from './fake-wechat-platform.js';
import {
  type Info,
  type Json,
  component,
  componentClient,
  errorOf,
  fetchJson,
  MERCHANT,
  other,
  startWithComponentToken,
} from './spec-helpers.js';

describe('FakeWeChatPlatform authorizer endpoints', () => {
  let clock: number;
  let wechat: FakeWeChatPlatform;
  let cat: string;

  const { componentToken, api, onboard, basicInfo } = componentClient(
    () => wechat,
    () => cat,
  );
  const refresh = (refreshToken: string, authorizerAppId = MERCHANT) =>
    api('api_authorizer_token', { authorizer_appid: authorizerAppId, authorizer_refresh_token: refreshToken });

  beforeEach(async () => {
    clock = Date.UTC(2025, 0, 1);
    ({ wechat, cat } = await startWithComponentToken({ components: [component, other], now: () => clock }));
  });

  afterEach(() => wechat.stop());

  describe('component-token check', () => {
    it.each([
      'api_create_preauthcode',
      'api_query_auth',
      'api_authorizer_token',
      'api_get_authorizer_info',
      'api_get_authorizer_list',
    ])('%s: 41001 missing, 40001 forged, 42001 expired, 40013 unknown appid, 40001 foreign token', async (name) => {
      expect(errorOf(await api(name, {}, null))).toEqual([41001, 'access_token missing']);
      expect(errorOf(await api(name, {}, 'cat_forged'))).toEqual([
        40001,
        'invalid credential, access_token is invalid or not latest',
      ]);
      expect(errorOf(await api(name, { component_appid: 'wx_nobody' }))).toEqual([40013, 'invalid appid']);
      expect(errorOf(await api(name, {}, await componentToken(other)))).toEqual([
        40001,
        'invalid credential, access_token is invalid or not latest',
      ]);
      clock += 7200_000;
      expect(errorOf(await api(name, {}))).toEqual([42001, 'access_token expired']);
    });

    it('a component token superseded past its grace is 40001, not 42001', async () => {
      await componentToken();
      clock += 300_000;
      expect(errorOf(await api('api_create_preauthcode', {}))).toEqual([
        40001,
        'invalid credential, access_token is invalid or not latest',
      ]);
    });

    it('answers 47001 to a body that is not a JSON object', async () => {
      const reply = await fetchJson(
        `${wechat.baseUrl}/cgi-bin/component/api_create_preauthcode?component_access_token=${cat}`,
        { method: 'POST', body: 'x' },
      );
      expect(errorOf(reply)).toEqual([47001, 'data format error']);
    });
  });

  describe('api_create_preauthcode', () => {
    it('issues distinct codes with the configured expires_in', async () => {
      const first = await api('api_create_preauthcode', {});
      expect(first).toEqual({ pre_auth_code: expect.stringMatching(/^preauthcode@@@[\w-]+$/), expires_in: 1800 });
      expect((await api('api_create_preauthcode', {})).pre_auth_code).not.toBe(first.pre_auth_code);

      expect(() => new FakeWeChatPlatform({ preAuthCodeExpiresIn: 0 })).toThrow(RangeError);
      await wechat.stop();
      ({ wechat, cat } = await startWithComponentToken({
        components: [component],
        preAuthCodeExpiresIn: 600,
        now: () => clock,
      }));
      expect((await api('api_create_preauthcode', {})).expires_in).toBe(600);
    });
  });

  describe('api_query_auth', () => {
    it('exchanges a code once for the token pair and func_info', async () => {
      const { authorizationCode } = await wechat.authorize({
        componentAppId: component.appId,
        authorizerAppId: MERCHANT,
        funcIds: [1, 15],
      });
      const reply = await api('api_query_auth', { authorization_code: authorizationCode });
      expect(reply).toEqual({
        authorization_info: {
          authorizer_appid: MERCHANT,
          authorizer_access_token: expect.stringMatching(/^aat_/),
          expires_in: 7200,
          authorizer_refresh_token: wechat.authorizerState(component.appId, MERCHANT)?.refreshToken,
          func_info: [{ funcscope_category: { id: 1 } }, { funcscope_category: { id: 15 } }],
        },
      });
      const token = (reply.authorization_info as Info).authorizer_access_token;
      expect(wechat.authorizerOfToken(token)).toBe(MERCHANT);
      expect(errorOf(await api('api_query_auth', { authorization_code: authorizationCode }))).toEqual([
        61009,
        'code is invalid',
      ]);
    });

    it('answers 61009 to unknown, missing and foreign codes, 61010 to expired ones', async () => {
      expect(errorOf(await api('api_query_auth', { authorization_code: 'queryauthcode@@@nope' }))).toEqual([
        61009,
        'code is invalid',
      ]);
      expect(errorOf(await api('api_query_auth', {}))).toEqual([61009, 'code is invalid']);
      const foreign = await wechat.authorize({ componentAppId: other.appId, authorizerAppId: MERCHANT });
      expect(errorOf(await api('api_query_auth', { authorization_code: foreign.authorizationCode }))).toEqual([
        61009,
        'code is invalid',
      ]);

      const { authorizationCode } = await wechat.authorize({
        componentAppId: component.appId,
        authorizerAppId: MERCHANT,
      });
      clock += 600_000;
      cat = await componentToken();
      expect(errorOf(await api('api_query_auth', { authorization_code: authorizationCode }))).toEqual([
        61010,
        'code is expired',
      ]);
    });

    it('voids a code not yet exchanged when the merchant revokes or re-authorizes', async () => {
      const first = await wechat.authorize({ componentAppId: component.appId, authorizerAppId: MERCHANT });
      const second = await wechat.reauthorize(component.appId, MERCHANT);
      expect(errorOf(await api('api_query_auth', { authorization_code: first.authorizationCode }))).toEqual([
        61009,
        'code is invalid',
      ]);
      await wechat.revoke(component.appId, MERCHANT);
      expect(errorOf(await api('api_query_auth', { authorization_code: second.authorizationCode }))).toEqual([
        61009,
        'code is invalid',
      ]);
    });

    it('answers without token fields and with func_info [] when no API permission was granted', async () => {
      const { authorizationCode } = await wechat.authorize({
        componentAppId: component.appId,
        authorizerAppId: MERCHANT,
        grantApi: false,
        funcIds: [1],
      });
      expect(await api('api_query_auth', { authorization_code: authorizationCode })).toEqual({
        authorization_info: { authorizer_appid: MERCHANT, func_info: [] },
      });
      expect(wechat.authorizerState(component.appId, MERCHANT)).toEqual({ status: 'authorized', funcIds: [] });
      const list = await api('api_get_authorizer_list', { offset: 0, count: 10 });
      expect(list.list).toEqual([{ authorizer_appid: MERCHANT, auth_time: clock / 1000 }]);
    });
  });

  describe('api_authorizer_token', () => {
    it('returns a new access token and the same refresh token; the previous access token has a 5 min grace', async () => {
      const first = await onboard();
      clock += 3600_000;
      const refreshed = await refresh(first.authorizer_refresh_token);
      expect(refreshed).toEqual({
        authorizer_access_token: expect.stringMatching(/^aat_/),
        expires_in: 7200,
        authorizer_refresh_token: first.authorizer_refresh_token,
      });
      expect(refreshed.authorizer_access_token).not.toBe(first.authorizer_access_token);

      clock += 300_000 - 1;
      expect((await basicInfo(first.authorizer_access_token)).appid).toBe(MERCHANT);
      clock += 1;
      expect(errorOf(await basicInfo(first.authorizer_access_token))).toEqual([
        40001,
        'invalid credential, access_token is invalid or not latest',
      ]);
      expect(wechat.isAuthorizerTokenValid(refreshed.authorizer_access_token as string)).toBe(true);
    });

    it('accepts the component token as access_token=T too', async () => {
      const { authorizer_refresh_token } = await onboard();
      const body = { authorizer_appid: MERCHANT, authorizer_refresh_token };
      expect((await api('api_authorizer_token', body, cat, 'access_token')).authorizer_access_token).toBeDefined();
      expect(errorOf(await api('api_authorizer_token', body, null))).toEqual([41001, 'access_token missing']);
    });

    it('answers 61023 to a wrong, missing or rotated refresh token and to unknown or revoked authorizers', async () => {
      const { authorizer_refresh_token } = await onboard();
      expect(errorOf(await refresh('refreshtoken@@@wrong'))).toEqual([61023, 'refresh_token is invalid']);
      expect(errorOf(await api('api_authorizer_token', { authorizer_appid: MERCHANT }))).toEqual([
        61023,
        'refresh_token is invalid',
      ]);
      expect(errorOf(await refresh(authorizer_refresh_token, 'wx_stranger'))).toEqual([
        61023,
        'refresh_token is invalid',
      ]);

      const rotated = wechat.rotateRefreshToken(component.appId, MERCHANT);
      expect(rotated).not.toBe(authorizer_refresh_token);
      expect(errorOf(await refresh(authorizer_refresh_token))).toEqual([61023, 'refresh_token is invalid']);
      expect((await refresh(rotated)).authorizer_refresh_token).toBe(rotated);
      const listed = (await api('api_get_authorizer_list', { offset: 0, count: 1 })).list as Json[];
      expect(listed[0].refresh_token).toBe(rotated);

      await wechat.revoke(component.appId, MERCHANT);
      expect(errorOf(await refresh(rotated))).toEqual([61023, 'refresh_token is invalid']);
      expect(() => wechat.rotateRefreshToken(component.appId, MERCHANT)).toThrow(/has not authorized/);
    });

    it('honours authorizerTokenExpiresIn from options and at runtime; tokens expire on the clock (42001)', async () => {
      expect(() => (wechat.authorizerTokenExpiresIn = -5)).toThrow(RangeError);
      wechat.authorizerTokenExpiresIn = 60;
      expect(wechat.authorizerTokenExpiresIn).toBe(60);
      const info = await onboard();
      expect(info.expires_in).toBe(60);
      clock += 59_999;
      expect((await basicInfo(info.authorizer_access_token)).errcode).toBe(0);
      clock += 1;
      expect(errorOf(await basicInfo(info.authorizer_access_token))).toEqual([42001, 'access_token expired']);
      expect(wechat.isAuthorizerTokenValid(info.authorizer_access_token)).toBe(false);
      expect(new FakeWeChatPlatform({ authorizerTokenExpiresIn: 30 }).authorizerTokenExpiresIn).toBe(30);
    });

    it('honours authorizerTokenGraceSeconds', async () => {
      await wechat.stop();
      ({ wechat, cat } = await startWithComponentToken({
        components: [component],
        now: () => clock,
        authorizerTokenGraceSeconds: 0,
      }));
      const first = await onboard();
      await refresh(first.authorizer_refresh_token);
      expect(wechat.isAuthorizerTokenValid(first.authorizer_access_token)).toBe(false);
    });
  });
});
