/**
 * Fixtures and HTTP helpers shared by the emulator's spec files. Test-only: excluded from the
 * build (tsconfig.build.json) so it never ships in dist.
 */
import { expect } from '@jest/globals';
import type { Server } from 'node:http';
import { MessageCrypto } from '../../crypto/message-crypto.js';
import { FakeWeChatPlatform } from './fake-wechat-platform.js';
import type { FakeWeChatComponent, FakeWeChatPlatformOptions } from './fake-wechat.types.js';

export type Json = Record<string, unknown>;
/** `authorization_info` of a successful api_query_auth. */
export type Info = { authorizer_access_token: string; authorizer_refresh_token: string; [key: string]: unknown };

export const component: FakeWeChatComponent = {
  appId: 'wx_component_a',
  appSecret: 'secret-a',
  token: 'token-a',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};
export const other: FakeWeChatComponent = { ...component, appId: 'wx_component_b', appSecret: 'secret-b' };
export const MERCHANT = 'wx_merchant_1';

/** The app side of `component`, written independently of the emulator's push code. */
export const appCrypto = new MessageCrypto({ platform: 'wechat', ...component });

export const tokenPath = '/cgi-bin/component/api_component_token';
export const startPushPath = '/cgi-bin/component/api_start_push_ticket';

/** Fetches and parses JSON, asserting HTTP 200 (WeChat errors are HTTP 200 too). */
export const fetchJson = async (url: string, init?: RequestInit): Promise<Json> => {
  const response = await fetch(url, init);
  expect(response.status).toBe(200); // WeChat errors are HTTP 200 too
  return (await response.json()) as Json;
};

export const errorOf = (reply: Json) => [reply.errcode, reply.errmsg];

/** Awaits a `{ status, body }` reply, asserts HTTP 200 and gives `[errcode, errmsg]`. */
export const errcodeOf = async (reply: Promise<{ status: number; body: Record<string, unknown> }>) => {
  const { status, body } = await reply;
  expect(status).toBe(200); // WeChat errors are HTTP 200
  return [body.errcode, body.errmsg];
};

/** Closes a test server, dropping keep-alive connections so close() does not wait for them. */
export const closeServer = async (server: Server): Promise<void> => {
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeAllConnections();
  await closed;
};

/**
 * Component-API helpers bound to the current emulator and component access token. Takes getters
 * because specs replace both per test (and sometimes inside one).
 */
export function componentClient(getWechat: () => FakeWeChatPlatform, getCat: () => string) {
  const postJson = (path: string, body: unknown) =>
    fetchJson(`${getWechat().baseUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
  const componentToken = async (c: FakeWeChatComponent = component) => {
    const ticket = getWechat().issueTicket(c.appId);
    const body = { component_appid: c.appId, component_appsecret: c.appSecret, component_verify_ticket: ticket };
    return (await postJson(tokenPath, body)).component_access_token as string;
  };
  /** `token` null sends no token at all. */
  const api = (name: string, body: Json, token: string | null = getCat(), param = 'component_access_token') =>
    postJson(`/cgi-bin/component/${name}${token === null ? '' : `?${param}=${encodeURIComponent(token)}`}`, {
      component_appid: component.appId,
      ...body,
    });
  const exchange = async (code: string) =>
    (await api('api_query_auth', { authorization_code: code })).authorization_info as Info;
  const onboard = async (authorizerAppId = MERCHANT, funcIds?: number[]) =>
    exchange(
      (await getWechat().authorize({ componentAppId: component.appId, authorizerAppId, funcIds })).authorizationCode,
    );
  const basicInfo = (token: string) =>
    fetchJson(`${getWechat().baseUrl}/cgi-bin/account/getaccountbasicinfo?access_token=${encodeURIComponent(token)}`);
  return { postJson, componentToken, api, exchange, onboard, basicInfo };
}

/** Starts an emulator and takes a component access token for `component` from it. */
export async function startWithComponentToken(
  options: FakeWeChatPlatformOptions,
): Promise<{ wechat: FakeWeChatPlatform; cat: string }> {
  const wechat = new FakeWeChatPlatform(options);
  await wechat.start();
  const cat = await componentClient(
    () => wechat,
    () => '',
  ).componentToken();
  return { wechat, cat };
}
