import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import axios from 'axios';
import { OpenPlatformErrorCode } from '../../errors/open-platform.error.js';
import { DouyinAdapter } from './douyin.adapter.js';
import { COMPONENT_APPID, douyinComponent, douyinFailure, RecordedPlatform } from './spec-helpers.js';

// Answers as Douyin's V2 documentation records them.
const CLT = 'clt.05efabc0123456789qPf9pWBo0IKVHmSKce5EvKX';
const ENVELOPE = { err_no: 0, err_msg: '', log_id: '202401121734538F484F2C844C5C32253C' };
const TOKEN_DATA = {
  authorizer_access_token: 'isvact.0123456789abcdef',
  expires_in: 7200,
  authorizer_refresh_token: 'isvrft.fedcba9876543210',
  refresh_expires_in: 2592000,
  authorizer_appid: 'tt_authorizer_01',
  authorize_permission: [
    { id: 1, category: '开发管理权限', description: '帮助小程序进行功能开发和开发设置' },
    { id: 4, category: '数据分析权限', description: '能够获得小程序相关数据并进行数据分析' },
  ],
};

describe('DouyinAdapter, V2 (open.douyin.com, the default)', () => {
  const platform = new RecordedPlatform();
  const adapter = new DouyinAdapter(axios.create());
  let component: ReturnType<typeof douyinComponent>;

  beforeAll(async () => {
    await platform.start();
    component = douyinComponent(platform.baseUrl);
  });
  afterAll(() => platform.stop());
  beforeEach(() => {
    platform.received.splice(0);
  });

  it('fetches the component token with the secret in the query and no token header', async () => {
    platform.answer({ component_access_token: CLT, expires_in: 3600 });
    await expect(adapter.fetchComponentToken(component, 'ticket-1')).resolves.toEqual({
      accessToken: CLT,
      expiresIn: 3600,
    });
    const req = platform.last();
    expect(req.method).toBe('GET');
    expect(req.path).toBe('/openapi/v2/auth/tp/token/');
    expect(req.query).toEqual({
      component_appid: COMPONENT_APPID,
      component_appsecret: 'dy-secret',
      component_ticket: 'ticket-1',
    });
    expect(req.headers['access-token']).toBeUndefined();
  });

  it('reads the component-token endpoint errors in their flat form', async () => {
    platform.answer({ errno: 40037, message: 'component_ticket 不正确' });
    const err = await douyinFailure(adapter.fetchComponentToken(component, 'stale'));
    expect(err.code).toBe(40037);
    expect(err.message).toContain('component_ticket 不正确');
    expect(err.message).toContain('waiting for the next push');
    expect(err.message).not.toContain('dy-secret');
    expect(err.retryable).toBe(false);
  });

  it('creates a pre-auth code with the component token in the access-token header', async () => {
    platform.answer({ ...ENVELOPE, data: { pre_auth_code: 'pre-1', expires_in: 600 } });
    await expect(adapter.createPreAuthCode(component, CLT)).resolves.toEqual({ code: 'pre-1', expiresIn: 600 });
    const req = platform.last();
    expect([req.method, req.path]).toEqual(['POST', '/api/tpapp/v3/auth/get_pre_auth_code/']);
    expect(req.headers['access-token']).toBe(CLT);
    expect(req.query).toEqual({});
  });

  it('gets the authorization link from gen_link', async () => {
    platform.answer({ ...ENVELOPE, data: { link: 'https://open.douyin.com/auth/link/abc' } });
    const link = await adapter.authorizationLink(component, CLT, { redirectUri: 'https://app.example/authorized' });
    expect(link).toBe('https://open.douyin.com/auth/link/abc');
    const req = platform.last();
    expect([req.method, req.path]).toEqual(['POST', '/api/tpapp/v3/auth/gen_link/']);
    expect(req.headers['access-token']).toBe(CLT);
    expect(req.headers['content-type']).toContain('application/json');
    expect(req.body).toEqual({ link_type: 1, redirect_uri: 'https://app.example/authorized' });
  });

  it('gen_link errors come 200-prefixed', async () => {
    platform.answer({ err_no: 20040001, err_msg: '参数错误', log_id: 'x', data: {} });
    const err = await douyinFailure(adapter.authorizationLink(component, CLT, { redirectUri: 'https://a.example/' }));
    expect(err.code).toBe(20040001);
    expect(err.message).toContain('bad parameter');
  });

  it('exchanges an authorization code (get_auth_token, header access-token)', async () => {
    platform.answer({ ...ENVELOPE, data: TOKEN_DATA });
    await expect(adapter.exchangeCode(component, CLT, 'code-1')).resolves.toEqual({
      authorizerAppId: 'tt_authorizer_01',
      accessToken: TOKEN_DATA.authorizer_access_token,
      expiresIn: 7200,
      refreshToken: TOKEN_DATA.authorizer_refresh_token,
      refreshExpiresIn: 2592000,
      permissions: [1, 4],
    });
    const req = platform.last();
    expect([req.method, req.path]).toEqual(['GET', '/api/tpapp/v2/auth/get_auth_token/']);
    expect(req.query).toEqual({ grant_type: 'app_to_tp_authorization_code', authorization_code: 'code-1' });
    expect(req.headers['access-token']).toBe(CLT);
  });

  it('refreshes with the refresh grant; an answer without appid and permissions keeps the caller’s appid', async () => {
    const { authorizer_appid: _a, authorize_permission: _p, ...refreshed } = TOKEN_DATA;
    platform.answer({ ...ENVELOPE, data: { ...refreshed, authorizer_refresh_token: 'isvrft.next' } });
    const grant = await adapter.refreshAuthorizerToken(component, CLT, 'tt_authorizer_01', 'isvrft.old');
    expect(grant).toEqual({
      authorizerAppId: 'tt_authorizer_01',
      accessToken: TOKEN_DATA.authorizer_access_token,
      expiresIn: 7200,
      refreshToken: 'isvrft.next',
      refreshExpiresIn: 2592000,
      permissions: undefined,
    });
    const req = platform.last();
    expect(req.path).toBe('/api/tpapp/v2/auth/get_auth_token/');
    expect(req.query).toEqual({ grant_type: 'app_to_tp_refresh_token', authorizer_refresh_token: 'isvrft.old' });
    expect(req.headers['access-token']).toBe(CLT);
  });

  it('a refused refresh token (either code form) is refresh_token_invalid', async () => {
    for (const errNo of [40021, 20040021]) {
      platform.answer({ err_no: errNo, err_msg: 'authorizer_refresh_token 不正确或者已过期', log_id: 'x' });
      const err = await douyinFailure(adapter.refreshAuthorizerToken(component, CLT, 'tt_a', 'isvrft.used'));
      expect(err.code).toBe(errNo);
      expect(err.message).toContain('chain is broken');
      expect(adapter.failureKind(err)).toBe('refresh_token_invalid');
    }
    platform.received.splice(0);
  });

  it('retrieves an authorization code for an existing authorization', async () => {
    platform.answer({ ...ENVELOPE, data: { authorization_code: 'code-again', expires_in: 3600 } });
    await expect(adapter.retrieveAuthorizationCode(component, CLT, 'tt_authorizer_01')).resolves.toBe('code-again');
    const req = platform.last();
    expect([req.method, req.path]).toEqual(['POST', '/api/tpapp/v2/auth/retrieve_auth_code/']);
    expect(req.body).toEqual({ authorization_appid: 'tt_authorizer_01' });
    expect(req.headers['access-token']).toBe(CLT);
    expect(req.query).toEqual({});
  });

  it('lists authorized apps by page (1-based, size 50); entries have no refresh token', async () => {
    platform.answer({
      ...ENVELOPE,
      data: {
        auth_app_list: [
          { auth_appid: 'tt_a', auth_time: 1700000000 },
          { auth_appid: 'tt_b', auth_time: '2024-01-02 08:00:00' },
          { auth_time: 1 },
        ],
        total: 51,
      },
    });
    await expect(adapter.listAuthorizers(component, CLT, 1)).resolves.toEqual({
      total: 51,
      entries: [
        { authorizerAppId: 'tt_a', authorizedAt: 1700000000_000 },
        { authorizerAppId: 'tt_b', authorizedAt: Date.UTC(2024, 0, 2, 0, 0, 0) },
      ],
    });
    const req = platform.last();
    expect([req.method, req.path]).toEqual(['GET', '/api/tpapp/v2/auth/get_auth_app_list/']);
    expect(req.query).toEqual({ page: '2', size: '50' });
    expect(req.headers['access-token']).toBe(CLT);
    expect(adapter.listPageSize).toBe(50);
  });

  it.each([
    [40045, true],
    [20040045, true],
    [-1, true],
    [40022, false],
    [20040004, false],
  ])('errno %d is retryable: %s', async (code, retryable) => {
    platform.answer({ err_no: code, err_msg: 'x', log_id: 'x' });
    const err = await douyinFailure(adapter.retrieveAuthorizationCode(component, CLT, 'tt_a'));
    expect([err.code, err.retryable]).toEqual([code, retryable]);
    platform.received.splice(0);
  });

  it('a non-2xx answer, a non-JSON answer or a success without the token is a retryable TRANSPORT error', async () => {
    platform.answer({ err_msg: 'boom' }, 502);
    platform.answer('<html>busy</html>');
    platform.answer({ ...ENVELOPE, data: { expires_in: 7200 } });
    for (let i = 0; i < 3; i++) {
      const err = await douyinFailure(adapter.exchangeCode(component, CLT, 'code-1'));
      expect([err.code, err.retryable]).toEqual([OpenPlatformErrorCode.TRANSPORT, true]);
    }
    platform.received.splice(0);
  });

  it('an expired code is code_invalid; a rejected component token is token_rejected', async () => {
    platform.answer({ err_no: 20040018, err_msg: 'authorization_code 不正确或者已过期', log_id: 'x' });
    expect(adapter.failureKind(await douyinFailure(adapter.exchangeCode(component, CLT, 'old')))).toBe('code_invalid');
    platform.answer({ err_no: 40010, err_msg: 'component_access_token 不正确', log_id: 'x' });
    expect(adapter.failureKind(await douyinFailure(adapter.exchangeCode(component, CLT, 'c')))).toBe('token_rejected');
    platform.received.splice(0);
  });
});
