import { describe, it, expect } from '@jest/globals';
import {
  isExpired,
  needsRenewal,
  refreshKeepaliveAt,
  renewAt,
  scheduledRenewalAt,
  type CachedToken,
} from './renewal.js';

const T0 = 1_700_000_000_000;

/** A token issued at T0 with the platform's expires_in (seconds). */
function token(expiresIn: number, issuedAt = T0): CachedToken {
  return { accessToken: 'tok', expiresIn, expiresAt: issuedAt + expiresIn * 1000 };
}

describe('renewAt: min(marginSeconds, 20% of expires_in) before expiry', () => {
  it('7200 s token, margin 300 s → renew 300 s before expiry (20% would be 1440 s)', () => {
    const t = token(7200);
    expect(renewAt(t, 300)).toBe(t.expiresAt - 300_000);
    expect(needsRenewal(t, t.expiresAt - 300_001, 300)).toBe(false);
    expect(needsRenewal(t, t.expiresAt - 300_000, 300)).toBe(true);
  });

  it('60 s token, margin 300 s → renew 12 s before expiry (20% of 60 s)', () => {
    const t = token(60);
    expect(renewAt(t, 300)).toBe(t.expiresAt - 12_000);
    expect(needsRenewal(t, T0, 300)).toBe(false); // a fresh short token is usable, not renewed at once
    expect(needsRenewal(t, t.expiresAt - 12_001, 300)).toBe(false);
    expect(needsRenewal(t, t.expiresAt - 12_000, 300)).toBe(true);
  });

  it('switches from the margin to 20% exactly where they are equal (1500 s, margin 300 s)', () => {
    expect(renewAt(token(1500), 300)).toBe(token(1500).expiresAt - 300_000);
    expect(renewAt(token(1499), 300)).toBe(token(1499).expiresAt - 299_800);
    expect(renewAt(token(1501), 300)).toBe(token(1501).expiresAt - 300_000);
  });

  it('margin 0 → renew only at expiry', () => {
    const t = token(7200);
    expect(renewAt(t, 0)).toBe(t.expiresAt);
    expect(needsRenewal(t, t.expiresAt - 1, 0)).toBe(false);
    expect(needsRenewal(t, t.expiresAt, 0)).toBe(true);
  });

  it('expires_in 0 → renew at expiry, whatever the margin', () => {
    const t = token(0);
    expect(renewAt(t, 300)).toBe(T0);
    expect(needsRenewal(t, T0 - 1, 300)).toBe(false);
    expect(needsRenewal(t, T0, 300)).toBe(true);
  });

  it('uses expiresAt, not the issue time plus expires_in (a restored token keeps its own expiry)', () => {
    const t: CachedToken = { accessToken: 'tok', expiresIn: 7200, expiresAt: T0 + 1000 };
    expect(renewAt(t, 300)).toBe(T0 + 1000 - 300_000);
  });

  it('always renews when there is no token', () => {
    expect(needsRenewal(undefined, 0, 300)).toBe(true);
    expect(needsRenewal(undefined, T0, 0)).toBe(true);
  });

  it('renews an already expired token', () => {
    const t = token(7200);
    expect(needsRenewal(t, t.expiresAt + 1, 300)).toBe(true);
    expect(needsRenewal(t, t.expiresAt + 1, 0)).toBe(true);
  });
});

describe('isExpired', () => {
  it('is false before expiresAt and true from expiresAt on', () => {
    const t = token(7200);
    expect(isExpired(t, T0)).toBe(false);
    expect(isExpired(t, t.expiresAt - 1)).toBe(false);
    expect(isExpired(t, t.expiresAt)).toBe(true);
    expect(isExpired(t, t.expiresAt + 1)).toBe(true);
  });

  it('is not affected by the renewal margin (inside the margin a token is still valid)', () => {
    const t = token(60);
    expect(needsRenewal(t, t.expiresAt - 5_000, 300)).toBe(true);
    expect(isExpired(t, t.expiresAt - 5_000)).toBe(false);
  });

  it('treats a missing token as expired', () => {
    expect(isExpired(undefined, T0)).toBe(true);
  });
});

describe('scheduledRenewalAt', () => {
  it('is renewAt without jitter, and at most min(margin, 10% of the lifetime) earlier with full jitter', () => {
    const t = token(7200); // margin min(300 s, 1440 s) = 300 s; spread min(300 s, 720 s) = 300 s
    expect(scheduledRenewalAt(t, 300, 0)).toBe(renewAt(t, 300));
    expect(scheduledRenewalAt(t, 300, 1)).toBe(renewAt(t, 300) - 300_000);
    const short = token(10); // margin min(300 s, 2 s) = 2 s; spread min(2 s, 1 s) = 1 s
    expect(scheduledRenewalAt(short, 300, 1)).toBe(short.expiresAt - 3_000);
    expect(scheduledRenewalAt(short, 300, 0.5)).toBe(short.expiresAt - 2_500);
  });

  it('stays before expiry whatever the jitter', () => {
    for (const life of [1, 10, 7200, 86_400]) {
      const t = token(life);
      expect(scheduledRenewalAt(t, 300, 0.999)).toBeLessThan(t.expiresAt);
      expect(scheduledRenewalAt(t, 300, 0.999)).toBeGreaterThan(T0);
    }
  });
});

describe('refreshKeepaliveAt', () => {
  it('is when 80% of the refresh token life has passed (day 24 of 30 on Douyin)', () => {
    const day = 86_400_000;
    expect(refreshKeepaliveAt(T0, T0 + 30 * day)).toBe(T0 + 24 * day);
    expect(refreshKeepaliveAt(T0, T0 + 20_000)).toBe(T0 + 16_000);
  });
});
