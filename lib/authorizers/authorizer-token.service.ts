import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock.js';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { OpenPlatformEvents } from '../events/open-platform-events.service.js';
import { LockService } from '../lock/lock.service.js';
import { OPEN_PLATFORM_OPTIONS } from '../open-platform.constants.js';
import type { ResolvedComponent, ResolvedOptions } from '../options/resolved-options.js';
import type { AuthorizerGrant } from '../platforms/platform-adapter.js';
import { PlatformRegistry } from '../platforms/platform-registry.js';
import { neverReachedPlatform } from '../platforms/upstream-call.js';
import { digest, StoreKeys } from '../store/store-keys.js';
import { TokenCache } from '../store/token-cache.js';
import { ComponentTokenService } from '../tokens/component-token.service.js';
import type { CachedToken } from '../tokens/renewal.js';
import { TokenKeeper } from '../tokens/token-keeper.js';
import type { AuthorizerRecord } from './authorizer.interface.js';
import { AuthorizerRenewals } from './authorizer-renewals.js';
import { AuthorizerStore } from './authorizer.store.js';
import { AuthorizerSyncService } from './authorizer-sync.service.js';
import { ChainRepairService, type RepairOutcome } from './chain-repair.service.js';

/** Errors that describe the authorizer's state rather than a renewal that failed. */
const AUTHORIZER_STATE_CODES: ReadonlySet<unknown> = new Set([
  OpenPlatformErrorCode.AUTHORIZER_NOT_FOUND,
  OpenPlatformErrorCode.AUTHORIZER_REVOKED,
  OpenPlatformErrorCode.NO_API_PERMISSION,
  OpenPlatformErrorCode.REAUTHORIZATION_REQUIRED,
]);

/** Keeps every authorizer's access token: cached, renewed by the rule, one upstream call at a time. */
@Injectable()
export class AuthorizerTokenService {
  private readonly logger = new Logger('OpenPlatform:AuthorizerToken');

  constructor(
    private readonly platforms: PlatformRegistry,
    private readonly componentTokens: ComponentTokenService,
    private readonly store: AuthorizerStore,
    private readonly sync: AuthorizerSyncService,
    private readonly repairs: ChainRepairService,
    private readonly renewals: AuthorizerRenewals,
    cache: TokenCache,
    lock: LockService,
    private readonly events: OpenPlatformEvents,
    private readonly clock: Clock,
    @Inject(OPEN_PLATFORM_OPTIONS) options: ResolvedOptions,
  ) {
    this.keeper = new TokenKeeper(cache, lock, clock, options.refresh.marginSeconds);
  }

  private readonly keeper: TokenKeeper;

  // Cache keys, built once per authorizer: a fresh concatenation would be flattened and hashed
  // again on every hot-path lookup.
  private readonly keys = new Map<string, Map<string, string>>();

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

  /** The cached token record (for `accessTokenExpiresAt`), if any. */
  cached(component: ResolvedComponent, authorizerAppId: string): Promise<CachedToken | undefined> {
    return this.keeper.cached(this.keyOf(component, authorizerAppId));
  }

  /**
   * The token if this process holds a fresh one, synchronously: the hot path costs a Map lookup.
   * Undefined means "take the slow path" (missing, due for renewal, or not held locally).
   */
  hot(component: ResolvedComponent, authorizerAppId: string): string | undefined {
    return this.keeper.hot(this.keyOf(component, authorizerAppId));
  }

  get(component: ResolvedComponent, authorizerAppId: string, forceRefresh = false, rejected?: string): Promise<string> {
    return this.keeper.get(
      this.keyOf(component, authorizerAppId),
      {
        renew: () => this.refresh(component, authorizerAppId),
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
    if (!this.renewals.isDue(record, token, until)) {
      // Renewed on use since the tick read the index: just move the entry.
      await this.renewals.track(component, record, token);
      return 'not_due';
    }
    // Forced, but only if the token is still the one seen here: once per token across callers.
    await this.get(component, authorizerAppId, true, token?.accessToken ?? '');
    return 'renewed';
  }

  private async refresh(component: ResolvedComponent, authorizerAppId: string): Promise<string> {
    const record = await this.usableRecord(component, authorizerAppId);
    const adapter = this.platforms.get(component.platform);
    // A single-use refresh token already known to be spent (a refresh whose answer was lost).
    if (!record.refreshToken) return this.finishRepair(component, record, await this.repairChain(component, record));
    if (adapter.singleUseRefreshTokens && presentedBefore(record)) {
      // Another process presented this token and died before recording the outcome (its lock
      // passed here after the lease): the platform may have spent it, so presenting it again could
      // be a reuse. Forget it durably, then repair.
      this.logger.warn(
        `a refresh of authorizer ${authorizerAppId} was interrupted (its process stopped); its single-use refresh token may be spent, repairing the chain (${adapter.chainRepair})`,
      );
      const spent = await this.forgetRefreshToken(component, record);
      return this.finishRepair(component, record, await this.repairChain(component, spent));
    }
    const presented = adapter.singleUseRefreshTokens ? await this.markAttempt(component, record) : record;
    let grant: AuthorizerGrant | 'applied';
    try {
      grant = await this.callRefresh(component, authorizerAppId, record.refreshToken);
    } catch (err) {
      if (adapter.failureKind(err) === 'refresh_token_invalid') {
        // The chain is broken (e.g. the token changed elsewhere): repair it the platform's way, once.
        this.logger.warn(
          `the refresh token of authorizer ${authorizerAppId} is invalid; repairing the chain (${adapter.chainRepair})`,
        );
        grant = await this.repairChain(component, record, err as OpenPlatformError);
      } else if (adapter.singleUseRefreshTokens && isLostAnswer(err)) {
        // The platform may have rotated the token before the answer was lost: sending it again
        // would be refused (and counted as reuse). Forget it durably first, then repair.
        this.logger.warn(
          `the answer to the refresh of authorizer ${authorizerAppId} was lost; its single-use refresh token may be spent, repairing the chain (${adapter.chainRepair})`,
        );
        const spent = await this.forgetRefreshToken(component, record);
        grant = await this.repairChain(component, spent, err as OpenPlatformError);
      } else {
        // The platform answered: the token was not spent and may be presented again.
        if (presented !== record) await this.clearAttempt(component, presented);
        throw err;
      }
    }
    return this.finishRepair(component, record, grant);
  }

  /** Records (durably) that the record's single-use refresh token is about to be presented. */
  private async markAttempt(component: ResolvedComponent, record: AuthorizerRecord): Promise<AuthorizerRecord> {
    const attempt = { at: this.clock.now(), fingerprint: fingerprint(record.refreshToken!) };
    const saved = await this.store.update(component, record.authorizerAppId, (current) =>
      current && current.refreshToken === record.refreshToken ? { ...current, refreshAttempt: attempt } : undefined,
    );
    return saved ?? record;
  }

  /** Removes the attempt mark of a refresh the platform refused without spending the token. */
  private async clearAttempt(component: ResolvedComponent, record: AuthorizerRecord): Promise<void> {
    await this.store
      .update(component, record.authorizerAppId, (current) =>
        current?.refreshAttempt && current.refreshAttempt.fingerprint === record.refreshAttempt?.fingerprint
          ? { ...current, refreshAttempt: undefined }
          : undefined,
      )
      // Left in place, the mark only costs a chain repair instead of a refresh next time.
      .catch(() => undefined);
  }

  /** Applies a refresh or repair grant; a repair the platform's push already applied is just read back. */
  private async finishRepair(
    component: ResolvedComponent,
    record: AuthorizerRecord,
    grant: AuthorizerGrant | 'applied',
  ): Promise<string> {
    if (grant !== 'applied') return this.applyRefresh(component, record, grant);
    const token = await this.cached(component, record.authorizerAppId);
    if (!token)
      throw statusError(component, record.authorizerAppId, await this.store.get(component, record.authorizerAppId));
    return token.accessToken;
  }

  /**
   * A grant from a repaired chain; marks the authorizer `reauthorization_required` (and throws) when
   * the platform has nothing to repair with. A failed repair attempt is thrown as it is.
   */
  private async repairChain(
    component: ResolvedComponent,
    record: AuthorizerRecord,
    cause?: OpenPlatformError,
  ): Promise<AuthorizerGrant | 'applied'> {
    const adapter = this.platforms.get(component.platform);
    let repaired: RepairOutcome;
    try {
      repaired = await this.repairs.repair(component, record);
    } catch (repairErr) {
      if (adapter.failureKind(repairErr) === 'refresh_token_invalid') {
        throw await this.markReauthorizationRequired(component, record.authorizerAppId, repairErr as OpenPlatformError);
      }
      throw repairErr;
    }
    if (!repaired) {
      throw await this.markReauthorizationRequired(
        component,
        record.authorizerAppId,
        cause ?? brokenChain(component, record.authorizerAppId),
      );
    }
    return repaired;
  }

  /** Removes a possibly spent single-use refresh token from the record, unless it changed meanwhile. */
  private async forgetRefreshToken(component: ResolvedComponent, record: AuthorizerRecord): Promise<AuthorizerRecord> {
    const saved = await this.store.update(component, record.authorizerAppId, (current) =>
      current && current.status === 'active' && current.refreshToken === record.refreshToken
        ? { ...current, refreshToken: undefined, refreshAttempt: undefined, updatedAt: this.clock.now() }
        : undefined,
    );
    return saved ?? { ...record, refreshToken: undefined, refreshAttempt: undefined };
  }

  private callRefresh(
    component: ResolvedComponent,
    authorizerAppId: string,
    refreshToken: string,
  ): Promise<AuthorizerGrant> {
    const adapter = this.platforms.get(component.platform);
    return this.componentTokens.call(component, (t) =>
      adapter.refreshAuthorizerToken(component, t, authorizerAppId, refreshToken),
    );
  }

  /** Persists a rotated refresh token before the access token is handed to anyone. */
  private async applyRefresh(
    component: ResolvedComponent,
    used: AuthorizerRecord,
    grant: AuthorizerGrant,
  ): Promise<string> {
    const now = this.clock.now();
    const saved = await this.store.update(component, used.authorizerAppId, (current) => {
      if (!current || current.status !== 'active') return undefined; // revoked meanwhile: keep the revocation
      if (!grant.refreshToken || grant.refreshToken === current.refreshToken) return undefined;
      return {
        ...current,
        refreshToken: grant.refreshToken,
        refreshTokenExpiresAt: grant.refreshExpiresIn
          ? now + grant.refreshExpiresIn * 1000
          : current.refreshTokenExpiresAt,
        refreshTokenIssuedAt: grant.refreshExpiresIn ? now : current.refreshTokenIssuedAt,
        refreshAttempt: undefined,
        updatedAt: now,
      };
    });
    if (!saved || saved.status !== 'active') throw statusError(component, used.authorizerAppId, saved);
    const token = await this.cacheGrant(component, grant, saved);
    this.events.emit({
      type: 'token.refreshed',
      platform: component.platform,
      componentAppId: component.appId,
      authorizerAppId: used.authorizerAppId,
      tokenKind: 'authorizer',
      at: now,
      expiresAt: token!.expiresAt,
    });
    return token!.accessToken;
  }

  /** The record, repaired from the list if it or its refresh token is missing; throws if unusable. */
  private async usableRecord(component: ResolvedComponent, authorizerAppId: string): Promise<AuthorizerRecord> {
    let record = await this.store.get(component, authorizerAppId);
    if (!record) {
      // Usually an appid that never authorized (often user-supplied): not worth a warning, and a
      // recent complete walk that did not list it answers without another one.
      record = await this.sync.repairOne(component, authorizerAppId, { trustRecentMiss: true });
      if (record)
        this.logger.warn(
          `the record of authorizer ${authorizerAppId} was missing from the store; restored it from the authorizer list`,
        );
    } else if (record.status === 'active' && !record.refreshToken && this.repairsByCode(component)) {
      return record; // its single-use refresh token was spent: refresh() repairs the chain
    } else if (record.status === 'active' && !record.refreshToken) {
      this.logger.warn(
        `no refresh token stored for authorizer ${authorizerAppId}; looking it up in the authorizer list`,
      );
      record = (await this.sync.repairOne(component, authorizerAppId)) ?? record;
    }
    if (!record || record.status !== 'active' || !record.refreshToken)
      throw statusError(component, authorizerAppId, record);
    return record;
  }

  private repairsByCode(component: ResolvedComponent): boolean {
    return this.platforms.get(component.platform).chainRepair === 'reissue_code';
  }

  private async markReauthorizationRequired(
    component: ResolvedComponent,
    authorizerAppId: string,
    cause: OpenPlatformError,
  ): Promise<OpenPlatformError> {
    const record = await this.store.update(component, authorizerAppId, (current) =>
      current && current.status === 'active'
        ? { ...current, status: 'reauthorization_required', refreshToken: undefined, updatedAt: this.clock.now() }
        : undefined,
    );
    await this.drop(component, authorizerAppId);
    if (record?.status === 'reauthorization_required') {
      this.logger.error(`authorizer ${authorizerAppId} of ${component.appId} must authorize again: ${cause.message}`);
      this.events.emit({
        type: 'reauthorization_required',
        platform: component.platform,
        componentAppId: component.appId,
        authorizerAppId,
        at: this.clock.now(),
        error: { code: cause.code, message: cause.message },
      });
    }
    return statusError(component, authorizerAppId, record);
  }
}

/** A short digest naming a refresh token in its attempt mark (the mark never holds the token). */
function fingerprint(refreshToken: string): string {
  return digest(refreshToken).slice(0, 16);
}

/** Whether a refresh with the record's current refresh token was started and never finished. */
function presentedBefore(record: AuthorizerRecord): boolean {
  return !!record.refreshToken && record.refreshAttempt?.fingerprint === fingerprint(record.refreshToken);
}

/**
 * Whether a failed call may have been processed by the platform without us seeing the answer: a
 * timeout, a reset, a 5xx. A refused connection never reached it, so the refresh token is intact.
 */
function isLostAnswer(err: unknown): boolean {
  return err instanceof OpenPlatformError && err.code === OpenPlatformErrorCode.TRANSPORT && !neverReachedPlatform(err);
}

function brokenChain(component: ResolvedComponent, authorizerAppId: string): OpenPlatformError {
  return new OpenPlatformError({
    platform: component.platform,
    code: OpenPlatformErrorCode.REAUTHORIZATION_REQUIRED,
    message: `the authorization chain of ${authorizerAppId} is broken and the platform gave nothing to repair it with`,
  });
}

/** The error for an authorizer whose record does not allow obtaining a token. */
export function statusError(
  component: ResolvedComponent,
  authorizerAppId: string,
  record: AuthorizerRecord | undefined,
): OpenPlatformError {
  const who = `authorizer ${authorizerAppId} of component ${component.appId}`;
  const [code, message] = !record
    ? [
        OpenPlatformErrorCode.AUTHORIZER_NOT_FOUND,
        `${who} is unknown: it never authorized the component, or its record was lost and the platform's authorizer list does not have it`,
      ]
    : record.status === 'revoked'
      ? [OpenPlatformErrorCode.AUTHORIZER_REVOKED, `${who} has de-authorized the component; it must authorize again`]
      : record.status === 'no_api_permission'
        ? [
            OpenPlatformErrorCode.NO_API_PERMISSION,
            `${who} granted no API permission, so there is no token; it must authorize again granting permissions`,
          ]
        : [
            OpenPlatformErrorCode.REAUTHORIZATION_REQUIRED,
            `${who} must authorize again: its refresh token is invalid and could not be repaired from the authorizer list`,
          ];
  return new OpenPlatformError({ platform: component.platform, code, message });
}
