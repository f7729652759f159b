import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock.js';
import { verifyAdminPassword } from '../crypto/password-hash.js';
import { OPEN_PLATFORM_OPTIONS } from '../open-platform.constants.js';
import type { ResolvedOptions } from '../options/resolved-options.js';

/** Clients whose failures are remembered at once; the oldest is forgotten first (bounded memory). */
export const MAX_TRACKED_CLIENTS = 10_000;
const DEFAULT_MAX_FAILURES = 5;
const DEFAULT_LOCKOUT_MS = 15 * 60_000;
/** An Authorization header longer than this is refused unread (scrypt work is not spent on it). */
const MAX_HEADER = 1024;

/** The outcome of one check: the username on success. */
export type BasicAuthResult = { ok: true; username: string } | { ok: false; reason: 'missing' | 'invalid' | 'locked' };

interface Failures {
  count: number;
  lockedUntil?: number;
}

/**
 * `admin.basicAuth`: checks `Authorization: Basic …` against the configured username and scrypt
 * hash in constant time, and locks a client (by its address) out for `lockoutMs` after
 * `maxFailures` failures in a row; while locked, even the right password is refused.
 */
@Injectable()
export class BasicAuthService {
  private readonly failures = new Map<string, Failures>();

  constructor(
    @Inject(OPEN_PLATFORM_OPTIONS) private readonly options: ResolvedOptions,
    private readonly clock: Clock,
  ) {}

  get configured(): boolean {
    return this.options.admin.basicAuth !== undefined;
  }

  async check(header: unknown, client: string): Promise<BasicAuthResult> {
    const config = this.options.admin.basicAuth!;
    const now = this.clock.now();
    const seen = this.failures.get(client);
    if (seen?.lockedUntil !== undefined) {
      if (seen.lockedUntil > now) return { ok: false, reason: 'locked' };
      this.failures.delete(client);
    }
    if (typeof header !== 'string' || header.length === 0) return { ok: false, reason: 'missing' };
    const match = header.length <= MAX_HEADER ? /^Basic ([A-Za-z0-9+/]+=*)$/i.exec(header) : null;
    const decoded = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon <= 0) {
      // Not a username:password pair at all: refused without scrypt work (its shape is no secret).
      this.fail(client, now);
      return { ok: false, reason: 'invalid' };
    }
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    // Both checks always run, so the time taken does not tell a wrong username from a wrong password.
    const userOk = sameText(username, config.username);
    const passwordOk = await verifyAdminPassword(password, config.passwordHash);
    if (userOk && passwordOk) {
      this.failures.delete(client);
      return { ok: true, username: config.username };
    }
    this.fail(client, now);
    return { ok: false, reason: 'invalid' };
  }

  private fail(client: string, now: number): void {
    const config = this.options.admin.basicAuth!;
    const entry = this.failures.get(client) ?? { count: 0 };
    this.failures.delete(client); // re-inserted last: the Map's order is the eviction order
    entry.count++;
    if (entry.count >= (config.maxFailures ?? DEFAULT_MAX_FAILURES))
      entry.lockedUntil = now + (config.lockoutMs ?? DEFAULT_LOCKOUT_MS);
    this.failures.set(client, entry);
    while (this.failures.size > MAX_TRACKED_CLIENTS) this.failures.delete(this.failures.keys().next().value!);
  }

  /** @internal How many clients are tracked (tests of the bound). */
  get trackedClients(): number {
    return this.failures.size;
  }
}

function sameText(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}
