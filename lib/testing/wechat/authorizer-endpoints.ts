import type { FakeReply, FakeRequest } from '../core/fake-http-server.js';
import type { AuthorizationCodeBook } from './authorization-codes.js';
import { principalNameOf, userNameOf, type AuthorizerBook, type AuthorizerRecord } from './authorizer-book.js';
import { jsonObject, text, type Body } from './component-endpoints.js';
import type { ComponentTokenBook } from './component-token-book.js';
import type { FakeWeChatComponent } from './fake-wechat.types.js';
import { wechatError, type WeChatErrorBody } from './wechat-errors.js';

/** What the authorizer-facing component endpoints read from the emulator. */
export interface AuthorizerEndpointState {
  components: ReadonlyMap<string, FakeWeChatComponent>;
  tokens: ComponentTokenBook;
  authorizers: AuthorizerBook;
  codes: AuthorizationCodeBook;
  authorizerTokenExpiresIn(): number;
}

type Guarded = { body: Body; componentAppId: string } | { error: WeChatErrorBody };

const COMPONENT_TOKEN = ['component_access_token'] as const;
/** `api_authorizer_token` also accepts the newer `access_token` name. */
const COMPONENT_TOKEN_OR_ACCESS_TOKEN = ['component_access_token', 'access_token'] as const;

/**
 * The checks shared by the component APIs, in the platform's order: the component token in the
 * query (41001 / 40001 / 42001), a JSON body (47001), a known `component_appid` (40013) that
 * owns the token (40001).
 */
export function guardComponentCall(
  state: AuthorizerEndpointState,
  request: FakeRequest,
  params: readonly string[] = COMPONENT_TOKEN,
): Guarded {
  const token = params.map((name) => request.query.get(name)).find((value) => !!value);
  if (!token) return { error: wechatError(41001) };
  const checked = state.tokens.check(token);
  if (checked.status === 'expired') return { error: wechatError(42001) };
  if (checked.status !== 'valid') return { error: wechatError(40001) };
  const body = jsonObject(request);
  if (!body) return { error: wechatError(47001) };
  const componentAppId = text(body, 'component_appid') ?? '';
  if (!state.components.has(componentAppId)) return { error: wechatError(40013) };
  if (checked.owner !== componentAppId) return { error: wechatError(40001) };
  return { body, componentAppId };
}

/** `POST /cgi-bin/component/api_create_preauthcode`. */
export function apiCreatePreAuthCode(state: AuthorizerEndpointState, request: FakeRequest): FakeReply {
  const guarded = guardComponentCall(state, request);
  if ('error' in guarded) return { body: guarded.error };
  const code = state.codes.createPreAuthCode(guarded.componentAppId);
  return { body: { pre_auth_code: code, expires_in: state.codes.preAuthCodeExpiresIn } };
}

/** `POST /cgi-bin/component/api_query_auth`: exchanges a single-use authorization code. */
export function apiQueryAuth(state: AuthorizerEndpointState, request: FakeRequest): FakeReply {
  const guarded = guardComponentCall(state, request);
  if ('error' in guarded) return { body: guarded.error };
  const { componentAppId, body } = guarded;
  const redeemed = state.codes.redeemAuthCode(componentAppId, text(body, 'authorization_code') ?? '', (entry) => {
    const record = state.authorizers.get(componentAppId, entry.authorizerAppId);
    return record?.status === 'authorized' && record.generation === entry.generation;
  });
  if ('errcode' in redeemed) return { body: wechatError(redeemed.errcode) };
  const record = state.authorizers.get(componentAppId, redeemed.entry.authorizerAppId) as AuthorizerRecord;
  if (!record.grantApi || !record.refreshToken) {
    return { body: { authorization_info: { authorizer_appid: record.authorizerAppId, func_info: [] } } };
  }
  const expiresIn = state.authorizerTokenExpiresIn();
  return {
    body: {
      authorization_info: {
        authorizer_appid: record.authorizerAppId,
        authorizer_access_token: state.authorizers.issueAccessToken(record, expiresIn),
        expires_in: expiresIn,
        authorizer_refresh_token: record.refreshToken,
        func_info: funcInfo(record),
      },
    },
  };
}

/** `POST /cgi-bin/component/api_authorizer_token`: the refresh token is returned unchanged. */
export function apiAuthorizerToken(state: AuthorizerEndpointState, request: FakeRequest): FakeReply {
  const guarded = guardComponentCall(state, request, COMPONENT_TOKEN_OR_ACCESS_TOKEN);
  if ('error' in guarded) return { body: guarded.error };
  const { componentAppId, body } = guarded;
  const record = state.authorizers.get(componentAppId, text(body, 'authorizer_appid') ?? '');
  const presented = text(body, 'authorizer_refresh_token');
  if (record?.refreshFailure !== undefined) return { body: wechatError(record.refreshFailure) };
  if (record?.status !== 'authorized' || !record.refreshToken || presented !== record.refreshToken) {
    return { body: wechatError(61023) };
  }
  const expiresIn = state.authorizerTokenExpiresIn();
  return {
    body: {
      authorizer_access_token: state.authorizers.issueAccessToken(record, expiresIn),
      expires_in: expiresIn,
      authorizer_refresh_token: record.refreshToken,
    },
  };
}

/** `POST /cgi-bin/component/api_get_authorizer_info`. */
export function apiGetAuthorizerInfo(state: AuthorizerEndpointState, request: FakeRequest): FakeReply {
  const guarded = guardComponentCall(state, request);
  if ('error' in guarded) return { body: guarded.error };
  const record = state.authorizers.get(guarded.componentAppId, text(guarded.body, 'authorizer_appid') ?? '');
  if (record?.status !== 'authorized') return { body: wechatError(61003) };
  return {
    body: {
      authorizer_info: {
        nick_name: record.nickName,
        head_img: '',
        service_type_info: { id: 2 },
        verify_type_info: { id: 0 },
        user_name: userNameOf(record.authorizerAppId),
        principal_name: principalNameOf(record),
      },
      authorization_info: { authorizer_appid: record.authorizerAppId, func_info: funcInfo(record) },
    },
  };
}

/** `POST /cgi-bin/component/api_get_authorizer_list`: `count` 1..500, `offset` >= 0, else 40097. */
export function apiGetAuthorizerList(state: AuthorizerEndpointState, request: FakeRequest): FakeReply {
  const guarded = guardComponentCall(state, request);
  if ('error' in guarded) return { body: guarded.error };
  const offset = integerOf(guarded.body.offset);
  const count = integerOf(guarded.body.count);
  if (offset === undefined || offset < 0 || count === undefined || count < 1 || count > 500) {
    return { body: wechatError(40097) };
  }
  const all = state.authorizers.listAuthorized(guarded.componentAppId);
  const list = all.slice(offset, offset + count).map((record) => ({
    authorizer_appid: record.authorizerAppId,
    ...(record.refreshToken && !record.hideRefreshTokenInList ? { refresh_token: record.refreshToken } : {}),
    auth_time: record.authTime,
  }));
  return { body: { total_count: all.length, list } };
}

function funcInfo(record: AuthorizerRecord): Array<{ funcscope_category: { id: number } }> {
  return record.funcIds.map((id) => ({ funcscope_category: { id } }));
}

/** A JSON integer, or a string of digits (some clients send numbers as strings). */
function integerOf(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) ? number : undefined;
}
