import { exponentialBackoffMs } from '../backoff.js';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { describeStoreError } from '../errors/store-unavailable.js';
import { OpenPlatformEvents } from '../events/open-platform-events.service.js';
import { OPEN_PLATFORM_SHARED_DURABLE_STORE } from '../open-platform.constants.js';
import { LockService } from '../lock/lock.service.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import { DurableStore } from '../store/durable-store.js';
import { StoreKeys } from '../store/store-keys.js';
import { Clock } from '../clock/clock.js';
import { AuthorizerTally, type AuthorizerStatusCounts } from './authorizer-counts.js';
import type { AuthorizerInfo, AuthorizerRecord } from './authorizer.interface.js';

const WRITE_ATTEMPTS = 4;

/**
 * With a store other processes write too (Redis, or an app-supplied durable store), how old the
 * counts may get before they are rebuilt from the store: this process sees only its own writes.
 */
export const SHARED_COUNTS_MAX_AGE_MS = 60_000;

/** A component's counts, and the rebuild in progress (a shared store only). */
interface Tallies {
  current: AuthorizerTally;
  builtAt?: number;
  next?: AuthorizerTally;
}

/**
 * Authorizer records, including refresh tokens, in the durable store (never with a TTL).
 * Every change is a read-modify-write under the record's lock, and writes are retried: losing a
 * refresh token forces the merchant to authorize again. {@link update} is the only way records are
 * written, which is what keeps the per-status counts ({@link counts}) exact without rereading them
 * (with a store other processes write too, they are rebuilt in the background once a minute).
 */
@Injectable()
export class AuthorizerStore {
  private readonly logger = new Logger('OpenPlatform:AuthorizerStore');
  private readonly tallies = new Map<string, Tallies>();
  private readonly creationListeners = new Set<(component: ResolvedComponent, authorizerAppId: string) => void>();

  constructor(
    private readonly store: DurableStore,
    private readonly lock: LockService,
    private readonly events: OpenPlatformEvents,
    private readonly clock: Clock,
    /** Whether other processes write the same store (fleet mode, or an app-supplied durable store). */
    @Optional() @Inject(OPEN_PLATFORM_SHARED_DURABLE_STORE) private readonly shared: boolean = false,
  ) {}

  get(component: ResolvedComponent, authorizerAppId: string): Promise<AuthorizerRecord | undefined> {
    return this.store.get<AuthorizerRecord>(StoreKeys.authorizer(component.platform, component.appId, authorizerAppId));
  }

  async list(component: ResolvedComponent): Promise<AuthorizerRecord[]> {
    return (await this.scan(component)).sort((a, b) => a.authorizedAt - b.authorizedAt);
  }

  /**
   * Reads every record of the component `batchSize` at a time and hands each batch to `visit`
   * before reading the next: a walk over 100,000 records never holds them all, nor floods the store.
   */
  async walk(
    component: ResolvedComponent,
    batchSize: number,
    visit: (records: AuthorizerRecord[]) => Promise<void>,
  ): Promise<void> {
    const keys = await this.store.keys(StoreKeys.authorizers(component.platform, component.appId));
    for (let i = 0; i < keys.length; i += batchSize) {
      const records = await Promise.all(keys.slice(i, i + batchSize).map((k) => this.store.get<AuthorizerRecord>(k)));
      await visit(records.filter((r): r is AuthorizerRecord => !!r));
    }
  }

  /**
   * How many of the component's authorizers are in each status. The records are read once, on the
   * first call; after that the counts follow every {@link update} and cost no store read.
   */
  async counts(component: ResolvedComponent): Promise<AuthorizerStatusCounts> {
    const t = this.tally(component);
    const now = this.clock.now();
    if (this.shared && t.builtAt !== undefined && now - t.builtAt >= SHARED_COUNTS_MAX_AGE_MS && !t.next) {
      // Rebuilt in the background (the current counts answer meanwhile); writes of this process
      // reach the new tally too while its scan runs, so it is swapped in exact.
      const next = (t.next = new AuthorizerTally());
      next
        .get(() => this.scan(component))
        .then(
          () => Object.assign(t, { current: next, builtAt: this.clock.now(), next: undefined }),
          () => (t.next = undefined),
        );
    }
    const counts = await t.current.get(() => this.scan(component));
    t.builtAt ??= now;
    return counts;
  }

  /**
   * Calls `listener` after this process writes a component's first record of an authorizer (records
   * are never deleted, so an appid seen once stays listed). Returns the unsubscribe function.
   */
  onCreated(listener: (component: ResolvedComponent, authorizerAppId: string) => void): () => void {
    this.creationListeners.add(listener);
    return () => this.creationListeners.delete(listener);
  }

  /**
   * Applies `change` to the current record (undefined if none) under the record's lock and
   * persists the result; `change` returns undefined to leave the record as it is.
   */
  async update(
    component: ResolvedComponent,
    authorizerAppId: string,
    change: (current: AuthorizerRecord | undefined) => AuthorizerRecord | undefined,
  ): Promise<AuthorizerRecord | undefined> {
    const key = StoreKeys.authorizer(component.platform, component.appId, authorizerAppId);
    return this.lock.runExclusive(`${key}:write`, async () => {
      const current = await this.store.get<AuthorizerRecord>(key);
      const next = change(current);
      if (!next) return current;
      const t = this.tally(component);
      const tallies = t.next ? [t.current, t.next] : [t.current];
      for (const tally of tallies) tally.begin(authorizerAppId);
      try {
        await this.write(component, key, { ...next, updatedAt: this.clock.now() });
      } catch (err) {
        for (const tally of tallies) tally.end(authorizerAppId, current?.status, undefined);
        throw err;
      }
      for (const tally of tallies) tally.end(authorizerAppId, current?.status, next.status);
      if (!current) for (const listener of this.creationListeners) listener(component, authorizerAppId);
      return next;
    });
  }

  private async scan(component: ResolvedComponent): Promise<AuthorizerRecord[]> {
    const keys = await this.store.keys(StoreKeys.authorizers(component.platform, component.appId));
    const records = await Promise.all(keys.map((k) => this.store.get<AuthorizerRecord>(k)));
    return records.filter((r): r is AuthorizerRecord => !!r);
  }

  private tally(component: ResolvedComponent): Tallies {
    let t = this.tallies.get(component.appId);
    if (!t) this.tallies.set(component.appId, (t = { current: new AuthorizerTally() }));
    return t;
  }

  private async write(component: ResolvedComponent, key: string, record: AuthorizerRecord): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.store.set(key, record);
        return;
      } catch (err) {
        // Only the error's code or name: a store's message may echo the value (a refresh token).
        const reason = describeStoreError(err);
        const message = `writing the record of authorizer ${record.authorizerAppId} failed (attempt ${attempt}/${WRITE_ATTEMPTS}): ${reason}`;
        if (attempt >= WRITE_ATTEMPTS) {
          this.logger.error(`CRITICAL: ${message}; the refresh token was not persisted`);
          this.events.emit({
            type: 'store.write_failed',
            platform: component.platform,
            componentAppId: component.appId,
            authorizerAppId: record.authorizerAppId,
            at: this.clock.now(),
            error: { code: OpenPlatformErrorCode.STORE_WRITE_FAILED, message },
          });
          // The store's error is not attached: some stores echo the value (a refresh token) in it.
          throw new OpenPlatformError({
            platform: 'library',
            code: OpenPlatformErrorCode.STORE_WRITE_FAILED,
            message,
            retryable: true,
          });
        }
        this.logger.warn(message);
        await new Promise((r) => setTimeout(r, exponentialBackoffMs(50, Number.POSITIVE_INFINITY, attempt)));
      }
    }
  }
}

/** The public view of a record: no token. */
export function toAuthorizerInfo(record: AuthorizerRecord, accessTokenExpiresAt?: number): AuthorizerInfo {
  return {
    componentAppId: record.componentAppId,
    authorizerAppId: record.authorizerAppId,
    platform: record.platform,
    status: record.status,
    permissions: [...record.permissions],
    authorizedAt: record.authorizedAt,
    ...(accessTokenExpiresAt === undefined ? {} : { accessTokenExpiresAt }),
    ...(record.refreshTokenExpiresAt === undefined ? {} : { refreshTokenExpiresAt: record.refreshTokenExpiresAt }),
  };
}
