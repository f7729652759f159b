import type { PlatformName } from '../options/open-platform-options.interface.js';

/**
 * - `active`: tokens can be obtained;
 * - `no_api_permission`: the merchant authorized without granting any API permission (no tokens);
 * - `revoked`: the merchant de-authorized the component;
 * - `reauthorization_required`: the refresh token is dead and could not be repaired.
 */
export type AuthorizerStatus = 'active' | 'revoked' | 'reauthorization_required' | 'no_api_permission';

/** What the module knows about an authorizer (a merchant account). Never contains a token. */
export interface AuthorizerInfo {
  componentAppId: string;
  authorizerAppId: string;
  platform: PlatformName;
  status: AuthorizerStatus;
  /** Permission (function scope) ids granted to the component. */
  permissions: number[];
  /** When the current authorization was granted (epoch ms). */
  authorizedAt: number;
  /** When the cached access token expires (epoch ms), if one is cached. */
  accessTokenExpiresAt?: number;
  /** When the refresh token expires (epoch ms), on platforms where it does. */
  refreshTokenExpiresAt?: number;
}

/** @internal The durable record: {@link AuthorizerInfo} plus the refresh token. */
export interface AuthorizerRecord extends Omit<AuthorizerInfo, 'accessTokenExpiresAt'> {
  refreshToken?: string;
  /** When the current refresh token was issued (epoch ms), where refresh tokens expire. */
  refreshTokenIssuedAt?: number;
  updatedAt: number;
  /** Creation time of the last authorization push applied; orders out-of-order pushes. */
  lastEventAt?: number;
  /**
   * Single-use refresh tokens (Douyin): written before the refresh token is presented to the
   * platform and removed once the outcome is known. Found still there for the same token (a
   * fingerprint, not the token), it means the process that presented it died before recording the
   * outcome: the token may be spent, so it is never presented again (the chain is repaired).
   */
  refreshAttempt?: { at: number; fingerprint: string };
}

/**
 * `current` as revoked at `now`: the chain (refresh token, its times, an attempt mark) is gone,
 * everything else kept. One place, so every revocation path forgets the same fields.
 */
export function revokedRecord(current: AuthorizerRecord, now: number): AuthorizerRecord {
  return {
    ...current,
    status: 'revoked',
    refreshToken: undefined,
    refreshTokenExpiresAt: undefined,
    refreshTokenIssuedAt: undefined,
    refreshAttempt: undefined,
    updatedAt: now,
  };
}

/** The `unauthorized` event, as every revocation path emits it (a push, or the platform's answer). */
export function unauthorizedEvent(
  component: { platform: PlatformName; appId: string },
  authorizerAppId: string,
  at: number,
) {
  return {
    type: 'unauthorized' as const,
    platform: component.platform,
    componentAppId: component.appId,
    authorizerAppId,
    at,
  };
}
