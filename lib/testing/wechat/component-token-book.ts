import { randomBytes } from 'node:crypto';

interface IssuedToken {
  componentAppId: string;
  /** Epoch ms after which the token is refused. */
  validUntil: number;
}

/**
 * Component tokens issued by the emulator. A new token for a component cuts the validity of the
 * older ones down to a short grace period: fetching too often invalidates older tokens (PROTOCOL §2).
 */
export class ComponentTokenBook {
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(
    private readonly now: () => number,
    private readonly graceSeconds: number,
  ) {}

  issue(componentAppId: string, expiresInSeconds: number): string {
    const now = this.now();
    const graceEnd = now + this.graceSeconds * 1000;
    for (const entry of this.tokens.values()) {
      if (entry.componentAppId === componentAppId && entry.validUntil > graceEnd) entry.validUntil = graceEnd;
    }
    const token = `cat_${randomBytes(48).toString('base64url')}`;
    this.tokens.set(token, { componentAppId, validUntil: now + expiresInSeconds * 1000 });
    return token;
  }

  /** The component a valid token belongs to, or undefined if unknown, expired or superseded. */
  componentOf(token: string): string | undefined {
    const entry = this.tokens.get(token);
    return entry && this.now() < entry.validUntil ? entry.componentAppId : undefined;
  }

  isValid(token: string): boolean {
    return this.componentOf(token) !== undefined;
  }
}
