/** A cached access token with what is needed to decide when to renew it. */
export interface CachedToken {
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
  /** Lifetime the platform gave, in seconds. */
  expiresIn: number;
}

/**
 * When a token should be renewed: once its remaining life falls below
 * min(marginSeconds, 20% of its expires_in).
 */
export function renewAt(token: CachedToken, marginSeconds: number): number {
  const marginMs = Math.min(marginSeconds * 1000, token.expiresIn * 1000 * 0.2);
  return token.expiresAt - marginMs;
}

export function needsRenewal(token: CachedToken | undefined, now: number, marginSeconds: number): boolean {
  return !token || now >= renewAt(token, marginSeconds);
}

export function isExpired(token: CachedToken | undefined, now: number): boolean {
  return !token || now >= token.expiresAt;
}

/**
 * When the scheduler renews a token: at {@link renewAt}, moved earlier by up to `jitter` (0..1) of
 * min(margin, 10% of the lifetime), so tokens issued together (a fleet's boot, a bulk onboarding)
 * are not all renewed in the same tick.
 */
export function scheduledRenewalAt(token: CachedToken, marginSeconds: number, jitter: number): number {
  const marginMs = Math.min(marginSeconds * 1000, token.expiresIn * 1000 * 0.2);
  const spreadMs = Math.min(marginMs, token.expiresIn * 1000 * 0.1);
  return renewAt(token, marginSeconds) - Math.floor(jitter * spreadMs);
}

/**
 * When a refresh token that expires (Douyin: 30 days, single use) is renewed by the scheduler, used
 * or not: once 80% of its life has passed. The access-token margin would leave minutes; a fifth of
 * its life (six days on Douyin) outlasts any platform outage before the merchant's chain dies.
 */
export function refreshKeepaliveAt(issuedAt: number, expiresAt: number): number {
  return expiresAt - Math.floor((expiresAt - issuedAt) * 0.2);
}
