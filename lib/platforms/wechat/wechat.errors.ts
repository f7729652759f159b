import { redactText } from '../../errors/redact.js';
import { OpenPlatformError } from '../../errors/open-platform.error.js';

/** What a caller should make of a WeChat errcode. */
const HINTS: Record<number, { hint: string; retryable?: boolean }> = {
  [-1]: { hint: 'system busy; retry later', retryable: true },
  40001: { hint: 'credential invalid or not the latest' },
  40013: { hint: 'invalid appid: check the component appId' },
  40014: { hint: 'invalid access_token' },
  40125: { hint: 'invalid appsecret: check the component appSecret' },
  41004: { hint: 'appsecret missing: check the component appSecret' },
  42001: { hint: 'access_token expired' },
  45009: { hint: 'daily API quota reached; clear_quota can reset it' },
  61004: { hint: "this server's IP is not on the component's IP whitelist" },
  61005: {
    hint: 'component_verify_ticket expired: waiting for the next push (every 10 minutes); check the authorization-event URL',
  },
  61006: {
    hint: 'component_verify_ticket invalid: waiting for the next push (every 10 minutes); check the authorization-event URL',
  },
  61003: { hint: 'the account has not authorized this component' },
  61009: { hint: 'authorization code invalid or already used' },
  61010: { hint: 'authorization code expired' },
  61023: { hint: 'refresh_token is invalid: the authorization chain is broken' },
};

/** WeChat errcodes meaning "this access token is no longer valid". */
export const WECHAT_TOKEN_REJECTED_CODES: ReadonlySet<number> = new Set([40001, 40014, 42001]);
/** refresh_token is invalid. */
export const WECHAT_REFRESH_TOKEN_INVALID = 61023;
/** The account has not authorized the component (any more): a de-authorization whose push was missed. */
export const WECHAT_NOT_AUTHORIZED = 61003;
/**
 * The component cannot obtain or use its token: IP not whitelisted (61004), appsecret invalid or
 * missing (40125, 41004), ticket expired or invalid (61005, 61006). Not 40013 (invalid appid):
 * an authorizer call answers it for a bad authorizer appid too.
 */
export const WECHAT_COMPONENT_UNUSABLE_CODES: ReadonlySet<number> = new Set([61004, 40125, 41004, 61005, 61006]);
/** Authorization code invalid / expired. */
export const WECHAT_CODE_INVALID_CODES: ReadonlySet<number> = new Set([61009, 61010]);

/** Returns the errcode of an answer, or 0 when it is a success. */
export function weChatErrcode(data: Record<string, unknown>): number {
  const code = data.errcode;
  return typeof code === 'number' ? code : typeof code === 'string' && /^-?\d+$/.test(code) ? Number(code) : 0;
}

/** The error for a failed answer; `sent` are the credentials the call carried, never quoted back. */
export function weChatError(
  endpoint: string,
  data: Record<string, unknown>,
  sent: readonly string[] = [],
): OpenPlatformError {
  const code = weChatErrcode(data);
  const known = HINTS[code];
  const errmsg = typeof data.errmsg === 'string' ? redactText(data.errmsg, sent).slice(0, 200) : 'no errmsg';
  return new OpenPlatformError({
    platform: 'wechat',
    code,
    message: `wechat ${endpoint} failed with errcode ${code} (${errmsg})${known ? `: ${known.hint}` : ''}`,
    retryable: known?.retryable ?? false,
  });
}
