import { randomBytes } from 'node:crypto';
import { PreAuthCodeBook } from '../core/pre-auth-codes.js';

export type { PreAuthCodeCheck } from '../core/pre-auth-codes.js';

interface AuthCodeEntry {
  componentAppId: string;
  authorizerAppId: string;
  expiresAt: number;
  used: boolean;
  /** The authorizer's generation when issued: a later revocation voids the code. */
  generation: number;
}

/** Pre-auth codes and authorization codes, both single use and expiring. */
export class DouyinCodeBook extends PreAuthCodeBook {
  private readonly authCodes = new Map<string, AuthCodeEntry>();

  constructor(
    now: () => number,
    preAuthCodeExpiresIn: number,
    readonly authCodeExpiresIn: number,
  ) {
    super(now, preAuthCodeExpiresIn, () => `preauth.${randomBytes(16).toString('hex')}`);
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
