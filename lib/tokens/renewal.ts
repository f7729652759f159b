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
