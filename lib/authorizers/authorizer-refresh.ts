import { Logger } from '@nestjs/common';
import type { Clock } from '../clock/clock.js';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import type { OpenPlatformEvents } from '../events/open-platform-events.service.js';
import { assertLeaseHeld } from '../lock/lease.js';
import { DEFAULT_LOCK_LEASE_MS } from '../lock/redis-lock.service.js';
import type { ResolvedComponent, ResolvedOptions } from '../options/resolved-options.js';
import type { AuthorizerGrant } from '../platforms/platform-adapter.js';
import type { PlatformRegistry } from '../platforms/platform-registry.js';
import { neverReachedPlatform } from '../platforms/upstream-call.js';
import { worstCaseCallMs } from '../platforms/upstream-retry.js';
import { digest } from '../store/store-keys.js';
import type { ComponentTokenService } from '../tokens/component-token.service.js';
import { isExpired, type CachedToken } from '../tokens/renewal.js';
import { revokedRecord, unauthorizedEvent, type AuthorizerRecord } from './authorizer.interface.js';
import type { AuthorizerStore } from './authorizer.store.js';
import type { AuthorizerSyncService } from './authorizer-sync.service.js';
import type { ChainRepairService, RepairOutcome } from './chain-repair.service.js';
import { PendingGrants } from './pending-grants.js';

/** What the refresh needs from the token cache side ({@link AuthorizerTokenService}). */
export interface AuthorizerTokenSink {
  cacheGrant(
    component: ResolvedComponent,
    grant: AuthorizerGrant,
    record: AuthorizerRecord,
  ): Promise<CachedToken | undefined>;
  cached(component: ResolvedComponent, authorizerAppId: string): Promise<CachedToken | undefined>;
  drop(component: ResolvedComponent, authorizerAppId: string): Promise<void>;
}

/** The record changed while it was worked on (another process, a re-authorization): start again from it. */
class Superseded extends Error {}

/** How often a refresh waiting for another holder's outcome reads the record again. */
const MARK_POLL_MS = 250;

/** Rounds of "the record changed under us, read it again" before giving up (retryably). */
const MAX_ROUNDS = 3;

/** The store refused a write (after its own retries) or could not be reached. */
function isWriteFailure(err: unknown): boolean {
  return (
    err instanceof OpenPlatformError &&
    (err.code === OpenPlatformErrorCode.STORE_WRITE_FAILED || err.code === OpenPlatformErrorCode.STORE_UNAVAILABLE)
  );
}

/**
 * Obtains a new access token for one authorizer, always under that token's lock: refreshes with
 * the stored refresh token, repairs a broken chain the platform's way, and persists what the
 * platform rotated before anyone gets the new access token. Guarantees, for single-use refresh
 * tokens (Douyin) above all:
 *
 * - a refresh token that may have been spent (a lost answer; a mark left by a holder that is gone)
 *   is never presented again: it is forgotten durably and the chain repaired;
 * - a mark of a holder that may still be waiting for its answer (its lease lost to a Redis blip) is
 *   respected until `mark.at + lease + the longest call`, so two processes never present one token;
 * - every write of a new chain is a compare-and-set on the refresh token it replaces: a refresh
 *   whose answer arrives after someone else repaired or re-authorized never writes its stale token;
 * - a grant the store refuses to take is held in memory and served ({@link PendingGrants});
 * - only an explicit "not authorized" answer ends an authorization (`revoked`); any other failed
 *   repair keeps the chain and is retried later.
 */
export class AuthorizerRefresh {
  private readonly logger = new Logger('OpenPlatform:AuthorizerToken');
  readonly pending: PendingGrants;
  /** How long an attempt mark may belong to a live holder: its lease plus the longest upstream call. */
  private readonly markLifetimeMs: number;

  constructor(
    private readonly platforms: PlatformRegistry,
    private readonly componentTokens: ComponentTokenService,
    private readonly store: AuthorizerStore,
    private readonly sync: AuthorizerSyncService,
    private readonly repairs: ChainRepairService,
    private readonly events: OpenPlatformEvents,
    private readonly clock: Clock,
    options: ResolvedOptions,
    private readonly tokens: AuthorizerTokenSink,
  ) {
    this.pending = new PendingGrants(store, clock);
    this.markLifetimeMs =
      (options.redis?.lockLeaseMs ?? DEFAULT_LOCK_LEASE_MS) + worstCaseCallMs(options.retry, options.httpTimeoutMs);
  }

  async refresh(component: ResolvedComponent, authorizerAppId: string): Promise<string> {
    for (let round = 1; ; round++) {
      try {
        return await this.refreshOnce(component, authorizerAppId);
      } catch (err) {
        if (!(err instanceof Superseded)) throw err;
        // Someone else wrote a new chain meanwhile (a re-authorization, another process): theirs wins.
        const token = await this.tokens.cached(component, authorizerAppId);
        if (token && !isExpired(token, this.clock.now())) return token.accessToken;
        if (round >= MAX_ROUNDS) {
          throw new OpenPlatformError({
            platform: component.platform,
            code: OpenPlatformErrorCode.LOCK_TIMEOUT,
            message: `the record of authorizer ${authorizerAppId} kept changing while its token was renewed; retry later`,
            retryable: true,
          });
        }
      }
    }
  }

  private async refreshOnce(component: ResolvedComponent, authorizerAppId: string): Promise<string> {
    const usable = await this.usableRecord(component, authorizerAppId);
    if (usable === 'restore') return this.restoreByCode(component, authorizerAppId);
    const { record, expected } = usable;
    const adapter = this.platforms.get(component.platform);
    // A single-use refresh token already known to be spent (a refresh whose answer was lost).
    if (!record.refreshToken) return this.repair(component, record, expected);
    if (adapter.singleUseRefreshTokens && presentedBefore(record)) {
      // Its holder may be alive and still waiting for the answer (its lease was lost to a Redis
      // blip): presenting the token now could spend it twice, repairing now would kill the pair it
      // is about to write. Wait for its outcome, until it cannot be alive any more.
      await this.awaitHolder(component, record);
      // Presented by a process that died before recording the outcome: the platform may have spent
      // it, so presenting it again could be a reuse. Forget it durably, then repair.
      this.logger.warn(
        `a refresh of authorizer ${authorizerAppId} was interrupted (its process stopped); its single-use refresh token may be spent, repairing the chain (${adapter.chainRepair})`,
      );
      await this.forgetRefreshToken(component, record, expected);
      return this.repair(component, { ...record, refreshToken: undefined }, undefined);
    }
    const presented = adapter.singleUseRefreshTokens ? await this.markAttempt(component, record, expected) : record;
    // What the store holds from here on: the marked record carries the presented token.
    const stored = adapter.singleUseRefreshTokens ? record.refreshToken : expected;
    assertLeaseHeld(`presenting the refresh token of authorizer ${authorizerAppId}`);
    let grant: AuthorizerGrant;
    try {
      grant = await this.callRefresh(component, authorizerAppId, record.refreshToken);
    } catch (err) {
      const kind = adapter.failureKind(err);
      if (kind === 'not_authorized') throw await this.markRevoked(component, authorizerAppId, err as OpenPlatformError);
      if (kind === 'refresh_token_invalid') {
        // The chain is broken (e.g. the token changed elsewhere): repair it the platform's way, once.
        this.logger.warn(
          `the refresh token of authorizer ${authorizerAppId} is invalid; repairing the chain (${adapter.chainRepair})`,
        );
        if (!adapter.singleUseRefreshTokens) return this.repair(component, record, stored, err as OpenPlatformError);
        // Refused, so dead: forgotten first, so a repair that fails now is retried without
        // presenting it again (the platform would count that as a reuse).
        await this.forgetRefreshToken(component, record, stored);
        return this.repair(component, { ...record, refreshToken: undefined }, undefined, err as OpenPlatformError);
      }
      if (adapter.singleUseRefreshTokens && isLostAnswer(err)) {
        // The platform may have rotated the token before the answer was lost: sending it again
        // would be refused (and counted as reuse). Forget it durably first, then repair.
        this.logger.warn(
          `the answer to the refresh of authorizer ${authorizerAppId} was lost; its single-use refresh token may be spent, repairing the chain (${adapter.chainRepair})`,
        );
        await this.forgetRefreshToken(component, record, stored);
        return this.repair(component, { ...record, refreshToken: undefined }, undefined, err as OpenPlatformError);
      }
      // The platform answered: the token was not spent and may be presented again.
      if (presented !== record) await this.clearAttempt(component, presented);
      throw err;
    }
    return this.apply(component, authorizerAppId, grant, stored);
  }

  /**
   * Waits, under the token's lock, while the attempt mark on `record` may belong to a live holder
   * (until `mark.at + lease + the longest upstream call`), reading the record again every
   * {@link MARK_POLL_MS}: once the holder wrote its outcome the record changed, and the refresh
   * starts again from it. Returns when the holder can no longer be alive.
   */
  private async awaitHolder(component: ResolvedComponent, record: AuthorizerRecord): Promise<void> {
    const deadline = record.refreshAttempt!.at + this.markLifetimeMs;
    let remaining = deadline - this.clock.now();
    if (remaining > 0)
      this.logger.warn(
        `a refresh of authorizer ${record.authorizerAppId} started by another process may still be waiting for its answer; waiting up to ${remaining} ms for its outcome`,
      );
    while (remaining > 0) {
      const step = Math.min(MARK_POLL_MS, remaining);
      await new Promise((resolve) => setTimeout(resolve, step));
      const current = await this.store.get(component, record.authorizerAppId);
      if (
        current?.refreshToken !== record.refreshToken ||
        current?.refreshAttempt?.fingerprint !== record.refreshAttempt?.fingerprint
      )
        throw new Superseded();
      // Real time passes in the wait even when the injectable clock stands still (tests).
      remaining = Math.min(remaining - step, deadline - this.clock.now());
    }
  }

  /**
   * A grant from a repaired chain; marks the authorizer `reauthorization_required` (and throws) when
   * the platform has nothing to repair with, `revoked` when it says the authorizer is not
   * authorized. Any other failure keeps the chain: it is thrown as retryable.
   */
  private async repair(
    component: ResolvedComponent,
    record: AuthorizerRecord,
    expected: string | undefined,
    cause?: OpenPlatformError,
  ): Promise<string> {
    const appId = record.authorizerAppId;
    assertLeaseHeld(`repairing the authorization chain of authorizer ${appId}`);
    let outcome: RepairOutcome;
    try {
      outcome = await this.repairs.repair(component, record, expected, (grant, exp) =>
        this.apply(component, appId, grant, exp),
      );
    } catch (err) {
      throw await this.repairFailed(component, appId, err);
    }
    if (!outcome)
      throw await this.markReauthorizationRequired(component, appId, cause ?? brokenChain(component, appId));
    if (outcome !== 'applied') return outcome.accessToken;
    const token = await this.tokens.cached(component, appId);
    if (!token) throw statusError(component, appId, await this.store.get(component, appId));
    return token.accessToken;
  }

  /**
   * An authorizer the platform lists but the store has no record of (a first exchange whose answer
   * was lost, a record write that failed, a store that lost its data): where chains are repaired by
   * a reissued code (Douyin), a code is retrieved and exchanged, and the record created from it.
   */
  private async restoreByCode(component: ResolvedComponent, authorizerAppId: string): Promise<string> {
    this.logger.warn(
      `authorizer ${authorizerAppId} is in the authorizer list of ${component.appId} but has no record; restoring it with a new authorization code`,
    );
    assertLeaseHeld(`restoring authorizer ${authorizerAppId}`);
    const now = this.clock.now();
    const placeholder: AuthorizerRecord = {
      componentAppId: component.appId,
      authorizerAppId,
      platform: component.platform,
      status: 'active',
      permissions: [],
      authorizedAt: now,
      updatedAt: now,
    };
    let outcome: RepairOutcome;
    try {
      outcome = await this.repairs.repair(component, placeholder, undefined, (grant, expected) =>
        this.apply(component, authorizerAppId, grant, expected, true),
      );
    } catch (err) {
      if (this.platforms.get(component.platform).failureKind(err) === 'not_authorized') {
        this.sync.noteNotAuthorized(component, authorizerAppId);
        throw statusError(component, authorizerAppId, undefined);
      }
      throw await this.repairFailed(component, authorizerAppId, err);
    }
    const restored = await this.store.get(component, authorizerAppId);
    if (restored) {
      this.events.emit({
        type: 'authorizer.restored',
        platform: component.platform,
        componentAppId: component.appId,
        authorizerAppId,
        at: this.clock.now(),
      });
    }
    if (outcome && outcome !== 'applied') return outcome.accessToken;
    const token = await this.tokens.cached(component, authorizerAppId);
    if (!token) throw statusError(component, authorizerAppId, restored);
    return token.accessToken;
  }

  /** What a failed repair means: final only when the platform says "not authorized". */
  private async repairFailed(component: ResolvedComponent, appId: string, err: unknown): Promise<unknown> {
    if (err instanceof Superseded) return err;
    const kind = this.platforms.get(component.platform).failureKind(err);
    if (kind === 'not_authorized') return this.markRevoked(component, appId, err as OpenPlatformError);
    if (kind === 'refresh_token_invalid')
      return this.markReauthorizationRequired(component, appId, err as OpenPlatformError);
    if (!(err instanceof OpenPlatformError) || err.retryable) return err;
    // An unknown errno, a gateway 4xx, a component-level error, a refused retrieved code: no proof
    // that the authorization is gone. The chain (what is left of it) is kept and repaired again.
    return new OpenPlatformError({
      platform: err.platform,
      code: err.code,
      message: `repairing the authorization chain of authorizer ${appId} failed; it is kept and repaired again at the next renewal: ${err.message}`,
      retryable: true,
      status: err.status,
    });
  }

  /**
   * Persists a new chain — only over the refresh token it replaces (`expected`) — and caches its
   * access token; a store that refuses the write gets the grant held in memory instead.
   * @param create whether a missing record may be created (restoring an authorizer).
   */
  private async apply(
    component: ResolvedComponent,
    authorizerAppId: string,
    grant: AuthorizerGrant,
    expected: string | undefined,
    create = false,
  ): Promise<string> {
    const now = this.clock.now();
    let superseded = false;
    let saved: AuthorizerRecord | undefined;
    try {
      saved = await this.store.update(component, authorizerAppId, (current) => {
        if (current ? current.status !== 'active' : !create) return undefined; // revoked meanwhile: keep it
        if (current?.refreshToken !== expected) {
          superseded = true;
          return undefined;
        }
        if (current && (!grant.refreshToken || grant.refreshToken === current.refreshToken))
          return current.refreshAttempt ? { ...current, refreshAttempt: undefined } : undefined;
        return this.withChain(current ?? newRecord(component, authorizerAppId, grant, now), grant, now);
      });
    } catch (err) {
      if (!isWriteFailure(err) || !grant.refreshToken || grant.refreshToken === expected) throw err;
      return this.holdGrant(component, authorizerAppId, grant, expected, create);
    }
    if (superseded) throw new Superseded();
    if (!saved || saved.status !== 'active') throw statusError(component, authorizerAppId, saved);
    this.pending.clear(component, authorizerAppId);
    return this.serve(component, grant, saved);
  }

  /** The store refused a new chain: serve it from memory and keep writing it. */
  private async holdGrant(
    component: ResolvedComponent,
    authorizerAppId: string,
    grant: AuthorizerGrant,
    expected: string | undefined,
    create: boolean,
  ): Promise<string> {
    const now = this.clock.now();
    const base =
      (await this.store.get(component, authorizerAppId).catch(() => undefined)) ??
      (create ? newRecord(component, authorizerAppId, grant, now) : undefined);
    if (!base || base.status !== 'active') throw statusError(component, authorizerAppId, base);
    const record = this.withChain(base, grant, now);
    this.pending.hold(component, authorizerAppId, {
      replaces: expected,
      refreshToken: grant.refreshToken!,
      refreshTokenExpiresAt: record.refreshTokenExpiresAt,
      refreshTokenIssuedAt: record.refreshTokenIssuedAt,
      retryUntil: now + (grant.expiresIn ?? 0) * 1000,
    });
    this.logger.error(
      `CRITICAL: the new refresh token of authorizer ${authorizerAppId} could not be persisted; it is held in memory and its write is retried while its access token lives. If this process stops before it is written, the chain is repaired (${this.platforms.get(component.platform).chainRepair})`,
    );
    return this.serve(component, grant, record);
  }

  /** Caches the access token of a persisted (or held) chain and announces it. */
  private async serve(component: ResolvedComponent, grant: AuthorizerGrant, record: AuthorizerRecord): Promise<string> {
    const appId = record.authorizerAppId;
    const token = await this.tokens.cacheGrant(component, grant, record);
    if (!token) throw statusError(component, appId, { ...record, status: 'no_api_permission' });
    // A revocation that landed while the token was being cached would be outlived by it.
    const current = await this.store.get(component, appId).catch(() => record);
    if (!current || current.status !== 'active') {
      await this.tokens.drop(component, appId);
      throw statusError(component, appId, current);
    }
    this.events.emit({
      type: 'token.refreshed',
      platform: component.platform,
      componentAppId: component.appId,
      authorizerAppId: appId,
      tokenKind: 'authorizer',
      at: this.clock.now(),
      expiresAt: token.expiresAt,
    });
    return token.accessToken;
  }

  private withChain(base: AuthorizerRecord, grant: AuthorizerGrant, now: number): AuthorizerRecord {
    return {
      ...base,
      refreshToken: grant.refreshToken ?? base.refreshToken,
      refreshTokenExpiresAt: grant.refreshExpiresIn ? now + grant.refreshExpiresIn * 1000 : base.refreshTokenExpiresAt,
      refreshTokenIssuedAt: grant.refreshExpiresIn ? now : base.refreshTokenIssuedAt,
      refreshAttempt: undefined,
      updatedAt: now,
    };
  }

  /**
   * Records (durably) that the record's single-use refresh token is about to be presented. The
   * record changed since it was read (a re-authorization, another process): start again from it.
   */
  private async markAttempt(
    component: ResolvedComponent,
    record: AuthorizerRecord,
    expected: string | undefined,
  ): Promise<AuthorizerRecord> {
    const attempt = { at: this.clock.now(), fingerprint: fingerprint(record.refreshToken!) };
    let declined = false;
    const saved = await this.store.update(component, record.authorizerAppId, (current) => {
      if (!current || current.status !== 'active' || current.refreshToken !== expected) {
        declined = true;
        return undefined;
      }
      // A held grant (see PendingGrants) is written with its mark.
      return {
        ...current,
        refreshToken: record.refreshToken,
        refreshTokenExpiresAt: record.refreshTokenExpiresAt,
        refreshTokenIssuedAt: record.refreshTokenIssuedAt,
        refreshAttempt: attempt,
      };
    });
    if (declined || !saved) throw new Superseded();
    if (record.refreshToken !== expected) this.pending.clear(component, record.authorizerAppId);
    return saved;
  }

  /** Removes the attempt mark of a refresh the platform refused without spending the token. */
  private async clearAttempt(component: ResolvedComponent, record: AuthorizerRecord): Promise<void> {
    await this.store
      .update(component, record.authorizerAppId, (current) =>
        current?.refreshAttempt && current.refreshAttempt.fingerprint === record.refreshAttempt?.fingerprint
          ? { ...current, refreshAttempt: undefined }
          : undefined,
      )
      // Left in place, the mark only costs a chain repair instead of a refresh later.
      .catch(() => undefined);
  }

  /** Removes a possibly spent single-use refresh token from the record, unless it changed meanwhile. */
  private async forgetRefreshToken(
    component: ResolvedComponent,
    record: AuthorizerRecord,
    expected: string | undefined,
  ): Promise<void> {
    let declined = false;
    await this.store.update(component, record.authorizerAppId, (current) => {
      if (!current || current.status !== 'active' || current.refreshToken !== expected) {
        declined = true;
        return undefined;
      }
      return { ...current, refreshToken: undefined, refreshAttempt: undefined, updatedAt: this.clock.now() };
    });
    this.pending.clear(component, record.authorizerAppId);
    if (declined) throw new Superseded();
  }

  private callRefresh(component: ResolvedComponent, authorizerAppId: string, refreshToken: string) {
    const adapter = this.platforms.get(component.platform);
    return this.componentTokens.call(component, (t) =>
      adapter.refreshAuthorizerToken(component, t, authorizerAppId, refreshToken),
    );
  }

  /**
   * The record to refresh with and the refresh token the store holds for it (they differ while a
   * grant is held in memory); `'restore'` for an authorizer to restore by a reissued code.
   */
  private async usableRecord(
    component: ResolvedComponent,
    authorizerAppId: string,
  ): Promise<{ record: AuthorizerRecord; expected: string | undefined } | 'restore'> {
    let record = await this.store.get(component, authorizerAppId);
    const byCode = this.platforms.get(component.platform).chainRepair === 'reissue_code';
    if (!record) {
      // Usually an appid that never authorized (often user-supplied): not worth a warning, and a
      // recent complete walk that did not list it answers without another one.
      const found = await this.sync.lookUp(component, authorizerAppId, { trustRecentMiss: true });
      if (found.record) {
        record = found.record;
        this.logger.warn(
          `the record of authorizer ${authorizerAppId} was missing from the store; restored it from the authorizer list`,
        );
      } else if (found.listed && byCode) {
        return 'restore';
      }
    } else if (record.status === 'active' && !record.refreshToken && !byCode) {
      this.logger.warn(
        `no refresh token stored for authorizer ${authorizerAppId}; looking it up in the authorizer list`,
      );
      record = (await this.sync.repairOne(component, authorizerAppId)) ?? record;
    }
    // Where chains are repaired by code, an active record without a refresh token had a spent one
    // forgotten: the refresh repairs it.
    if (!record || record.status !== 'active' || (!record.refreshToken && !byCode))
      throw statusError(component, authorizerAppId, record);
    return this.pending.overlay(record);
  }

  /**
   * The platform says the authorizer has not authorized the component (any more): a revocation
   * whose push was missed. Recorded as `revoked` with its event, the token dropped.
   */
  private async markRevoked(
    component: ResolvedComponent,
    authorizerAppId: string,
    cause: OpenPlatformError,
  ): Promise<OpenPlatformError> {
    let changed = false;
    const record = await this.store.update(component, authorizerAppId, (current) => {
      if (!current || current.status === 'revoked') return undefined;
      changed = true;
      return revokedRecord(current, this.clock.now());
    });
    this.pending.clear(component, authorizerAppId);
    await this.tokens.drop(component, authorizerAppId);
    if (changed) {
      this.logger.warn(
        `authorizer ${authorizerAppId} has de-authorized component ${component.appId} (the platform answered ${cause.code}; its unauthorized push was missed): marked revoked`,
      );
      this.events.emit(unauthorizedEvent(component, authorizerAppId, this.clock.now()));
    }
    return statusError(component, authorizerAppId, record);
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
    this.pending.clear(component, authorizerAppId);
    await this.tokens.drop(component, authorizerAppId);
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

function newRecord(
  component: ResolvedComponent,
  authorizerAppId: string,
  grant: AuthorizerGrant,
  now: number,
): AuthorizerRecord {
  return {
    componentAppId: component.appId,
    authorizerAppId,
    platform: component.platform,
    status: 'active',
    permissions: grant.permissions ?? [],
    authorizedAt: now,
    updatedAt: now,
  };
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
