import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FakeWeChatPlatform } from './fake-wechat-platform.js';
import type { FakeWeChatEndpoint } from './fake-wechat.types.js';
import { type Json, component, MERCHANT } from './spec-helpers.js';

describe('FakeWeChatPlatform authorizer endpoints: counters and faults', () => {
  let wechat: FakeWeChatPlatform;
  let cat: string;
  let refreshToken: string;
  let accessToken: string;

  /** Status, and the body when it is JSON (pages and gateway faults answer text / HTML). */
  const read = async (response: Response): Promise<{ status: number; body: Json }> => {
    const text = await response.text();
    return {
      status: response.status,
      body: response.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as Json) : {},
    };
  };
  const post = async (path: string, body: Json) =>
    read(await fetch(`${wechat.baseUrl}${path}`, { method: 'POST', body: JSON.stringify(body) }));
  const api = (name: string, body: Json = {}) =>
    post(`/cgi-bin/component/${name}?component_access_token=${cat}`, { component_appid: component.appId, ...body });

  /** One valid call per new endpoint; resolves with the HTTP status and, for JSON answers, the body. */
  const calls: Record<
    Exclude<FakeWeChatEndpoint, 'api_component_token' | 'api_start_push_ticket'>,
    () => Promise<{ status: number; body: Json }>
  > = {
    api_create_preauthcode: () => api('api_create_preauthcode'),
    api_query_auth: async () =>
      api('api_query_auth', {
        authorization_code: (await wechat.authorize({ componentAppId: component.appId, authorizerAppId: 'wx_other' }))
          .authorizationCode,
      }),
    api_authorizer_token: () =>
      api('api_authorizer_token', { authorizer_appid: MERCHANT, authorizer_refresh_token: refreshToken }),
    api_get_authorizer_info: () => api('api_get_authorizer_info', { authorizer_appid: MERCHANT }),
    api_get_authorizer_list: () => api('api_get_authorizer_list', { offset: 0, count: 10 }),
    getaccountbasicinfo: async () => {
      return read(await fetch(`${wechat.baseUrl}/cgi-bin/account/getaccountbasicinfo?access_token=${accessToken}`));
    },
    componentloginpage: async () => {
      wechat.queueMerchant({ authorizerAppId: 'wx_page' });
      const code = (await api('api_create_preauthcode')).body.pre_auth_code as string;
      const url = `${wechat.authorizePageUrl}?component_appid=${component.appId}&pre_auth_code=${code}&redirect_uri=https%3A%2F%2Fa.example%2Fcb`;
      return read(await fetch(url, { redirect: 'manual' }));
    },
    bindcomponent: async () => {
      wechat.queueMerchant({ authorizerAppId: 'wx_page_h5' });
      const code = (await api('api_create_preauthcode')).body.pre_auth_code as string;
      const query = `action=bindcomponent&no_scan=1&component_appid=${component.appId}&pre_auth_code=${code}&redirect_uri=https%3A%2F%2Fa.example%2Fcb`;
      return read(await fetch(`${wechat.h5AuthorizePageUrl}?${query}`, { redirect: 'manual' }));
    },
  };
  const endpoints = Object.keys(calls) as Array<keyof typeof calls>;

  beforeEach(async () => {
    wechat = new FakeWeChatPlatform({ components: [component] });
    await wechat.start();
    const ticket = wechat.issueTicket(component.appId);
    const tokenBody = {
      component_appid: component.appId,
      component_appsecret: component.appSecret,
      component_verify_ticket: ticket,
    };
    cat = (await post('/cgi-bin/component/api_component_token', tokenBody)).body.component_access_token as string;
    const { authorizationCode } = await wechat.authorize({
      componentAppId: component.appId,
      authorizerAppId: MERCHANT,
    });
    const info = (await api('api_query_auth', { authorization_code: authorizationCode })).body
      .authorization_info as Json;
    refreshToken = info.authorizer_refresh_token as string;
    accessToken = info.authorizer_access_token as string;
    wechat.resetCalls();
  });

  afterEach(() => wechat.stop());

  it.each(endpoints)('%s: a valid call succeeds and is counted', async (endpoint) => {
    const reply = await calls[endpoint]();
    expect(reply.status).toBe(endpoint === 'componentloginpage' || endpoint === 'bindcomponent' ? 302 : 200);
    expect(reply.body.errcode ?? 0).toBe(0);
    expect(wechat.calls(endpoint)).toBe(1);
  });

  it.each(endpoints)('%s: failNext answers the error, then the endpoint works again', async (endpoint) => {
    wechat.failNext(endpoint, { errcode: -1 });
    expect(await calls[endpoint]()).toEqual({ status: 200, body: { errcode: -1, errmsg: 'system error' } });
    expect((await calls[endpoint]()).body.errcode ?? 0).toBe(0);
    expect(wechat.calls(endpoint)).toBe(2);
  });

  it.each(endpoints)('%s: statusNext and dropNext', async (endpoint) => {
    wechat.statusNext(endpoint, 502);
    expect((await calls[endpoint]()).status).toBe(502);
    wechat.dropNext(endpoint);
    await expect(calls[endpoint]()).rejects.toThrow();
    expect(wechat.calls(endpoint)).toBe(2);
  });

  it('a dropped api_query_auth is not processed: the code can still be exchanged', async () => {
    const { authorizationCode } = await wechat.authorize({
      componentAppId: component.appId,
      authorizerAppId: 'wx_drop',
    });
    wechat.dropNext('api_query_auth');
    await expect(api('api_query_auth', { authorization_code: authorizationCode })).rejects.toThrow();
    expect(
      (await api('api_query_auth', { authorization_code: authorizationCode })).body.authorization_info,
    ).toBeDefined();
  });

  it('a delayed api_authorizer_token still issues its token; stop() cancels a pending delay', async () => {
    wechat.delayNext('api_authorizer_token', 100);
    expect((await calls.api_authorizer_token()).body.authorizer_access_token).toBeDefined();
    wechat.delayNext('api_get_authorizer_list', 60_000);
    const pending = calls.api_get_authorizer_list();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await wechat.stop();
    await expect(pending).rejects.toThrow();
  });
});
