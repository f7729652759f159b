import { TokenLedger, type TokenCheck } from '../core/token-ledger.js';

/**
 * Component tokens issued by the emulator. A new token for a component cuts the validity of the
 * older ones down to a short grace period: fetching too often invalidates older tokens.
 */
export class ComponentTokenBook {
  private readonly ledger: TokenLedger<string>;

  constructor(now: () => number, graceSeconds: number) {
    this.ledger = new TokenLedger<string>(now, graceSeconds, 'cat_');
  }

  issue(componentAppId: string, expiresInSeconds: number): string {
    return this.ledger.issue(componentAppId, componentAppId, expiresInSeconds);
  }

  /** Why `token` is accepted or not; the owner is the component appid. */
  check(token: string): TokenCheck<string> {
    return this.ledger.check(token);
  }

  /** The component a valid token belongs to, or undefined if unknown, expired or superseded. */
  componentOf(token: string): string | undefined {
    return this.ledger.ownerOf(token);
  }

  isValid(token: string): boolean {
    return this.componentOf(token) !== undefined;
  }
}
