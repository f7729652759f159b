import { randomBytes } from 'node:crypto';

/** Why a presented token is (not) accepted. */
export type TokenCheck<O> =
  | { status: 'valid'; owner: O }
  /** Never issued by the emulator. */
  | { status: 'unknown' }
  /** Superseded past its grace period, or killed (revocation, re-authorization). */
  | { status: 'invalid'; owner: O }
  /** Past its own `expires_in`. */
  | { status: 'expired'; owner: O };

interface Entry<O> {
  key: string;
  owner: O;
  /** Epoch ms of the natural expiry (`expires_in`). */
  expiresAt: number;
  /** Epoch ms after which the token is refused; earlier than `expiresAt` once superseded. */
  validUntil: number;
  killed: boolean;
}

/**
 * Access tokens issued by the emulator, grouped by an owner key (one component, or one
 * component + authorizer pair). Issuing a new token for a key cuts the older ones down to a grace
 * period; killing a key invalidates all of its tokens at once.
 */
export class TokenLedger<O> {
  private readonly tokens = new Map<string, Entry<O>>();
  private readonly byKey = new Map<string, Set<string>>();

  constructor(
    private readonly now: () => number,
    private readonly graceSeconds: number,
    private readonly prefix: string,
  ) {}

  /** Issues a token for `key`; older live tokens of the key stay valid for the grace period only. */
  issue(key: string, owner: O, expiresInSeconds: number): string {
    const now = this.now();
    const graceEnd = now + this.graceSeconds * 1000;
    const siblings = this.byKey.get(key) ?? new Set<string>();
    for (const token of siblings) {
      const entry = this.tokens.get(token) as Entry<O>;
      if (entry.validUntil > graceEnd) entry.validUntil = graceEnd;
    }
    const token = `${this.prefix}${randomBytes(48).toString('base64url')}`;
    this.tokens.set(token, {
      key,
      owner,
      expiresAt: now + expiresInSeconds * 1000,
      validUntil: now + expiresInSeconds * 1000,
      killed: false,
    });
    siblings.add(token);
    this.byKey.set(key, siblings);
    return token;
  }

  /** Every token of `key` is refused from now on. */
  kill(key: string): void {
    for (const token of this.byKey.get(key) ?? []) (this.tokens.get(token) as Entry<O>).killed = true;
  }

  check(token: string): TokenCheck<O> {
    const entry = this.tokens.get(token);
    if (!entry) return { status: 'unknown' };
    const now = this.now();
    if (entry.killed) return { status: 'invalid', owner: entry.owner };
    if (now >= entry.expiresAt) return { status: 'expired', owner: entry.owner };
    if (now >= entry.validUntil) return { status: 'invalid', owner: entry.owner };
    return { status: 'valid', owner: entry.owner };
  }

  /** The owner of a currently valid token, or undefined. */
  ownerOf(token: string): O | undefined {
    const checked = this.check(token);
    return checked.status === 'valid' ? checked.owner : undefined;
  }
}
