import { randomBytes } from 'node:crypto';

/** Why a pre-auth code presented to the authorization page is (not) usable. */
export type PreAuthCodeCheck = 'valid' | 'unknown' | 'used' | 'expired';

interface PreAuthEntry {
  componentAppId: string;
  expiresAt: number;
  used: boolean;
}

/** An authorization code handed to the app after a merchant's consent. */
export interface AuthCodeEntry {
  componentAppId: string;
  authorizerAppId: string;
  /** Epoch ms. */
  expiresAt: number;
  used: boolean;
  /** The authorization generation it belongs to: a later revoke or re-consent voids it. */
  generation: number;
  /** The pre-auth code whose page flow produced it (synthetic for control-made consents). */
  preAuthCode: string;
}

/** Result of redeeming an authorization code at `api_query_auth`. */
export type AuthCodeRedeem = { entry: AuthCodeEntry } | { errcode: 61009 | 61010 };

/** Pre-auth codes (`api_create_preauthcode`) and authorization codes, both single use and expiring. */
export class AuthorizationCodeBook {
  private readonly preAuth = new Map<string, PreAuthEntry>();
  private readonly authCodes = new Map<string, AuthCodeEntry>();

  constructor(
    private readonly now: () => number,
    readonly preAuthCodeExpiresIn: number,
    readonly authCodeExpiresIn: number,
  ) {}

  createPreAuthCode(componentAppId: string): string {
    const code = `preauthcode@@@${randomBytes(24).toString('base64url')}`;
    this.preAuth.set(code, { componentAppId, expiresAt: this.now() + this.preAuthCodeExpiresIn * 1000, used: false });
    return code;
  }

  checkPreAuthCode(componentAppId: string, code: string): PreAuthCodeCheck {
    const entry = this.preAuth.get(code);
    if (!entry || entry.componentAppId !== componentAppId) return 'unknown';
    if (entry.used) return 'used';
    return this.now() >= entry.expiresAt ? 'expired' : 'valid';
  }

  consumePreAuthCode(code: string): void {
    const entry = this.preAuth.get(code);
    if (entry) entry.used = true;
  }

  issueAuthCode(
    componentAppId: string,
    authorizerAppId: string,
    generation: number,
    preAuthCode: string,
  ): AuthCodeEntry & { code: string } {
    const code = `queryauthcode@@@${randomBytes(32).toString('base64url')}`;
    const entry: AuthCodeEntry = {
      componentAppId,
      authorizerAppId,
      expiresAt: this.now() + this.authCodeExpiresIn * 1000,
      used: false,
      generation,
      preAuthCode,
    };
    this.authCodes.set(code, entry);
    return { ...entry, code };
  }

  /** Looks up an issued authorization code without consuming it. */
  authCode(code: string): AuthCodeEntry | undefined {
    return this.authCodes.get(code);
  }

  /**
   * Consumes a code presented by `componentAppId`. `isCurrent` tells whether the authorization it
   * came from still stands (no revoke or re-consent since). Unknown, used, foreign or voided
   * codes are 61009; expired ones 61010 (and are not consumed).
   */
  redeemAuthCode(componentAppId: string, code: string, isCurrent: (entry: AuthCodeEntry) => boolean): AuthCodeRedeem {
    const entry = this.authCodes.get(code);
    if (!entry || entry.used || entry.componentAppId !== componentAppId) return { errcode: 61009 };
    if (this.now() >= entry.expiresAt) return { errcode: 61010 };
    if (!isCurrent(entry)) return { errcode: 61009 };
    entry.used = true;
    return { entry };
  }
}
