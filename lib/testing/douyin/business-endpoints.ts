import type { FakeReply, FakeRequest } from '../core/fake-http-server.js';
import type { TokenCheckResult } from '../core/user-routes.js';
import { flatError, prefixed, v2Error, v2Success } from './douyin-errors.js';
import type { DouyinState } from './douyin-state.js';
import type { FakeDouyinCaller } from './fake-douyin.types.js';

/** The outcome of checking a business call's authorizer token. */
export type FakeDouyinTokenCheck = TokenCheckResult<FakeDouyinCaller>;

/**
 * Checks the authorizer token the way the generation's business APIs do, recording accepted calls.
 * V2 (header `access-token`): missing 40002, unknown/rotated/revoked 28001003, expired 28001008.
 * V1 (query `component_appid` + `authorizer_access_token`): missing 40002, unknown component
 * 40003, any unusable token 40020.
 */
export function checkAuthorizerToken(state: DouyinState, request: FakeRequest): FakeDouyinTokenCheck {
  const v2 = state.version === 'v2';
  const reject = (code: number): FakeDouyinTokenCheck => {
    const shown = v2 && state.prefixed.has('basic_info') ? prefixed(code) : code;
    return { ok: false, reply: { body: v2 ? v2Error(shown) : flatError(shown) } };
  };
  const token = v2 ? headerOf(request, 'access-token') : request.query.get('authorizer_access_token');
  const componentAppId = v2 ? undefined : request.query.get('component_appid');
  if (!token || (!v2 && !componentAppId)) return reject(40002);
  if (componentAppId && !state.components.has(componentAppId)) return reject(40003);
  const checked = state.authorizers.checkAccessToken(token);
  const owner = checked.status === 'unknown' ? undefined : checked.owner;
  const record = owner && state.authorizers.get(owner.componentAppId, owner.authorizerAppId);
  const foreign = componentAppId !== undefined && owner?.componentAppId !== componentAppId;
  if (checked.status === 'expired' && !foreign) return reject(v2 ? 28001008 : 40020);
  if (checked.status !== 'valid' || record?.status !== 'authorized' || foreign) return reject(v2 ? 28001003 : 40020);
  state.recordCall({ authorizerAppId: record.authorizerAppId, token });
  return { ok: true, caller: { componentAppId: record.componentAppId, authorizerAppId: record.authorizerAppId } };
}

/** V2 `GET /api/apps/v2/basic_info/get_info`, V1 `GET /openapi/v1/microapp/app/info`. */
export function basicInfo(state: DouyinState, request: FakeRequest): FakeReply {
  const check = checkAuthorizerToken(state, request);
  if (!check.ok) return check.reply;
  const appId = check.caller.authorizerAppId;
  const data = { app_id: appId, app_name: `Mini program ${appId}`, app_icon: '', app_intro: '' };
  return { body: state.version === 'v2' ? v2Success(data) : { errno: 0, message: 'success', data } };
}

/** A header's value (the first when repeated). */
export function headerOf(request: FakeRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
