import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { FakeWeChatPlatform } from './fake-wechat-platform.js';
import { component, componentClient, errorOf, fetchJson, MERCHANT, startWithComponentToken } from './spec-helpers.js';

describe('FakeWeChatPlatform.route: endpoints added by users', () => {
  let clock: number;
  let wechat: FakeWeChatPlatform;
  let cat: string;
  const { onboard } = componentClient(
    () => wechat,
    () => cat,
  );
  const category = (token?: string) =>
    fetchJson(
      `${wechat.baseUrl}/wxa/get_category${token === undefined ? '' : `?access_token=${encodeURIComponent(token)}`}`,
    );

  beforeEach(async () => {
    clock = Date.UTC(2025, 0, 1);
    ({ wechat, cat } = await startWithComponentToken({ components: [component], now: () => clock }));
    wechat.route(
      'GET',
      '/wxa/get_category',
      wechat.requireAuthorizer((_req, caller) => ({
        body: { errcode: 0, errmsg: 'ok', category_list: [{ first: 1 }], appid: caller.authorizerAppId },
      })),
    );
  });

  afterEach(() => wechat.stop());

  it('serves a valid authorizer token and tells who called', async () => {
    const { authorizer_access_token: token } = await onboard();
    expect(await category(token)).toEqual({
      errcode: 0,
      errmsg: 'ok',
      category_list: [{ first: 1 }],
      appid: MERCHANT,
    });
    expect(wechat.businessCalls()).toEqual([{ authorizerAppId: MERCHANT, token }]);
    expect(wechat.calls('/wxa/get_category')).toBe(1);
  });

  it('answers like the platform when the token is missing, unknown, expired or of a revoked authorizer', async () => {
    expect(errorOf(await category())).toEqual([41001, expect.any(String)]);
    expect(errorOf(await category('not-a-token'))).toEqual([40001, expect.any(String)]);
    const { authorizer_access_token: token } = await onboard();
    clock += 7200 * 1000;
    expect(errorOf(await category(token))).toEqual([42001, expect.any(String)]);
    clock -= 7200 * 1000;
    await wechat.revoke(component.appId, MERCHANT);
    expect(errorOf(await category(token))).toEqual([40001, expect.any(String)]);
    expect(wechat.businessCalls()).toEqual([]);
  });

  it('a component token is not an authorizer token', async () => {
    expect(errorOf(await category(cat))).toEqual([40001, expect.any(String)]);
  });

  it('counts and faults under a chosen endpoint name', async () => {
    wechat.route('POST', '/wxa/commit', () => ({ body: { errcode: 0, errmsg: 'ok' } }), { endpoint: 'commit' });
    wechat.failNext('commit', { errcode: 85013 });
    const post = () => fetchJson(`${wechat.baseUrl}/wxa/commit`, { method: 'POST', body: '{}' });
    expect(errorOf(await post())).toEqual([85013, 'injected error']);
    expect(errorOf(await post())).toEqual([0, 'ok']);
    expect(wechat.calls('commit')).toBe(2);
  });

  it('replaces its own handler, never one of the emulator endpoints', async () => {
    wechat.route('GET', '/wxa/get_category', () => ({ body: { errcode: 0, errmsg: 'replaced' } }));
    expect(errorOf(await category())).toEqual([0, 'replaced']);
    expect(() => wechat.route('POST', '/cgi-bin/component/api_component_token', () => ({}))).toThrow(
      /emulator's own endpoints/,
    );
    expect(() => wechat.route('GET', '/cgi-bin/account/getaccountbasicinfo', () => ({}))).toThrow(
      /emulator's own endpoints/,
    );
  });

  it('refuses malformed registrations', () => {
    expect(() => wechat.route('TRACE', '/x', () => ({}))).toThrow(/unsupported method/);
    expect(() => wechat.route('GET', 'x', () => ({}))).toThrow(/pathname/);
    expect(() => wechat.route('GET', '/x?y=1', () => ({}))).toThrow(/pathname/);
    expect(() => wechat.route('GET', '/x', 'nope' as never)).toThrow(/handler/);
  });
});
