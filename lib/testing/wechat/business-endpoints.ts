import type { FakeReply, FakeRequest } from '../core/fake-http-server.js';
import { principalNameOf, type AuthorizerBook } from './authorizer-book.js';
import type { FakeWeChatBusinessCall } from './fake-wechat-authorization.types.js';
import { wechatError } from './wechat-errors.js';

/** What the business endpoints read from the emulator. */
export interface BusinessEndpointState {
  authorizers: AuthorizerBook;
  /** Records an accepted call, for {@link FakeWeChatPlatform.businessCalls}. */
  recordCall(call: FakeWeChatBusinessCall): void;
}

/**
 * `GET|POST /cgi-bin/account/getaccountbasicinfo?access_token=T`: a business API called on
 * behalf of an authorizer. Missing token 41001; unknown, superseded or killed 40001; expired 42001.
 */
export function getAccountBasicInfo(state: BusinessEndpointState, request: FakeRequest): FakeReply {
  const token = request.query.get('access_token');
  if (!token) return { body: wechatError(41001) };
  const checked = state.authorizers.checkAccessToken(token);
  if (checked.status === 'expired') return { body: wechatError(42001) };
  if (checked.status !== 'valid') return { body: wechatError(40001) };
  const { componentAppId, authorizerAppId } = checked.owner;
  const record = state.authorizers.get(componentAppId, authorizerAppId);
  if (record?.status !== 'authorized') return { body: wechatError(40001) };
  state.recordCall({ authorizerAppId, token });
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
