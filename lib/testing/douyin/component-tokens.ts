import { randomBytes } from 'node:crypto';
import type { FakeDouyinApiVersion } from './fake-douyin.types.js';

interface Entry {
  componentAppId: string;
  expiresAt: number;
  /** Earlier than `expiresAt` once superseded (V2). */
  validUntil: number;
}

/** Why a presented component token is (not) accepted. */
export type ComponentTokenCheck =
  | { status: 'valid'; componentAppId: string }
  | { status: 'expired' | 'invalid'; componentAppId: string }
  | { status: 'unknown' };

/**
 * Component tokens with each generation's reuse rule. V1: a fetch returns the current token until
 * it enters its renewal window, then issues a new one while the old keeps its own expiry. V2: every
 * fetch issues a new token; the previous one survives a grace period, older ones die at once
 * (only the latest two are valid).
 */
export class DouyinComponentTokens {
  private readonly tokens = new Map<string, Entry>();
  private readonly latest = new Map<string, string[]>();

  constructor(
    private readonly now: () => number,
    private readonly version: FakeDouyinApiVersion,
    private readonly graceSeconds: number,
    private readonly renewWindowSeconds: number,
  ) {}

  /** The token a fetch answers, and its remaining `expires_in`. */
  fetch(componentAppId: string, expiresInSeconds: number): { token: string; expiresIn: number } {
    const now = this.now();
    const issued = this.latest.get(componentAppId) ?? [];
    const current = issued.at(-1);
    const entry = current === undefined ? undefined : this.tokens.get(current);
    if (this.version === 'v1' && current && entry && now < entry.expiresAt - this.renewWindowSeconds * 1000) {
      return { token: current, expiresIn: Math.floor((entry.expiresAt - now) / 1000) };
    }
    if (this.version === 'v2') {
      issued.forEach((token, index) => {
        const old = this.tokens.get(token) as Entry;
        const cut = index === issued.length - 1 ? now + this.graceSeconds * 1000 : now;
        old.validUntil = Math.min(old.validUntil, cut);
      });
    }
    const token = `${this.version === 'v2' ? 'clt.' : ''}${randomBytes(24).toString('hex')}`;
    const expiresAt = now + expiresInSeconds * 1000;
    this.tokens.set(token, { componentAppId, expiresAt, validUntil: expiresAt });
    this.latest.set(componentAppId, [...issued, token]);
    return { token, expiresIn: expiresInSeconds };
  }

  check(token: string): ComponentTokenCheck {
    const entry = this.tokens.get(token);
    if (!entry) return { status: 'unknown' };
    const now = this.now();
    if (now >= entry.expiresAt) return { status: 'expired', componentAppId: entry.componentAppId };
    if (now >= entry.validUntil) return { status: 'invalid', componentAppId: entry.componentAppId };
    return { status: 'valid', componentAppId: entry.componentAppId };
  }
}
