import { Inject, Injectable, Logger } from '@nestjs/common';
import { exponentialBackoffMs } from '../backoff.js';
import { Clock } from '../clock/clock.js';
import { OPEN_PLATFORM_OPTIONS } from '../open-platform.constants.js';
import type { ResolvedComponent, ResolvedOptions } from '../options/resolved-options.js';
import { PlatformRegistry } from '../platforms/platform-registry.js';
import { DueIndex, type DueEntry } from '../store/due-index.js';
import { StoreKeys } from '../store/store-keys.js';
import { refreshKeepaliveAt, scheduledRenewalAt, type CachedToken } from '../tokens/renewal.js';
import type { AuthorizerRecord } from './authorizer.interface.js';

/** The longest a failing authorizer's next scheduled attempt is put off (at least one tick). */
export const MAX_RENEWAL_POSTPONE_MS = 30 * 60_000;

/** Failure counts kept at most (one per failing authorizer; beyond it, failures back off by one tick). */
const MAX_FAILURE_COUNTS = 100_000;

/**
 * When each authorizer is next due for scheduled renewal, in the due-time index (one per
 * component). Written on every token issued, so the scheduler never reads records to find due work.
 * Off (no writes, no memory) until the scheduler is on, except on a fleet's shared index (Redis):
 * there every process keeps it current, so that a fleet where only some processes run the
 * scheduler renews the merchants the others onboard and forgets those they see revoked.
 *
 * The due time is the access token's renewal time, and, where refresh tokens expire (Douyin), the
 * earlier of that and the refresh token's keepalive time. Where refresh tokens are single use
 * (Douyin), every renewal spends the chain, so an access token is renewed ahead of time only once
 * it has been used: an idle authorizer is renewed only for the keepalive, and its chain rotates as
 * rarely as the platform allows; the first use of a token moves its entry to its renewal time.
 */
@Injectable()
export class AuthorizerRenewals {
  private readonly logger = new Logger('OpenPlatform:Renewal');
  private on = false;
  private readonly indexKeys = new Map<string, string>();
  /** Scheduled renewals that failed in a row, per authorizer (this process's view). */
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly index: DueIndex,
    private readonly platforms: PlatformRegistry,
    private readonly clock: Clock,
    @Inject(OPEN_PLATFORM_OPTIONS) private readonly options: ResolvedOptions,
  ) {
    this.on = index.shared;
  }

  /** Starts tracking (the scheduler is running). */
  enable(): void {
    this.on = true;
  }

  get enabled(): boolean {
    return this.on;
  }

  /**
   * Records when the authorizer is next due, from its cached token (absent: due now, to warm it)
   * and its record's refresh-token lifetime. Inactive records are taken out instead. The token is
   * taken as not used yet (just issued, or unknown): see {@link noteUse}.
   */
  async track(component: ResolvedComponent, record: AuthorizerRecord, token: CachedToken | undefined): Promise<void> {
    if (!this.on) return;
    this.failures.delete(this.failureKey(component, record.authorizerAppId));
    const dueAt = this.dueAt(component, record, token, false);
    if (dueAt === undefined) await this.untrack(component, record.authorizerAppId);
    else await this.index.schedule(this.indexKey(component), record.authorizerAppId, dueAt);
  }

  /**
   * As {@link track}, but only for an authorizer the index does not hold: a rebuild after the
   * index was lost never undoes a due time moved since (a use, a postponed failure).
   */
  async trackIfAbsent(
    component: ResolvedComponent,
    record: AuthorizerRecord,
    token: CachedToken | undefined,
  ): Promise<void> {
    if (!this.on) return;
    const dueAt = this.dueAt(component, record, token, false);
    if (dueAt !== undefined) await this.index.scheduleIfAbsent(this.indexKey(component), record.authorizerAppId, dueAt);
  }

  async untrack(component: ResolvedComponent, authorizerAppId: string): Promise<void> {
    if (!this.on) return;
    this.failures.delete(this.failureKey(component, authorizerAppId));
    await this.index.remove(this.indexKey(component), authorizerAppId);
  }

  /**
   * The first use of `token` in this process: where idle tokens are not renewed ahead (single-use
   * refresh tokens), its entry moves to its renewal time. Never throws (it runs for a caller).
   */
  noteUse(component: ResolvedComponent, authorizerAppId: string, token: CachedToken): void {
    if (!this.on || !this.platforms.get(component.platform).singleUseRefreshTokens) return;
    const dueAt = scheduledRenewalAt(token, this.options.refresh.marginSeconds, Math.random());
    this.index
      .move(this.indexKey(component), authorizerAppId, dueAt, { onlyEarlier: true })
      .catch((err: unknown) =>
        this.logger.debug(
          `noting the use of ${authorizerAppId}'s token failed (${(err as Error)?.message}); it is renewed when it is due instead`,
        ),
      );
  }

  /**
   * Puts a failed scheduled renewal off: to the next tick after the first failure, then 2, 4, …
   * ticks later up to {@link MAX_RENEWAL_POSTPONE_MS}, so a few failing authorizers never sort
   * first in every tick. Only an authorizer still in the index is moved (a revoked one stays out).
   */
  async postpone(component: ResolvedComponent, authorizerAppId: string): Promise<number> {
    const key = this.failureKey(component, authorizerAppId);
    const failures = (this.failures.get(key) ?? 0) + 1;
    if (this.failures.has(key) || this.failures.size < MAX_FAILURE_COUNTS) this.failures.set(key, failures);
    const { intervalMs } = this.options.refresh;
    const delay = exponentialBackoffMs(intervalMs, Math.max(intervalMs, MAX_RENEWAL_POSTPONE_MS), failures);
    // Just past the window of the tick `delay` from now (a tick works what is due before the next
    // one): that tick retries it, the one before does not.
    const dueAt = this.clock.now() + delay + 1;
    await this.index.move(this.indexKey(component), authorizerAppId, dueAt);
    return dueAt;
  }

  /** Authorizers due by `until`, in index order after `after` (they stay indexed until renewed or untracked). */
  due(component: ResolvedComponent, until: number, limit: number, after?: DueEntry): Promise<DueEntry[]> {
    return this.index.due(this.indexKey(component), until, limit, after);
  }

  /** How many authorizers are due by `until` (undefined while the scheduler is off: nothing is indexed). */
  async countDue(component: ResolvedComponent, until: number): Promise<number | undefined> {
    return this.on ? this.index.countDue(this.indexKey(component), until) : undefined;
  }

  size(component: ResolvedComponent): Promise<number> {
    return this.index.size(this.indexKey(component));
  }

  /** Calls `listener` when the index may have lost entries (see {@link DueIndex.onPossibleLoss}). */
  onPossibleLoss(listener: () => void): void {
    this.index.onPossibleLoss(listener);
  }

  /**
   * Whether the authorizer may be renewed by `until` (at the earliest time its jitter allows, used
   * or not: the index, which knows about uses, found it due).
   */
  isDue(
    component: ResolvedComponent,
    record: AuthorizerRecord,
    token: CachedToken | undefined,
    until: number,
  ): boolean {
    const dueAt = this.dueAt(component, record, token, true, 1);
    return dueAt !== undefined && dueAt <= until;
  }

  private dueAt(
    component: ResolvedComponent,
    record: AuthorizerRecord,
    token: CachedToken | undefined,
    used: boolean,
    jitter = Math.random(),
  ): number | undefined {
    if (record.status !== 'active') return undefined;
    const access = token ? scheduledRenewalAt(token, this.options.refresh.marginSeconds, jitter) : this.clock.now();
    const { refreshTokenExpiresAt: expiresAt, refreshTokenIssuedAt: issuedAt } = record;
    if (!record.refreshToken || expiresAt === undefined) return access;
    const keepalive = refreshKeepaliveAt(issuedAt ?? record.updatedAt, expiresAt);
    if (!used && this.platforms.get(component.platform).singleUseRefreshTokens) return keepalive;
    return Math.min(access, keepalive);
  }

  private indexKey(component: ResolvedComponent): string {
    let key = this.indexKeys.get(component.appId);
    if (key === undefined)
      this.indexKeys.set(component.appId, (key = StoreKeys.renewalIndex(component.platform, component.appId)));
    return key;
  }

  private failureKey(component: ResolvedComponent, authorizerAppId: string): string {
    return `${component.appId}\n${authorizerAppId}`;
  }
}
