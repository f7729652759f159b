import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock.js';
import { OPEN_PLATFORM_OPTIONS } from '../open-platform.constants.js';
import type { ResolvedComponent, ResolvedOptions } from '../options/resolved-options.js';
import { DueIndex, type DueEntry } from '../store/due-index.js';
import { StoreKeys } from '../store/store-keys.js';
import { refreshKeepaliveAt, scheduledRenewalAt, type CachedToken } from '../tokens/renewal.js';
import type { AuthorizerRecord } from './authorizer.interface.js';

/**
 * When each authorizer is next due for scheduled renewal, in the due-time index (one per
 * component): the earlier of its access token's renewal time and, where refresh tokens expire
 * (Douyin), the refresh token's keepalive time. Written on every token issued, so the scheduler
 * never reads records to find due work. Off (no writes, no memory) until the scheduler is on.
 */
@Injectable()
export class AuthorizerRenewals {
  private on = false;
  private readonly indexKeys = new Map<string, string>();

  constructor(
    private readonly index: DueIndex,
    private readonly clock: Clock,
    @Inject(OPEN_PLATFORM_OPTIONS) private readonly options: ResolvedOptions,
  ) {}

  /** Starts tracking (the scheduler is running). */
  enable(): void {
    this.on = true;
  }

  get enabled(): boolean {
    return this.on;
  }

  /**
   * Records when the authorizer is next due, from its cached token (absent: due now, to warm it)
   * and its record's refresh-token lifetime. Inactive records are taken out instead.
   */
  async track(component: ResolvedComponent, record: AuthorizerRecord, token: CachedToken | undefined): Promise<void> {
    if (!this.on) return;
    const dueAt = this.dueAt(record, token);
    if (dueAt === undefined) await this.untrack(component, record.authorizerAppId);
    else await this.index.schedule(this.indexKey(component), record.authorizerAppId, dueAt);
  }

  async untrack(component: ResolvedComponent, authorizerAppId: string): Promise<void> {
    if (this.on) await this.index.remove(this.indexKey(component), authorizerAppId);
  }

  /** Authorizers due by `until`, earliest first (they stay indexed until renewed or untracked). */
  due(component: ResolvedComponent, until: number, limit: number): Promise<DueEntry[]> {
    return this.index.due(this.indexKey(component), until, limit);
  }

  size(component: ResolvedComponent): Promise<number> {
    return this.index.size(this.indexKey(component));
  }

  /** Whether the authorizer is due by `until` at the earliest time its jitter allows. */
  isDue(record: AuthorizerRecord, token: CachedToken | undefined, until: number): boolean {
    const dueAt = this.dueAt(record, token, 1);
    return dueAt !== undefined && dueAt <= until;
  }

  private dueAt(record: AuthorizerRecord, token: CachedToken | undefined, jitter = Math.random()): number | undefined {
    if (record.status !== 'active') return undefined;
    const access = token ? scheduledRenewalAt(token, this.options.refresh.marginSeconds, jitter) : this.clock.now();
    const { refreshTokenExpiresAt: expiresAt, refreshTokenIssuedAt: issuedAt } = record;
    if (!record.refreshToken || expiresAt === undefined) return access;
    return Math.min(access, refreshKeepaliveAt(issuedAt ?? record.updatedAt, expiresAt));
  }

  private indexKey(component: ResolvedComponent): string {
    let key = this.indexKeys.get(component.appId);
    if (key === undefined)
      this.indexKeys.set(component.appId, (key = StoreKeys.renewalIndex(component.platform, component.appId)));
    return key;
  }
}
