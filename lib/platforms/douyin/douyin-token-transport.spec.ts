import { describe, expect, it } from '@jest/globals';
import axios, { AxiosHeaders } from 'axios';
import { OpenPlatformError } from '../../errors/open-platform.error.js';
import type { OutboundRequest } from '../platform-adapter.js';
import { DouyinAdapter } from './douyin.adapter.js';
import { douyinDefinition } from './douyin.definition.js';
import { COMPONENT_APPID, douyinComponent } from './spec-helpers.js';

const adapter = new DouyinAdapter(axios.create());
const v1 = douyinComponent('https://open.microapp.bytedance.com', 'v1');
const v2 = douyinComponent('https://open.douyin.com');

describe('Douyin token transport', () => {
  it('V2 puts authorizer and component tokens in the access-token header, nothing in the query', () => {
    for (const kind of ['authorizer', 'component'] as const) {
      const config: OutboundRequest = { url: '/api/apps/x', params: { a: '1' }, headers: { 'Access-Token': 'stale' } };
      adapter.injectToken(config, `tok-${kind}`, kind, v2);
      expect(config.headers).toEqual({ 'access-token': `tok-${kind}` });
      expect(config.params).toEqual({ a: '1' });
    }
    const headers = new AxiosHeaders({ 'content-type': 'application/json' });
    adapter.injectToken({ headers }, 'isvact.1', 'authorizer', v2);
    expect(headers.get('access-token')).toBe('isvact.1');
  });

  it('V1 puts the token in the query beside component_appid', () => {
    const authorizer: OutboundRequest = { url: '/api/apps/qrcode', params: { path: 'p' } };
    adapter.injectToken(authorizer, 'auth-tok', 'authorizer', v1);
    expect(authorizer.params).toEqual({
      path: 'p',
      authorizer_access_token: 'auth-tok',
      component_appid: COMPONENT_APPID,
    });
    expect(authorizer.headers).toBeUndefined();
    const component: OutboundRequest = { params: new URLSearchParams('x=1') };
    adapter.injectToken(component, 'comp-tok', 'component', v1);
    expect((component.params as URLSearchParams).toString()).toBe(
      `x=1&component_access_token=comp-tok&component_appid=${COMPONENT_APPID}`,
    );
  });

  it('carriedTokens finds tokens in either generation’s places, whoever put them there', () => {
    expect(adapter.carriedTokens({ headers: { 'ACCESS-TOKEN': 'h1' } })).toEqual(['h1']);
    expect(adapter.carriedTokens({ headers: new AxiosHeaders({ 'access-token': 'h2' }) })).toEqual(['h2']);
    expect(adapter.carriedTokens({ params: { authorizer_access_token: 'q1', component_access_token: 'q2' } })).toEqual([
      'q1',
      'q2',
    ]);
    expect(adapter.carriedTokens({ url: 'https://h/x?component_access_token=q3&component_appid=tt' })).toEqual(['q3']);
    expect(adapter.carriedTokens({ url: 'https://h/x?a=1', headers: { accept: 'json' }, params: { a: 1 } })).toEqual(
      [],
    );
    for (const [kind, component] of [
      ['authorizer', v1],
      ['component', v1],
      ['authorizer', v2],
      ['component', v2],
    ] as const) {
      const config: OutboundRequest = { url: '/x' };
      adapter.injectToken(config, 'injected', kind, component);
      expect(adapter.carriedTokens(config)).toEqual(['injected']);
    }
  });

  it('takesNoToken: only the component-token endpoints of both generations', () => {
    for (const url of [
      'https://open.douyin.com/openapi/v2/auth/tp/token/?component_appid=tt',
      'https://open.douyin.com/openapi/v2/auth/tp/token',
      'https://open.microapp.bytedance.com/openapi/v1/auth/tp/token?x=1',
      '/openapi/v1/auth/tp/token/',
    ])
      expect(adapter.takesNoToken({ url })).toBe(true);
    for (const url of [
      'https://open.douyin.com/api/tpapp/v2/auth/get_auth_token/',
      'https://open.microapp.bytedance.com/openapi/v1/oauth/token',
      'https://h/x?next=/openapi/v1/auth/tp/token',
      undefined,
    ])
      expect(adapter.takesNoToken({ url })).toBe(false);
  });
});

describe('Douyin error classification', () => {
  const error = (code: number | string, platform: 'douyin' | 'wechat' = 'douyin') =>
    new OpenPlatformError({ platform, code: code as number, message: 'x' });

  it.each([
    [40009, 'token_rejected'],
    [20040009, 'token_rejected'],
    [40010, 'token_rejected'],
    [20040010, 'token_rejected'],
    [40020, 'token_rejected'],
    [20040020, 'token_rejected'],
    [28001008, 'token_rejected'],
    [20028001008, 'token_rejected'],
    [28001003, 'token_rejected'],
    [20028001003, 'token_rejected'],
    [40021, 'refresh_token_invalid'],
    [20040021, 'refresh_token_invalid'],
    [40018, 'code_invalid'],
    [20040018, 'code_invalid'],
    [40022, 'not_authorized'],
    [20040022, 'not_authorized'],
    [40004, 'not_authorized'],
    [20040004, 'not_authorized'],
    [40001, undefined],
    [-1, undefined],
  ])('failureKind(%d) = %s', (code, kind) => {
    expect(adapter.failureKind(error(code))).toBe(kind);
  });

  it('failureKind ignores other platforms, library codes and non-errors', () => {
    expect(adapter.failureKind(error(40021, 'wechat'))).toBeUndefined();
    expect(adapter.failureKind(error('TRANSPORT'))).toBeUndefined();
    expect(adapter.failureKind(new Error('40021'))).toBeUndefined();
    expect(adapter.failureKind(undefined)).toBeUndefined();
  });

  it.each([
    ['V2 envelope', { err_no: 40020, err_msg: 'expired', log_id: 'x', data: {} }, 40020],
    ['V2 envelope, prefixed', { err_no: 20040020, err_msg: 'expired' }, 20040020],
    ['flat', { errno: 40020, message: 'expired' }, 40020],
    ['flat component token', { errno: 40010, message: 'invalid' }, 40010],
    ['open.douyin.com data.error_code', { data: { error_code: 28001008, description: '过期' }, extra: {} }, 28001008],
    ['open.douyin.com extra.error_code', { extra: { error_code: 20028001003 } }, 20028001003],
    ['JSON text', JSON.stringify({ err_no: 28001003, err_msg: 'x' }), 28001003],
    ['JSON Buffer', Buffer.from(JSON.stringify({ errno: 40009 })), 40009],
    ['success', { err_no: 0, err_msg: '', data: { ok: 1 } }, undefined],
    ['other error', { err_no: 40001, err_msg: 'bad parameter' }, undefined],
    ['refresh token refused (not the access token)', { err_no: 40021 }, undefined],
    ['not JSON', 'gateway timeout', undefined],
    ['array', [{ err_no: 40020 }], undefined],
    ['nothing', undefined, undefined],
  ])('rejectedTokenCode: %s', (_name, data, code) => {
    expect(adapter.rejectedTokenCode(data)).toBe(code);
  });
});

describe('douyinDefinition', () => {
  it('defaults per API generation and creates the adapter', () => {
    const base = { platform: 'douyin' as const, appId: 'tt', appSecret: 's', token: 't', encodingAesKey: 'k' };
    expect(douyinDefinition.defaults(base)).toEqual({
      apiBaseUrl: 'https://open.douyin.com',
      authorizePageUrl: 'https://open.microapp.bytedance.com/mappconsole/tp/authorization',
    });
    expect(douyinDefinition.defaults({ ...base, apiVersion: 'v1' }).apiBaseUrl).toBe(
      'https://open.microapp.bytedance.com',
    );
    const created = douyinDefinition.create(axios.create());
    expect(created).toBeInstanceOf(DouyinAdapter);
    expect([created.platform, created.chainRepair, created.redirectCodeParam, created.ticketLifetimeMs]).toEqual([
      'douyin',
      'reissue_code',
      'authorization_code',
      3 * 60 * 60 * 1000,
    ]);
  });

  it('refuses WeChat-only page options before any upstream call', () => {
    expect(adapter.pageOptionsProblem({})).toBeUndefined();
    expect(adapter.pageOptionsProblem({ mobile: true })).toBeUndefined();
    expect(adapter.pageOptionsProblem({ authType: 2 })).toContain('authType');
    expect(adapter.pageOptionsProblem({ bizAppId: 'tt1' })).toContain('bizAppId');
  });
});
