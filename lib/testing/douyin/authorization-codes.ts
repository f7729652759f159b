import { randomBytes } from 'node:crypto';

/** Why a pre-auth code presented to the authorization page is (not) usable. */
export type PreAuthCodeCheck = 'valid' | 'unknown' | 'used' | 'expired';

interface AuthCodeEntry {
  componentAppId: string;
  authorizerAppId: string;
  expiresAt: number;
  used: boolean;
  /** The authorizer's generation when issued: a later revocation voids the code. */
  generation: number;
}

/** Pre-auth codes and authorization codes, both single use and expiring. */
export class DouyinCodeBook {
  private readonly preAuth = new Map<string, { componentAppId: string; expiresAt: number; used: boolean }>();
  private readonly authCodes = new Map<string, AuthCodeEntry>();

  constructor(
    private readonly now: () => number,
    readonly preAuthCodeExpiresIn: number,
    readonly authCodeExpiresIn: number,
  ) {}

  createPreAuthCode(componentAppId: string, lifetimeSeconds = this.preAuthCodeExpiresIn): string {
    const code = `preauth.${randomBytes(16).toString('hex')}`;
    this.preAuth.set(code, { componentAppId, expiresAt: this.now() + lifetimeSeconds * 1000, used: false });
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

  issueAuthCode(componentAppId: string, authorizerAppId: string, generation: number): string {
    const code = randomBytes(20).toString('hex');
    const expiresAt = this.now() + this.authCodeExpiresIn * 1000;
    this.authCodes.set(code, { componentAppId, authorizerAppId, expiresAt, used: false, generation });
    return code;
  }

  /**
   * Consumes a code presented by `componentAppId`, or answers undefined (40018) when it is unknown,
   * used, foreign, expired or voided (`isCurrent` false).
   */
  redeem(
    componentAppId: string,
    code: string,
    isCurrent: (authorizerAppId: string, generation: number) => boolean,
  ): string | undefined {
    const entry = this.authCodes.get(code);
    if (!entry || entry.used || entry.componentAppId !== componentAppId) return undefined;
    if (this.now() >= entry.expiresAt || !isCurrent(entry.authorizerAppId, entry.generation)) return undefined;
    entry.used = true;
    return entry.authorizerAppId;
  }
}
