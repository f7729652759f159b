import { answerFields, asObject, type Json } from '../answer-fields.js';
import type { AuthorizerGrant, AuthorizerListEntry } from '../platform-adapter.js';
import { douyinTime } from './douyin-time.js';

const fields = answerFields('douyin');
export const { requiredString, positive } = fields;
export const malformedAnswer = fields.malformed;
export { asObject };

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

/**
 * Normalizes a token answer (exchange or refresh; V1 flat or V2 `data`). A refresh answer may
 * omit `authorizer_appid` and the permissions: the appid the caller refreshed stands in, and the
 * permissions stay undefined ("not said"), never an empty list.
 */
export function grantFrom(info: Json, endpoint: string, authorizerAppId?: string): AuthorizerGrant {
  const appId = optionalString(info.authorizer_appid) ?? authorizerAppId;
  if (!appId) throw malformedAnswer(endpoint, 'authorizer_appid');
  const refreshToken = optionalString(info.authorizer_refresh_token);
  const permissions = Array.isArray(info.authorize_permission)
    ? (info.authorize_permission as unknown[]).map((p) => Number(asObject(p).id)).filter((id) => Number.isInteger(id))
    : undefined;
  return {
    authorizerAppId: appId,
    accessToken: requiredString(info, 'authorizer_access_token', endpoint),
    expiresIn: positive(info, 'expires_in', endpoint),
    refreshToken,
    refreshExpiresIn: refreshToken && Number(info.refresh_expires_in) > 0 ? Number(info.refresh_expires_in) : undefined,
    permissions,
  };
}

/** Entries of `auth_app_list`: appid and time only (Douyin's list carries no refresh token). */
export function listEntries(list: unknown): AuthorizerListEntry[] {
  if (!Array.isArray(list)) return [];
  return (list as unknown[])
    .map(asObject)
    .filter((e) => typeof e.auth_appid === 'string' && e.auth_appid !== '')
    .map((e) => {
      const at = douyinTime(e.auth_time);
      return { authorizerAppId: e.auth_appid as string, authorizedAt: Number.isFinite(at) ? at : undefined };
    });
}
