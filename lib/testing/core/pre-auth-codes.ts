import { randomBytes } from 'node:crypto';

/** Why a pre-auth code presented to the authorization page is (not) usable. */
export type PreAuthCodeCheck = 'valid' | 'unknown' | 'used' | 'expired';

interface PreAuthEntry {
  componentAppId: string;
  expiresAt: number;
  used: boolean;
}

/**
 * Single-use, expiring pre-auth codes of one component each: both platforms hand one to the
 * merchant authorization page. Each platform's code book extends this with its authorization codes.
 */
export class PreAuthCodeBook {
  private readonly preAuth = new Map<string, PreAuthEntry>();

  constructor(
    protected readonly now: () => number,
    readonly preAuthCodeExpiresIn: number,
    /** Makes a fresh code in the platform's format. */
    private readonly newCode: () => string = () => randomBytes(16).toString('hex'),
  ) {}

  createPreAuthCode(componentAppId: string, lifetimeSeconds = this.preAuthCodeExpiresIn): string {
    const code = this.newCode();
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
}
