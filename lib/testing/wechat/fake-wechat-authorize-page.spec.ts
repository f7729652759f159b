import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { withQuery } from '../core/page-helpers.js';
import { FakeWeChatPlatform } from './fake-wechat-platform.js';
import type { FakeWeChatComponent, FakeWeChatPlatformOptions } from './fake-wechat.types.js';
import { type Json, appCrypto, closeServer, component, MERCHANT, other } from './spec-helpers.js';

const CALLBACK = 'https://app.example/onboard/callback';

describe('FakeWeChatPlatform authorization pages', () => {
  let clock: number;
  let wechat: FakeWeChatPlatform;
  let app: Server;
  let eventsUrl: string;
  /** Decrypted inner XML of every push the app received. */
  let pushes: string[];
  let appDelayMs = 0;

  const start = async (options: FakeWeChatPlatformOptions = {}) => {
    await wechat?.stop();
    wechat = new FakeWeChatPlatform({ components: [component, other], now: () => clock, ...options });
    await wechat.start();
    wechat.setEventsUrl(component.appId, eventsUrl);
  };
  const componentApi = async (name: string, body: Json, c: FakeWeChatComponent = component): Promise<Json> => {
    const post = async (path: string, b: Json) =>
      (await (await fetch(`${wechat.baseUrl}${path}`, { method: 'POST', body: JSON.stringify(b) })).json()) as Json;
    const ticket = wechat.issueTicket(c.appId);
    const tokenBody = { component_appid: c.appId, component_appsecret: c.appSecret, component_verify_ticket: ticket };
    const cat = (await post('/cgi-bin/component/api_component_token', tokenBody)).component_access_token as string;
    return post(`/cgi-bin/component/${name}?component_access_token=${cat}`, { component_appid: c.appId, ...body });
  };
  const preAuthCode = async (c: FakeWeChatComponent = component) =>
    (await componentApi('api_create_preauthcode', {}, c)).pre_auth_code as string;
  const openPage = async (params: Record<string, string | undefined>, h5 = false) => {
    const url = new URL(h5 ? wechat.h5AuthorizePageUrl : wechat.authorizePageUrl);
    if (h5) url.search = 'action=bindcomponent&no_scan=1';
    for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
    const response = await fetch(url, { redirect: 'manual' });
    return { status: response.status, location: response.headers.get('location') ?? '', text: await response.text() };
  };
  const visit = async (overrides: Record<string, string | undefined> = {}, h5 = false) =>
    openPage(
      {
        component_appid: component.appId,
        pre_auth_code: await preAuthCode(),
        redirect_uri: CALLBACK,
        auth_type: '3',
        ...overrides,
      },
      h5,
    );

  beforeAll(async () => {
    app = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const encrypt = /<Encrypt><!\[CDATA\[(.*?)\]\]>/.exec(body)?.[1] ?? '';
        setTimeout(() => {
          pushes.push(appCrypto.decrypt(encrypt));
          res.writeHead(200).end('success');
        }, appDelayMs);
      });
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    eventsUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/events`;
  });

  afterAll(() => closeServer(app));

  beforeEach(async () => {
    clock = Date.UTC(2025, 0, 1);
    pushes = [];
    appDelayMs = 0;
    await start();
  });

  afterEach(() => wechat.stop());

  it('PC page: the queued merchant consents, 302 to redirect_uri with auth_code and expires_in, and the push carries the same code', async () => {
    wechat.queueMerchant({ authorizerAppId: MERCHANT, funcIds: [1, 15] });
    const code = await preAuthCode();
    const page = await openPage({
      component_appid: component.appId,
      pre_auth_code: code,
      redirect_uri: CALLBACK,
      auth_type: '1',
    });

    expect(page.status).toBe(302);
    const location = new URL(page.location);
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    const authCode = location.searchParams.get('auth_code') ?? '';
    expect([authCode, location.searchParams.get('expires_in')]).toEqual([
      expect.stringMatching(/^queryauthcode@@@/),
      '600',
    ]);

    await wechat.settle();
    expect(pushes).toHaveLength(1);
    expect(pushes[0]).toContain('<InfoType><![CDATA[authorized]]></InfoType>');
    expect(pushes[0]).toContain(`<AuthorizationCode><![CDATA[${authCode}]]></AuthorizationCode>`);
    expect(pushes[0]).toContain(`<PreAuthCode><![CDATA[${code}]]></PreAuthCode>`);
    expect(pushes[0]).toContain(`<AuthorizationCodeExpiredTime>${clock / 1000 + 600}</AuthorizationCodeExpiredTime>`);

    const info = (await componentApi('api_query_auth', { authorization_code: authCode })).authorization_info as Json;
    expect(info).toMatchObject({
      authorizer_appid: MERCHANT,
      func_info: [{ funcscope_category: { id: 1 } }, { funcscope_category: { id: 15 } }],
    });

    wechat.queueMerchant({ authorizerAppId: 'wx_next' });
    const reused = await openPage({ component_appid: component.appId, pre_auth_code: code, redirect_uri: CALLBACK });
    expect([reused.status, reused.text]).toEqual([400, expect.stringContaining('pre_auth_code has already been used')]);
    expect(wechat.calls('componentloginpage')).toBe(2);
  });

  it('H5 page works the same and requires action=bindcomponent', async () => {
    wechat.queueMerchant({ authorizerAppId: MERCHANT });
    const page = await visit({}, true);
    expect(page.status).toBe(302);
    expect(wechat.authorizerState(component.appId, MERCHANT)?.status).toBe('authorized');
    expect(wechat.lastAuthorizePageQuery()).toMatchObject({ action: 'bindcomponent', no_scan: '1' });
    const response = await fetch(`${wechat.h5AuthorizePageUrl}?component_appid=${component.appId}`, {
      redirect: 'manual',
    });
    expect([response.status, await response.text()]).toEqual([
      400,
      expect.stringContaining('action must be bindcomponent'),
    ]);
    expect(wechat.calls('bindcomponent')).toBe(2);
    expect(wechat.h5AuthorizePageUrl).toBe(`${wechat.baseUrl}/wxaopen/safe/bindcomponent`);
    expect(wechat.authorizePageUrl).toBe(`${wechat.baseUrl}/cgi-bin/componentloginpage`);
  });

  it('appends to an existing query (and keeps a fragment) and records the decoded page query', async () => {
    wechat.queueMerchant({ authorizerAppId: MERCHANT });
    const redirect = 'https://app.example/cb?state=a%20b&x=1';
    const page = await visit({ redirect_uri: redirect, biz_appid: MERCHANT, auth_type: '2' });
    expect(page.location).toMatch(
      /^https:\/\/app\.example\/cb\?state=a%20b&x=1&auth_code=queryauthcode%40%40%40[\w-]+&expires_in=600$/,
    );
    expect(wechat.lastAuthorizePageQuery()).toMatchObject({
      redirect_uri: redirect,
      auth_type: '2',
      biz_appid: MERCHANT,
    });
    expect(withQuery('https://a/cb#top', 'p=1')).toBe('https://a/cb?p=1#top');
    expect(withQuery('https://a/cb?', 'p=1')).toBe('https://a/cb?p=1');
  });

  it('answers 409 when no merchant is waiting, without consuming the pre-auth code', async () => {
    const code = await preAuthCode();
    const params = { component_appid: component.appId, pre_auth_code: code, redirect_uri: CALLBACK };
    const page = await openPage(params);
    expect([page.status, page.text]).toEqual([409, 'no merchant is waiting to authorize: call queueMerchant()\n']);
    wechat.queueMerchant({ authorizerAppId: MERCHANT });
    expect((await openPage(params)).status).toBe(302);
  });

  it('answers 400 naming the problem and never consumes the pre-auth code', async () => {
    wechat.queueMerchant({ authorizerAppId: MERCHANT });
    const code = await preAuthCode();
    const foreign = await preAuthCode(other);
    const base = { component_appid: component.appId, pre_auth_code: code, redirect_uri: CALLBACK };
    const cases: Array<[Record<string, string | undefined>, string]> = [
      [{ component_appid: 'wx_nobody' }, 'component_appid is missing or unknown'],
      [{ component_appid: undefined }, 'component_appid is missing or unknown'],
      [{ pre_auth_code: undefined }, 'pre_auth_code is missing'],
      [{ pre_auth_code: 'preauthcode@@@forged' }, 'pre_auth_code is invalid'],
      [{ pre_auth_code: foreign }, 'pre_auth_code is invalid'],
      [{ redirect_uri: undefined }, 'redirect_uri is missing'],
      [{ redirect_uri: 'javascript:alert(1)' }, 'redirect_uri must be an http or https URL'],
      [{ redirect_uri: '/relative' }, 'redirect_uri must be an http or https URL'],
      [{ biz_appid: 'wx_someone_else' }, 'biz_appid wx_someone_else does not match'],
    ];
    for (const [overrides, message] of cases) {
      const page = await openPage({ ...base, ...overrides });
      expect([page.status, page.text]).toEqual([400, expect.stringContaining(message)]);
    }
    expect(wechat.authorizerState(component.appId, MERCHANT)).toBeUndefined(); // merchant still waiting
    expect((await openPage(base)).status).toBe(302);
    expect(wechat.calls('componentloginpage')).toBe(cases.length + 1);
  });

  it('answers 400 to an expired pre-auth code (lifetime on the clock)', async () => {
    await start({ preAuthCodeExpiresIn: 60 });
    wechat.queueMerchant({ authorizerAppId: MERCHANT });
    const code = await preAuthCode();
    clock += 60_000;
    const page = await openPage({ component_appid: component.appId, pre_auth_code: code, redirect_uri: CALLBACK });
    expect([page.status, page.text]).toEqual([400, expect.stringContaining('pre_auth_code is expired')]);
  });

  it('takes merchants FIFO, per component when one is given', async () => {
    wechat.queueMerchant({ authorizerAppId: 'wx_for_b', componentAppId: other.appId });
    wechat.queueMerchant({ authorizerAppId: 'wx_first' });
    wechat.queueMerchant({ authorizerAppId: 'wx_second', grantApi: false });
    await visit();
    await visit();
    expect(wechat.authorizerState(component.appId, 'wx_first')?.status).toBe('authorized');
    expect(wechat.authorizerState(component.appId, 'wx_second')).toEqual({ status: 'authorized', funcIds: [] });
    expect((await visit()).status).toBe(409);
    const forB = await openPage({
      component_appid: other.appId,
      pre_auth_code: await preAuthCode(other),
      redirect_uri: CALLBACK,
    });
    expect(forB.status).toBe(302);
    expect(wechat.authorizerState(other.appId, 'wx_for_b')?.status).toBe('authorized');
  });

  it('re-consent through the page is a re-authorization pushed as `updateauthorized`', async () => {
    wechat.queueMerchant({ authorizerAppId: MERCHANT });
    wechat.queueMerchant({ authorizerAppId: MERCHANT });
    await visit();
    await visit();
    await wechat.settle();
    expect(pushes.map((p) => /<InfoType><!\[CDATA\[(\w+)/.exec(p)?.[1])).toEqual(['authorized', 'updateauthorized']);
  });

  it('by default the push follows the 302; settle() and stop() wait for it', async () => {
    appDelayMs = 150;
    wechat.queueMerchant({ authorizerAppId: MERCHANT });
    wechat.queueMerchant({ authorizerAppId: 'wx_second' });
    expect((await visit()).status).toBe(302);
    expect(pushes).toHaveLength(0);
    expect(wechat.authorizationPushes()[0]?.result).toBeUndefined();
    await wechat.settle();
    expect(pushes).toHaveLength(1);
    expect(wechat.authorizationPushes()[0]?.result).toEqual({ status: 200, body: 'success' });

    expect((await visit()).status).toBe(302);
    await wechat.stop();
    expect(pushes).toHaveLength(2);
  });

  it('with pushBeforeRedirect the app has the push when the 302 arrives', async () => {
    await start({ pushBeforeRedirect: true });
    appDelayMs = 100;
    wechat.queueMerchant({ authorizerAppId: MERCHANT });
    const page = await visit();
    expect(page.status).toBe(302);
    expect(pushes).toHaveLength(1);
    expect(pushes[0]).toContain(new URL(page.location).searchParams.get('auth_code') ?? '(none)');
  });

  it('without an events URL, consent works and nothing is pushed', async () => {
    wechat.setEventsUrl(component.appId, undefined);
    wechat.queueMerchant({ authorizerAppId: MERCHANT });
    expect((await visit()).status).toBe(302);
    await wechat.settle();
    expect([pushes, wechat.authorizationPushes()]).toEqual([[], []]);
  });
});
