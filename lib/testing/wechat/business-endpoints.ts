import type { FakeReply, FakeRequest } from '../core/fake-http-server.js';
import type { TokenCheckResult } from '../core/user-routes.js';
import { principalNameOf, type AuthorizerBook } from './authorizer-book.js';
import type { FakeWeChatBusinessCall } from './fake-wechat-authorization.types.js';
import { wechatError } from './wechat-errors.js';

/** What the business endpoints read from the emulator. */
export interface BusinessEndpointState {
  authorizers: AuthorizerBook;
  /** Records an accepted call, for {@link FakeWeChatPlatform.businessCalls}. */
  recordCall(call: FakeWeChatBusinessCall): void;
}

/** Who called a business endpoint, once the authorizer access token was accepted. */
export interface FakeWeChatCaller {
  componentAppId: string;
  authorizerAppId: string;
}

/** The outcome of checking a business call's token: the caller, or the platform's error answer. */
export type FakeWeChatTokenCheck = TokenCheckResult<FakeWeChatCaller>;

/**
 * Checks `?access_token=` the way WeChat's business APIs do: missing 41001; unknown, superseded,
 * killed or of a revoked authorizer 40001; expired 42001. An accepted call is recorded for
 * `businessCalls()`.
 */
export function checkAuthorizerToken(state: BusinessEndpointState, request: FakeRequest): FakeWeChatTokenCheck {
  const token = request.query.get('access_token');
  if (!token) return { ok: false, reply: { body: wechatError(41001) } };
  const checked = state.authorizers.checkAccessToken(token);
  if (checked.status === 'expired') return { ok: false, reply: { body: wechatError(42001) } };
  if (checked.status !== 'valid') return { ok: false, reply: { body: wechatError(40001) } };
  const { componentAppId, authorizerAppId } = checked.owner;
  const record = state.authorizers.get(componentAppId, authorizerAppId);
  if (record?.status !== 'authorized') return { ok: false, reply: { body: wechatError(40001) } };
  state.recordCall({ authorizerAppId, token });
  return { ok: true, caller: { componentAppId, authorizerAppId } };
}

/** `GET|POST /cgi-bin/account/getaccountbasicinfo?access_token=T`: a business API of an authorizer. */
export function getAccountBasicInfo(state: BusinessEndpointState, request: FakeRequest): FakeReply {
  const check = checkAuthorizerToken(state, request);
  if (!check.ok) return check.reply;
  const { componentAppId, authorizerAppId } = check.caller;
  const record = state.authorizers.get(componentAppId, authorizerAppId)!;
  return {
    body: {
      errcode: 0,
      errmsg: 'ok',
      appid: authorizerAppId,
      account_type: 1,
      principal_type: 1,
      principal_name: principalNameOf(record),
      realname_status: 1,
    },
  };
}
