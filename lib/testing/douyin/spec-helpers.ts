/**
 * Fixtures and HTTP helpers shared by the Douyin emulator's spec files. Test-only: excluded from
 * the build so it never ships in dist.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MessageCrypto } from '../../crypto/message-crypto.js';
import { FakeDouyinPlatform } from './fake-douyin-platform.js';
import type { FakeDouyinApiVersion, FakeDouyinComponent, FakeDouyinPlatformOptions } from './fake-douyin.types.js';

export type Json = Record<string, unknown>;

export const component: FakeDouyinComponent = {
  appId: 'tt_component_a',
  appSecret: 'secret-a',
  token: 'token-a',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};
export const MERCHANT = 'tt_merchant_1';
export const appCrypto = new MessageCrypto({ platform: 'douyin', ...component });

/** `{code}` of an error in any envelope, or `{data}` of a success (V2 unwrapped, flat as is). */
export function outcome(body: Json): { code: number } | { data: Json } {
  const code = body.errno ?? body.err_no;
  if (typeof code === 'number' && code !== 0) return { code };
  // Wrapped answers (V2, V1 business APIs) carry a status code next to `data`; token answers are bare.
  return { data: code === 0 && 'data' in body ? (body.data as Json) : body };
}

export const codeOf = (body: Json) => (outcome(body) as { code?: number }).code;
export const dataOf = (body: Json) => {
  const result = outcome(body);
  if (!('data' in result)) throw new Error(`expected success, got ${JSON.stringify(body)}`);
  return result.data;
};

/** Generation-aware calls to an emulator, the way each generation's client would make them. */
export function douyinClient(fake: FakeDouyinPlatform, getToken: () => string) {
  const v1 = fake.apiVersion === 'v1';
  const call = async (
    method: string,
    path: string,
    query: Record<string, string | number | undefined> = {},
    body?: Json,
    token = getToken(),
  ) => {
    const url = new URL(`${fake.baseUrl}${path}`);
    const params = v1 ? { component_appid: component.appId, component_access_token: token, ...query } : query;
    for (const [key, value] of Object.entries(params))
      if (value !== undefined) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = v1 ? {} : { 'access-token': token };
    if (body) headers['content-type'] = 'application/json';
    const response = await fetch(url, { method, headers, body: body && JSON.stringify(body) });
    return (await response.json()) as Json;
  };
  const componentToken = async (ticket = fake.issueTicket(component.appId), c = component) => {
    const query = `component_appid=${c.appId}&component_appsecret=${c.appSecret}&component_ticket=${ticket}`;
    const path = v1 ? '/openapi/v1/auth/tp/token' : '/openapi/v2/auth/tp/token/';
    return (await fetch(`${fake.baseUrl}${path}?${query}`).then((r) => r.json())) as Json;
  };
  const tokenPath = v1 ? '/openapi/v1/oauth/token' : '/api/tpapp/v2/auth/get_auth_token/';
  const exchange = (code: string, token?: string) =>
    call('GET', tokenPath, { grant_type: 'app_to_tp_authorization_code', authorization_code: code }, undefined, token);
  const refresh = (refreshToken: string) =>
    call('GET', tokenPath, { grant_type: 'app_to_tp_refresh_token', authorizer_refresh_token: refreshToken });
  const retrieve = (appId: string) =>
    v1
      ? call('POST', '/openapi/v1/auth/retrieve', { authorization_appid: appId })
      : call('POST', '/api/tpapp/v2/auth/retrieve_auth_code/', {}, { authorization_appid: appId });
  const appList = (page: number, size: number) =>
    call('GET', v1 ? '/openapi/v1/tp/auth_app_list' : '/api/tpapp/v2/auth/get_auth_app_list/', { page, size });
  const preAuthCode = (token?: string) =>
    call('POST', v1 ? '/openapi/v2/auth/pre_auth_code' : '/api/tpapp/v3/auth/get_pre_auth_code/', {}, {}, token);
  const basicInfo = async (token?: string) => {
    const url = new URL(`${fake.baseUrl}${v1 ? '/openapi/v1/microapp/app/info' : '/api/apps/v2/basic_info/get_info'}`);
    if (v1) url.searchParams.set('component_appid', component.appId);
    if (v1 && token !== undefined) url.searchParams.set('authorizer_access_token', token);
    const headers: Record<string, string> = !v1 && token !== undefined ? { 'access-token': token } : {};
    return (await fetch(url, { headers }).then((r) => r.json())) as Json;
  };
  /** Authorizes `appId` and exchanges the code: the first token pair. */
  const onboard = async (appId = MERCHANT) =>
    dataOf(
      await exchange(
        (await fake.authorize({ componentAppId: component.appId, authorizerAppId: appId })).authorizationCode,
      ),
    );
  return { call, componentToken, exchange, refresh, retrieve, appList, preAuthCode, basicInfo, onboard };
}

/** Starts an emulator of `version` on a movable clock, with a component token for `component`. */
export async function startDouyin(version: FakeDouyinApiVersion, options: FakeDouyinPlatformOptions = {}) {
  const clock = { now: Date.UTC(2025, 0, 1) };
  const fake = new FakeDouyinPlatform({
    apiVersion: version,
    components: [component],
    now: () => clock.now,
    ...options,
  });
  await fake.start();
  let token = '';
  const client = douyinClient(fake, () => token);
  token = dataOf(await client.componentToken()).component_access_token as string;
  return { fake, clock, client, token: () => token };
}

/** An app's events route: records decrypted pushes and answers `success`. */
export async function startReceiver(): Promise<{ url: string; messages: Json[]; bodies: Json[]; server: Server }> {
  const messages: Json[] = [];
  const bodies: Json[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(raw) as Json;
      bodies.push(body);
      messages.push(JSON.parse(appCrypto.decrypt(body.Encrypt as string)) as Json);
      res.end('success');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`, messages, bodies, server };
}

export const closeServer = async (server: Server): Promise<void> => {
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeAllConnections();
  await closed;
};
