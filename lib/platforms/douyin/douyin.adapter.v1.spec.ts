import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import axios from 'axios';
import { DouyinAdapter } from './douyin.adapter.js';
import { COMPONENT_APPID, douyinComponent, douyinFailure, PAGE_URL, RecordedPlatform } from './spec-helpers.js';

// The token answer of the V1 documentation (flat, no envelope).
const TOKEN = {
  authorizer_access_token: '08021218466f6f2b4d672f3658783566365448746a7a325679513d3d',
  expires_in: 7200,
  authorizer_refresh_token: '0740283fdbbc11174807dfcbe9b6b566bc5e7542305b1f0d9cb958eba030488c',
  refresh_expires_in: 2592000,
  authorizer_appid: 'tt_authorizer_01',
  authorize_permission: [{ id: 1, category: '开发管理权限', description: '帮助小程序进行功能开发和开发设置' }],
};
const CT = 'v1-component-token';
/** V1 sends the component token in the query, always with component_appid. */
const TOKEN_QUERY = { component_appid: COMPONENT_APPID, component_access_token: CT };

describe('DouyinAdapter, V1 (open.microapp.bytedance.com)', () => {
  const platform = new RecordedPlatform();
  const adapter = new DouyinAdapter(axios.create());
  let component: ReturnType<typeof douyinComponent>;

  beforeAll(async () => {
    await platform.start();
    component = douyinComponent(platform.baseUrl, 'v1');
  });
  afterAll(() => platform.stop());
  beforeEach(() => {
    platform.received.splice(0);
  });

  it('fetches the component token (GET, secret in the query)', async () => {
    platform.answer({ component_access_token: CT, expires_in: 7200 });
    await expect(adapter.fetchComponentToken(component, 'ticket-1')).resolves.toEqual({
      accessToken: CT,
      expiresIn: 7200,
    });
    const req = platform.last();
    expect([req.method, req.path]).toEqual(['GET', '/openapi/v1/auth/tp/token']);
    expect(req.query).toEqual({
      component_appid: COMPONENT_APPID,
      component_appsecret: 'dy-secret',
      component_ticket: 'ticket-1',
    });
  });

  it('builds the authorization page link on a fresh pre-auth code', async () => {
    platform.answer({ pre_auth_code: 'pre-v1', expires_in: 600 });
    const link = await adapter.authorizationLink(component, CT, {
      redirectUri: 'https://app.example/cb?x=1',
      mobile: true,
    });
    const url = new URL(link);
    expect(url.origin + url.pathname).toBe(PAGE_URL);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      component_appid: COMPONENT_APPID,
      pre_auth_code: 'pre-v1',
      redirect_uri: 'https://app.example/cb?x=1',
    });
    const req = platform.last();
    expect([req.method, req.path]).toEqual(['POST', '/openapi/v2/auth/pre_auth_code']);
    expect(req.query).toEqual(TOKEN_QUERY);
    expect(req.body).toEqual({});
    expect(req.headers['access-token']).toBeUndefined();
  });

  it('exchanges a code at oauth/token (seed document request and answer)', async () => {
    platform.answer(TOKEN);
    await expect(adapter.exchangeCode(component, CT, 'code-1')).resolves.toEqual({
      authorizerAppId: 'tt_authorizer_01',
      accessToken: TOKEN.authorizer_access_token,
      expiresIn: 7200,
      refreshToken: TOKEN.authorizer_refresh_token,
      refreshExpiresIn: 2592000,
      permissions: [1],
    });
    const req = platform.last();
    expect([req.method, req.path]).toEqual(['GET', '/openapi/v1/oauth/token']);
    expect(req.query).toEqual({
      ...TOKEN_QUERY,
      authorization_code: 'code-1',
      grant_type: 'app_to_tp_authorization_code',
    });
  });

  it('refreshes at the same URL with the refresh grant', async () => {
    platform.answer({ ...TOKEN, authorizer_refresh_token: 'next-refresh' });
    const grant = await adapter.refreshAuthorizerToken(component, CT, 'tt_authorizer_01', 'old-refresh');
    expect(grant.refreshToken).toBe('next-refresh');
    const req = platform.last();
    expect(req.path).toBe('/openapi/v1/oauth/token');
    expect(req.query).toEqual({
      ...TOKEN_QUERY,
      authorizer_refresh_token: 'old-refresh',
      grant_type: 'app_to_tp_refresh_token',
    });
  });

  it('retrieves an authorization code (appid in the query)', async () => {
    platform.answer({ authorization_code: 'code-again', expires_in: 3600 });
    await expect(adapter.retrieveAuthorizationCode(component, CT, 'tt_authorizer_01')).resolves.toBe('code-again');
    const req = platform.last();
    expect([req.method, req.path]).toEqual(['POST', '/openapi/v1/auth/retrieve']);
    expect(req.query).toEqual({ ...TOKEN_QUERY, authorization_appid: 'tt_authorizer_01' });
  });

  it('lists authorized apps', async () => {
    platform.answer({ auth_app_list: [{ auth_appid: 'tt_a', auth_time: 1700000000 }], total: 1 });
    await expect(adapter.listAuthorizers(component, CT, 0)).resolves.toEqual({
      total: 1,
      entries: [{ authorizerAppId: 'tt_a', authorizedAt: 1700000000_000 }],
    });
    const req = platform.last();
    expect([req.method, req.path]).toEqual(['GET', '/openapi/v1/tp/auth_app_list']);
    expect(req.query).toEqual({ ...TOKEN_QUERY, page: '1', size: '50' });
  });

  it.each([
    [40009, 'token_rejected'],
    [40010, 'token_rejected'],
    [40018, 'code_invalid'],
    [40021, 'refresh_token_invalid'],
    [40038, 'component_unusable'],
    [40040, undefined],
  ])('flat error errno %d → failure kind %s', async (errno, kind) => {
    platform.answer({ errno, message: '错误' });
    const err = await douyinFailure(adapter.exchangeCode(component, CT, 'code'));
    expect(err.code).toBe(errno);
    expect(err.message).toMatch(new RegExp(`^douyin auth token failed with errno ${errno} \\(错误\\): `));
    expect(adapter.failureKind(err)).toBe(kind);
    platform.received.splice(0);
  });

  it('a V1 token answer whose errno is a numeric string is still an error', async () => {
    platform.answer({ errno: '40045', message: '生成 token 失败,请重试' });
    const err = await douyinFailure(adapter.fetchComponentToken(component, 't'));
    expect([err.code, err.retryable]).toEqual([40045, true]);
  });
});
