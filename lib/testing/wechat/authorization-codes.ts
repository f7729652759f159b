import { randomBytes } from 'node:crypto';
import { PreAuthCodeBook } from '../core/pre-auth-codes.js';

export type { PreAuthCodeCheck } from '../core/pre-auth-codes.js';

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
export class AuthorizationCodeBook extends PreAuthCodeBook {
  private readonly authCodes = new Map<string, AuthCodeEntry>();

  constructor(
    now: () => number,
    preAuthCodeExpiresIn: number,
    readonly authCodeExpiresIn: number,
  ) {
    super(now, preAuthCodeExpiresIn, () => `preauthcode@@@${randomBytes(24).toString('base64url')}`);
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
