import { redactText } from '../../errors/redact.js';
import { OpenPlatformError } from '../../errors/open-platform.error.js';

import { asObject, type Json } from '../answer-fields.js';

/** What a caller should make of a Douyin errno, keyed by its plain form. */
const HINTS: Record<number, { hint: string; retryable?: boolean }> = {
  [-1]: { hint: 'system busy; retry later', retryable: true },
  // Listed without a meaning for the pre-auth code and app list endpoints; other Douyin products
  // use it for internal / network errors, so a later retry is worth it.
  40000: { hint: 'platform internal error; retry later', retryable: true },
  40001: { hint: 'bad parameter' },
  40002: { hint: 'missing parameter' },
  40003: { hint: 'component not found: check the component appId and apiVersion' },
  40004: { hint: 'authorizer (mini program) not found' },
  40009: { hint: 'component_access_token expired' },
  40010: { hint: 'component_access_token invalid (only the latest two are valid on V2)' },
  40018: { hint: 'authorization code invalid, expired or already used' },
  40020: { hint: 'authorizer_access_token expired' },
  40021: { hint: 'authorizer_refresh_token invalid or expired: the authorization chain is broken' },
  40022: { hint: 'the mini program has not authorized this component' },
  40037: { hint: 'component_ticket invalid: waiting for the next push; check the authorization-event URL' },
  40038: { hint: 'invalid secret: check the component appSecret' },
  40040: { hint: 'invalid grant_type' },
  40045: { hint: 'token generation failed; retry', retryable: true },
  40059: { hint: 'a mini program created on the merchant’s behalf needs an app name' },
  28001003: { hint: 'access_token invalid' },
  28001008: { hint: 'access_token expired: refresh or authorize again' },
};

/** Component token codes meaning "this component token is no longer valid" (plain form). */
export const DOUYIN_COMPONENT_TOKEN_REJECTED: ReadonlySet<number> = new Set([40009, 40010]);
/** Authorizer token codes meaning "this authorizer token is no longer valid" (plain form). */
export const DOUYIN_AUTHORIZER_TOKEN_REJECTED: ReadonlySet<number> = new Set([40020, 28001008, 28001003]);
/** The refresh token is invalid or expired (single use: also a lost race). */
export const DOUYIN_REFRESH_TOKEN_INVALID = 40021;
/** The mini program has not authorized the component (40022), or is unknown to it (40004). */
export const DOUYIN_NOT_AUTHORIZED: ReadonlySet<number> = new Set([40022, 40004]);
/** The component cannot obtain or use its token: unknown component, ticket refused, secret refused. */
export const DOUYIN_COMPONENT_UNUSABLE: ReadonlySet<number> = new Set([40003, 40037, 40038]);
/** The authorization code is invalid or expired. */
export const DOUYIN_CODE_INVALID = 40018;

/**
 * The plain form of a Douyin code. Some V2 pages number their codes with a `200` prefix
 * (20040021 for 40021, 20028001008 for 28001008) and others do not, even for the same meaning,
 * so every comparison goes through this one function. A prefixed code has 8 digits (`200` + a
 * 5-digit code) or 11 (`200` + an 8-digit one); no plain code of 8 digits starts with `200`.
 */
export function plainDouyinCode(code: number): number {
  const s = String(code);
  return s.length >= 8 && s.startsWith('200') ? Number(s.slice(3)) : code;
}

function numeric(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d{1,15}$/.test(value)) return Number(value);
  return undefined;
}

/**
 * The error code of an answer as the platform sent it, or 0 for a success. Reads the V2 key
 * (`err_no`) and the flat key (`errno`) alike — the V2 component-token endpoint answers its errors
 * flat — and, for business APIs of `open.douyin.com`, `error_code` at the top, in `data` or in
 * `extra`. Looks one level deep at most.
 */
export function douyinCode(data: Json): number {
  for (const source of [data, asObject(data.data), asObject(data.extra)]) {
    for (const key of ['err_no', 'errno', 'error_code']) {
      const code = numeric(source[key]);
      if (code !== undefined && code !== 0) return code;
    }
  }
  return 0;
}

function douyinMessage(data: Json, sent: readonly string[]): string {
  for (const source of [data, asObject(data.data), asObject(data.extra)]) {
    for (const key of ['err_msg', 'message', 'description', 'err_tips']) {
      const value = source[key];
      if (typeof value === 'string' && value) return redactText(value, sent).slice(0, 200);
    }
  }
  return 'no message';
}

/**
 * The error for a failed answer: the code as sent, a hint and whether a retry may help. `sent` are
 * the credentials the call carried, never quoted back.
 */
export function douyinError(endpoint: string, data: Json, sent: readonly string[] = []): OpenPlatformError {
  const code = douyinCode(data);
  const known = HINTS[plainDouyinCode(code)];
  return new OpenPlatformError({
    platform: 'douyin',
    code,
    message: `douyin ${endpoint} failed with errno ${code} (${douyinMessage(data, sent)})${known ? `: ${known.hint}` : ''}`,
    retryable: known?.retryable ?? false,
  });
}
