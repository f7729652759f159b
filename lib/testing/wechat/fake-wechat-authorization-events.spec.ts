import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeWeChatPlatform } from './fake-wechat-platform.js';
import { type Json, appCrypto, closeServer, component, MERCHANT } from './spec-helpers.js';

/** A throwaway app: checks the signature, decrypts, and keeps the inner fields of every push. */
function startReceiver(): Promise<{ server: Server; url: string; events: Array<Record<string, string>> }> {
  const events: Array<Record<string, string>> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const q = new URL(req.url ?? '/', 'http://x').searchParams;
      const encrypt = /<Encrypt><!\[CDATA\[(.*?)\]\]><\/Encrypt>/.exec(body)?.[1] ?? '';
      if (
        !appCrypto.verifySignature(
          q.get('msg_signature') ?? '',
          q.get('timestamp') ?? '',
          q.get('nonce') ?? '',
          encrypt,
        )
      ) {
        res.writeHead(401).end('bad signature');
        return;
      }
      const inner = appCrypto.decrypt(encrypt);
      const fields: Record<string, string> = {};
      for (const [, tag, cdata, plain] of inner.matchAll(/<(\w+)>(?:<!\[CDATA\[(.*?)\]\]>|([^<]*))<\/\1>/g))
        fields[tag] = cdata ?? plain ?? '';
      events.push(fields);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('success');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`, events }),
    ),
  );
}

describe('FakeWeChatPlatform authorization events', () => {
  const clock = Date.UTC(2025, 0, 1, 8);
  const nowSeconds = clock / 1000;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let wechat: FakeWeChatPlatform;
  let cat: string;

  const postJson = async (path: string, body: unknown): Promise<Json> =>
    (await (await fetch(`${wechat.baseUrl}${path}`, { method: 'POST', body: JSON.stringify(body) })).json()) as Json;
  const api = (name: string, body: Json) =>
    postJson(`/cgi-bin/component/${name}?component_access_token=${cat}`, { component_appid: component.appId, ...body });
  const exchange = async (code: string) =>
    (await api('api_query_auth', { authorization_code: code })).authorization_info as Json;
  const basicInfoErrcode = async (token: unknown) =>
    (
      (await (
        await fetch(`${wechat.baseUrl}/cgi-bin/account/getaccountbasicinfo?access_token=${String(token)}`)
      ).json()) as Json
    ).errcode;

  beforeAll(async () => {
    receiver = await startReceiver();
  });

  afterAll(() => closeServer(receiver.server));

  beforeEach(async () => {
    receiver.events.length = 0;
    wechat = new FakeWeChatPlatform({ components: [component], now: () => clock });
    await wechat.start();
    wechat.setEventsUrl(component.appId, receiver.url);
    const ticket = wechat.issueTicket(component.appId);
    const body = {
      component_appid: component.appId,
      component_appsecret: component.appSecret,
      component_verify_ticket: ticket,
    };
    cat = (await postJson('/cgi-bin/component/api_component_token', body)).component_access_token as string;
  });

  afterEach(() => wechat.stop());

  it('authorize() pushes an encrypted `authorized` event whose code api_query_auth accepts', async () => {
    const result = await wechat.authorize({ componentAppId: component.appId, authorizerAppId: MERCHANT });
    expect(result).toEqual({
      authorizationCode: expect.stringMatching(/^queryauthcode@@@/),
      pushed: { status: 200, body: 'success' },
    });
    expect(receiver.events).toEqual([
      {
        AppId: component.appId,
        CreateTime: String(nowSeconds),
        InfoType: 'authorized',
        AuthorizerAppid: MERCHANT,
        AuthorizationCode: result.authorizationCode,
        AuthorizationCodeExpiredTime: String(nowSeconds + 600),
        PreAuthCode: expect.stringMatching(/^preauthcode@@@/),
      },
    ]);
    expect((await exchange(result.authorizationCode)).authorizer_appid).toBe(MERCHANT);
    expect(wechat.authorizationPushes()).toEqual([
      {
        componentAppId: component.appId,
        url: receiver.url,
        infoType: 'authorized',
        authorizerAppId: MERCHANT,
        authorizationCode: result.authorizationCode,
        result: { status: 200, body: 'success' },
      },
    ]);
  });

  it('pushes only when asked: push:false, no events URL, and push:true without URL throws', async () => {
    expect(await wechat.authorize({ componentAppId: component.appId, authorizerAppId: 'wx_a', push: false })).toEqual({
      authorizationCode: expect.any(String),
    });
    wechat.setEventsUrl(component.appId, undefined);
    expect(Object.keys(await wechat.authorize({ componentAppId: component.appId, authorizerAppId: 'wx_b' }))).toEqual([
      'authorizationCode',
    ]);
    await expect(
      wechat.authorize({ componentAppId: component.appId, authorizerAppId: 'wx_c', push: true }),
    ).rejects.toThrow(/no events URL/);
    expect(wechat.authorizerState(component.appId, 'wx_c')).toBeUndefined();
    expect(receiver.events).toEqual([]);
    expect(() => wechat.setEventsUrl('wx_nobody', receiver.url)).toThrow(/unknown component/);
  });

  it('revoke kills the refresh and access tokens at once and pushes `unauthorized`', async () => {
    const info = await exchange(
      (await wechat.authorize({ componentAppId: component.appId, authorizerAppId: MERCHANT, push: false }))
        .authorizationCode,
    );
    expect(await basicInfoErrcode(info.authorizer_access_token)).toBe(0);

    expect(await wechat.revoke(component.appId, MERCHANT)).toEqual({ pushed: { status: 200, body: 'success' } });
    expect(receiver.events).toEqual([
      { AppId: component.appId, CreateTime: String(nowSeconds), InfoType: 'unauthorized', AuthorizerAppid: MERCHANT },
    ]);
    expect(await basicInfoErrcode(info.authorizer_access_token)).toBe(40001);
    expect(wechat.isAuthorizerTokenValid(info.authorizer_access_token as string)).toBe(false);
    const refreshBody = { authorizer_appid: MERCHANT, authorizer_refresh_token: info.authorizer_refresh_token };
    expect((await api('api_authorizer_token', refreshBody)).errcode).toBe(61023);
    expect(await api('api_get_authorizer_list', { offset: 0, count: 10 })).toEqual({ total_count: 0, list: [] });
    expect((await api('api_get_authorizer_info', { authorizer_appid: MERCHANT })).errcode).toBe(61003);
    expect(wechat.authorizerState(component.appId, MERCHANT)).toEqual({
      status: 'revoked',
      funcIds: expect.any(Array),
    });
    await expect(wechat.revoke(component.appId, MERCHANT)).rejects.toThrow(/has not authorized/);
    await expect(wechat.revoke(component.appId, 'wx_stranger', { push: false })).rejects.toThrow(/has not authorized/);
  });

  it('authorizing again after a revoke is a fresh `authorized` with a new refresh token', async () => {
    await wechat.authorize({ componentAppId: component.appId, authorizerAppId: MERCHANT, push: false });
    const before = wechat.authorizerState(component.appId, MERCHANT)?.refreshToken;
    await wechat.revoke(component.appId, MERCHANT, { push: false });
    const again = await wechat.authorize({ componentAppId: component.appId, authorizerAppId: MERCHANT });
    expect(receiver.events.map((e) => e.InfoType)).toEqual(['authorized']);
    const info = await exchange(again.authorizationCode);
    expect(info.authorizer_refresh_token).not.toBe(before);
    expect(wechat.authorizerState(component.appId, MERCHANT)?.status).toBe('authorized');
  });

  it('reauthorize rotates the refresh token, kills the old access token at once and pushes `updateauthorized`', async () => {
    const first = await exchange(
      (
        await wechat.authorize({
          componentAppId: component.appId,
          authorizerAppId: MERCHANT,
          funcIds: [1, 2],
          push: false,
        })
      ).authorizationCode,
    );

    const result = await wechat.reauthorize(component.appId, MERCHANT);
    expect(result.pushed).toEqual({ status: 200, body: 'success' });
    expect(receiver.events).toEqual([
      expect.objectContaining({
        InfoType: 'updateauthorized',
        AuthorizerAppid: MERCHANT,
        AuthorizationCode: result.authorizationCode,
      }),
    ]);
    expect(await basicInfoErrcode(first.authorizer_access_token)).toBe(40001); // no grace
    const stale = { authorizer_appid: MERCHANT, authorizer_refresh_token: first.authorizer_refresh_token };
    expect((await api('api_authorizer_token', stale)).errcode).toBe(61023);

    const second = await exchange(result.authorizationCode);
    expect(second.authorizer_refresh_token).not.toBe(first.authorizer_refresh_token);
    expect(second.func_info).toEqual([{ funcscope_category: { id: 1 } }, { funcscope_category: { id: 2 } }]);
    expect(await basicInfoErrcode(second.authorizer_access_token)).toBe(0);

    await wechat.reauthorize(component.appId, MERCHANT, { funcIds: [9], push: false });
    expect(wechat.authorizerState(component.appId, MERCHANT)?.funcIds).toEqual([9]);
    await expect(wechat.reauthorize(component.appId, 'wx_stranger')).rejects.toThrow(/has not authorized/);
  });

  it('authorize() on an authorized merchant is a re-authorization too', async () => {
    await wechat.authorize({ componentAppId: component.appId, authorizerAppId: MERCHANT });
    await wechat.authorize({ componentAppId: component.appId, authorizerAppId: MERCHANT });
    expect(receiver.events.map((e) => e.InfoType)).toEqual(['authorized', 'updateauthorized']);
  });

  it('pushAuthorizationEvent sends a low-level event with explicit fields and changes no state', async () => {
    const result = await wechat.pushAuthorizationEvent(
      receiver.url,
      component.appId,
      {
        infoType: 'authorized',
        authorizerAppId: 'wx_x',
        authorizationCode: 'code-1',
        createTime: 1_700_000_000,
        preAuthCode: 'pre-1',
      },
      { nonce: '42' },
    );
    expect(result).toEqual({ status: 200, body: 'success' });
    expect(receiver.events[0]).toEqual({
      AppId: component.appId,
      CreateTime: '1700000000',
      InfoType: 'authorized',
      AuthorizerAppid: 'wx_x',
      AuthorizationCode: 'code-1',
      AuthorizationCodeExpiredTime: '1700000600',
      PreAuthCode: 'pre-1',
    });
    expect(wechat.authorizerState(component.appId, 'wx_x')).toBeUndefined();
    expect(wechat.authorizationPushes()).toEqual([]);
    await expect(
      wechat.pushAuthorizationEvent(receiver.url, 'wx_nobody', { infoType: 'unauthorized', authorizerAppId: 'x' }),
    ).rejects.toThrow(/unknown component/);
  });

  it('a failed push is reported, not thrown, and the authorization stands', async () => {
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}/events`;
    await new Promise((resolve) => dead.close(resolve));
    wechat.setEventsUrl(component.appId, deadUrl);

    const result = await wechat.authorize({ componentAppId: component.appId, authorizerAppId: MERCHANT });
    expect(result.pushError).toMatch(/fetch failed/);
    expect(result.pushed).toBeUndefined();
    expect(wechat.authorizationPushes()[0]).toMatchObject({ url: deadUrl, error: result.pushError });
    expect((await exchange(result.authorizationCode)).authorizer_appid).toBe(MERCHANT);
    wechat.resetCalls();
    expect(wechat.authorizationPushes()).toEqual([]);
  });
});
