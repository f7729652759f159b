import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleDestroy } from '@nestjs/common';
import { Clock } from '../clock/clock.js';
import { OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { OpenPlatformEvents } from '../events/open-platform-events.service.js';
import { LockService } from '../lock/lock.service.js';
import { OPEN_PLATFORM_OPTIONS } from '../open-platform.constants.js';
import type { ResolvedComponent, ResolvedOptions } from '../options/resolved-options.js';
import type { AuthorizerGrant } from '../platforms/platform-adapter.js';
import { PlatformRegistry } from '../platforms/platform-registry.js';
import { StoreKeys } from '../store/store-keys.js';
import { TokenCache } from '../store/token-cache.js';
import { Telemetry } from '../telemetry/telemetry.service.js';
import { ComponentTokenService } from '../tokens/component-token.service.js';
import type { CachedToken } from '../tokens/renewal.js';
import { TokenKeeper, type ForceRenewal } from '../tokens/token-keeper.js';
import type { AuthorizerRecord } from './authorizer.interface.js';
import { AuthorizerRenewals } from './authorizer-renewals.js';
import { AuthorizerStore } from './authorizer.store.js';
import { AuthorizerRefresh } from './authorizer-refresh.js';
import { AuthorizerSyncService } from './authorizer-sync.service.js';
import { ChainRepairService } from './chain-repair.service.js';

/** Set on a token this process has handed to a caller (a local mark, never stored). */
const USED = Symbol('used');
type Marked = CachedToken & { [USED]?: true };

/** Errors that describe the authorizer's state rather than a renewal that failed. */
const AUTHORIZER_STATE_CODES: ReadonlySet<unknown> = new Set([
  OpenPlatformErrorCode.AUTHORIZER_NOT_FOUND,
  OpenPlatformErrorCode.AUTHORIZER_REVOKED,
  OpenPlatformErrorCode.NO_API_PERMISSION,
  OpenPlatformErrorCode.REAUTHORIZATION_REQUIRED,
]);

/** Keeps every authorizer's access token: cached, renewed by the rule, one upstream call at a time. */
@Injectable()
export class AuthorizerTokenService implements OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('OpenPlatform:AuthorizerToken');

  constructor(
    platforms: PlatformRegistry,
    componentTokens: ComponentTokenService,
    private readonly store: AuthorizerStore,
    sync: AuthorizerSyncService,
    repairs: ChainRepairService,
    private readonly renewals: AuthorizerRenewals,
    cache: TokenCache,
    lock: LockService,
    private readonly events: OpenPlatformEvents,
    private readonly clock: Clock,
    @Inject(OPEN_PLATFORM_OPTIONS) options: ResolvedOptions,
    telemetry?: Telemetry,
  ) {
    const observed = telemetry && { telemetry, kind: 'authorizer' as const };
    this.keeper = new TokenKeeper(cache, lock, clock, options.refresh.marginSeconds, observed);
    this.refresher = new AuthorizerRefresh(
      platforms,
      componentTokens,
      store,
      sync,
      repairs,
      events,
      clock,
      options,
      this,
    );
  }

  private readonly keeper: TokenKeeper;
  private readonly refresher: AuthorizerRefresh;

  // Cache keys, built once per authorizer: a fresh concatenation would be flattened and hashed
  // again on every hot-path lookup.
  private readonly keys = new Map<string, Map<string, string>>();
  private lastComponent: ResolvedComponent | undefined;
  private lastKeys: Map<string, string> | undefined;

  /**
   * The token's cache key. It is memoized only once this process holds a copy of the token, i.e.
   * stored or read it after the authorizer's record existed: lookups of appids nobody authorized
   * (a route keyed by a client-supplied appid) build a transient key and keep nothing.
   */
  private keyOf(component: ResolvedComponent, authorizerAppId: string): string {
    const memoized = this.keys.get(component.appId)?.get(authorizerAppId);
    if (memoized !== undefined) return memoized;
    const key = StoreKeys.authorizerToken(component.platform, component.appId, authorizerAppId);
    if (this.keeper.hot(key) !== undefined) {
      let perComponent = this.keys.get(component.appId);
      if (!perComponent) this.keys.set(component.appId, (perComponent = new Map<string, string>()));
      if (perComponent.size < 100_000) perComponent.set(authorizerAppId, key);
    }
    return key;
  }

  /**
   * As {@link hot}, for an appid that may not have been checked: answers only from a key memoized
   * for a checked appid (undefined otherwise: then check it and use {@link hot}). No key is built.
   */
  warm(component: ResolvedComponent, authorizerAppId: string): string | undefined {
    // The keys of the component asked last: one identity test instead of a lookup on the warm hit.
    let perComponent = this.lastKeys;
    if (component !== this.lastComponent) {
      perComponent = this.keys.get(component.appId);
      if (perComponent === undefined) return undefined;
      this.lastComponent = component;
      this.lastKeys = perComponent;
    }
    const key = perComponent!.get(authorizerAppId);
    if (key === undefined) return undefined;
    const token: Marked | undefined = this.keeper.hotToken(key);
    if (token === undefined) return undefined;
    if (token[USED] !== true) this.firstUse(component, authorizerAppId, token);
    return token.accessToken;
  }

  /** The cached token record (for `accessTokenExpiresAt`), if any. */
  cached(component: ResolvedComponent, authorizerAppId: string): Promise<CachedToken | undefined> {
    return this.keeper.cached(this.keyOf(component, authorizerAppId));
  }

  /**
   * The token if this process holds a fresh one, synchronously: the hot path costs a Map lookup.
   * Undefined means "take the slow path" (missing, due for renewal, or not held locally).
   */
  hot(component: ResolvedComponent, authorizerAppId: string): string | undefined {
    const token: Marked | undefined = this.keeper.hotToken(this.keyOf(component, authorizerAppId));
    if (token === undefined) return undefined;
    // A property test: the warm hit must stay a Map lookup.
    if (token[USED] !== true) this.firstUse(component, authorizerAppId, token);
    return token.accessToken;
  }

  /** The token for a caller (the slow path of {@link hot}): a use, as far as renewal goes. */
  async get(
    component: ResolvedComponent,
    authorizerAppId: string,
    forceRefresh: ForceRenewal = false,
    rejected?: string,
  ): Promise<string> {
    const key = this.keyOf(component, authorizerAppId);
    const accessToken = await this.obtain(component, authorizerAppId, forceRefresh, rejected);
    // The copy this process now holds (no round trip): the one just handed out, in the usual case.
    const token: Marked | undefined = this.keeper.peek(key);
    if (token?.accessToken === accessToken && token[USED] !== true) this.firstUse(component, authorizerAppId, token);
    return accessToken;
  }

  private firstUse(component: ResolvedComponent, authorizerAppId: string, token: Marked): void {
    token[USED] = true;
    this.renewals.noteUse(component, authorizerAppId, token);
  }

  private obtain(
    component: ResolvedComponent,
    authorizerAppId: string,
    forceRefresh: ForceRenewal,
    rejected?: string,
  ): Promise<string> {
    return this.keeper.get(
      this.keyOf(component, authorizerAppId),
      {
        renew: () => this.refresh(component, authorizerAppId),
        subject: component,
        authorizerAppId,
        // Only a transient failure: a revoked or broken authorization must not keep serving tokens.
        mayServeCurrent: (error) => error.retryable,
        onFailure: (error, servingCurrent) => {
          // An authorizer that is unknown, revoked or already marked is a state, not a failed
          // renewal: an event per lookup would let a user-supplied appid flood subscribers.
          if (AUTHORIZER_STATE_CODES.has(error.code)) return;
          this.events.emit({
            type: 'token.refresh_failed',
            platform: component.platform,
            componentAppId: component.appId,
            authorizerAppId,
            tokenKind: 'authorizer',
            at: this.clock.now(),
            error: { code: error.code, message: error.message },
          });
          if (servingCurrent)
            this.logger.warn(
              `renewing the token of authorizer ${authorizerAppId} failed (${error.message}); the current token stays in use`,
            );
        },
      },
      forceRefresh,
      rejected,
    );
  }

  /** Lets background renewals settle (or abandon their lock waits) before the stores close. */
  onApplicationShutdown(): Promise<void> {
    return this.keeper.close();
  }

  /**
   * Caches the access token of a grant (exchange or refresh) and schedules its renewal. `record`
   * is the authorizer's record as persisted with the grant: it must be persisted first.
   */
  async cacheGrant(
    component: ResolvedComponent,
    grant: AuthorizerGrant,
    record: AuthorizerRecord,
  ): Promise<CachedToken | undefined> {
    if (!grant.accessToken || !grant.expiresIn) return undefined;
    const token = await this.keeper.store(
      this.keyOf(component, grant.authorizerAppId),
      grant.accessToken,
      grant.expiresIn,
    );
    await this.renewals.track(component, record, token);
    return token;
  }

  /** Drops the cached access token and its scheduled renewal (revocation, re-authorization). */
  async drop(component: ResolvedComponent, authorizerAppId: string): Promise<void> {
    await this.keeper.drop(this.keyOf(component, authorizerAppId));
    await this.renewals.untrack(component, authorizerAppId);
  }

  /**
   * Works one authorizer the scheduler found due by `until`: renews its token unless another
   * caller (or process) already did, or takes it out of the schedule when it is no longer active.
   * The renewed token is scheduled again by {@link cacheGrant}. Failures are thrown (and reported
   * as for any renewal); the authorizer then stays due and is retried at the next tick.
   */
  async renewScheduled(
    component: ResolvedComponent,
    authorizerAppId: string,
    until: number,
  ): Promise<'renewed' | 'not_due' | 'inactive'> {
    const record = await this.store.get(component, authorizerAppId);
    if (!record || record.status !== 'active') {
      await this.renewals.untrack(component, authorizerAppId);
      return 'inactive';
    }
    const token = await this.cached(component, authorizerAppId);
    if (!this.renewals.isDue(component, record, token, until)) {
      // Renewed on use since the tick read the index: just move the entry.
      await this.renewals.track(component, record, token);
      return 'not_due';
    }
    // Forced, but only if the token is still the one seen here: once per token across callers.
    // Not a use: the renewed token stays idle (for renewal) until a caller takes it.
    await this.obtain(component, authorizerAppId, true, token?.accessToken ?? '');
    return 'renewed';
  }

  private refresh(component: ResolvedComponent, authorizerAppId: string): Promise<string> {
    return this.refresher.refresh(component, authorizerAppId);
  }

  /** Writes held grants a last time (the store refused them earlier) before the app stops. */
  async onModuleDestroy(): Promise<void> {
    await this.refresher.pending.stop();
  }
}
