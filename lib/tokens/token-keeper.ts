import { Logger } from '@nestjs/common';
import { setMaxListeners } from 'node:events';
import { SystemClock, type Clock } from '../clock/clock.js';
import { coarseWallClock } from '../clock/coarse-wall-clock.js';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import type { LockService } from '../lock/lock.service.js';
import { SingleFlight } from '../lock/single-flight.js';
import type { TokenCache } from '../store/token-cache.js';
import type { Telemetry, TelemetrySubject, TokenKind } from '../telemetry/telemetry.service.js';
import { RejectedRenewals, REJECTED_RENEWAL_WINDOW_MS } from './rejected-renewals.js';
import { RenewalBackoff } from './renewal-backoff.js';
import { isExpired, needsRenewal, type CachedToken } from './renewal.js';

/** What a token kind supplies to {@link TokenKeeper.get}. */
export interface RenewHooks {
  /** Obtains a fresh token from the platform and stores it (through {@link TokenKeeper.store}). */
  renew(): Promise<string>;
  /** Whether, after `error`, the current still-valid token may keep being served. */
  mayServeCurrent(error: OpenPlatformError): boolean;
  /** Told about every failed renewal, and whether the current token is served instead. */
  onFailure(error: OpenPlatformError, servingCurrent: boolean): void;
  /** Whose token it is, for telemetry (platform and component; the authorizer on spans only). */
  subject?: TelemetrySubject;
  authorizerAppId?: string;
}

/** The telemetry of a keeper's renewals: which kind of token it keeps. */
export interface KeeperTelemetry {
  telemetry: Telemetry;
  kind: TokenKind;
}

/**
 * Why a renewal is forced: `true` for a renewal asked for by name (the scheduler, `forceRefresh`),
 * `'rejected'` when the platform rejected the token; the latter is not repeated for a token that
 * itself replaced a rejected one less than {@link REJECTED_RENEWAL_WINDOW_MS} ago.
 */
export type ForceRenewal = boolean | 'rejected';

/**
 * The caching and renewal machinery shared by component and authorizer tokens: a synchronous hot
 * path, the renewal rule, one renewal per key at a time (single flight in the process, the lock
 * across processes), a re-check after the lock, and forced renewals that are skipped when the
 * rejected token was already replaced.
 *
 * A token that is due but still valid is served at once while it is renewed in the background, so
 * no caller waits for a slow platform (or for another process's lock) while a valid token exists;
 * after a failed renewal the next background attempt waits for a backoff. Only a missing or
 * expired token, or a forced renewal, makes callers wait.
 */
export class TokenKeeper {
  private readonly logger = new Logger('OpenPlatform:TokenKeeper');
  private readonly flights = new SingleFlight();
  private readonly backoff = new RenewalBackoff();
  private readonly rejections = new RejectedRenewals();
  private readonly background = new Set<Promise<unknown>>();
  private readonly closing = new AbortController();
  private readonly wallClock: boolean;

  constructor(
    private readonly cache: TokenCache,
    private readonly lock: LockService,
    private readonly clock: Clock,
    private readonly marginSeconds: number,
    private readonly telemetry?: KeeperTelemetry,
  ) {
    this.wallClock = clock instanceof SystemClock;
    // Every lock wait of this keeper listens to the signal: no leak warning past ten of them.
    setMaxListeners(0, this.closing.signal);
  }

  /** The token if this process holds a fresh one, synchronously; undefined means "use get()". */
  hot(key: string): string | undefined {
    return this.hotToken(key)?.accessToken;
  }

  /** As {@link hot}, the cached record (this process's copy). */
  hotToken(key: string): CachedToken | undefined {
    // On the system clock, a reading at most 1 ms old (the clock read was most of a warm hit's
    // cost); it is also the wall clock the cache's local copies are timed with: one read serves both.
    const now = this.wallClock ? coarseWallClock.now() : this.clock.now();
    const token = this.cache.peek<CachedToken>(key, this.wallClock ? now : undefined);
    return token && !needsRenewal(token, now, this.marginSeconds) ? token : undefined;
  }

  /** This process's copy of the token, fresh or not, synchronously (no round trip). */
  peek(key: string): CachedToken | undefined {
    return this.cache.peek<CachedToken>(key);
  }

  /**
   * The token under `key`; a due one is served while it is renewed in the background. With
   * `force`, a new one is obtained (and waited for) unless the cached token already differs from
   * `rejected` (default: the token cached when the call started).
   */
  async get(key: string, hooks: RenewHooks, force: ForceRenewal = false, rejected?: string): Promise<string> {
    const hot = force ? undefined : this.hot(key);
    if (hot) return hot;
    const cached = await this.cache.get<CachedToken>(key);
    const now = this.clock.now();
    const valid = cached && !isExpired(cached, now) ? cached : undefined;
    if (!force && valid) {
      if (needsRenewal(valid, now, this.marginSeconds)) this.renewInBackground(key, hooks);
      return valid.accessToken;
    }
    if (!valid) this.backoff.forget(key); // nothing left to protect: callers wait and may retry
    if (force === 'rejected' && valid?.accessToken === rejected && this.repeatsRejection(key, valid!, now))
      return valid!.accessToken;
    const seen = rejected ?? cached?.accessToken;
    return this.flights.run(key, () => this.renewLocked(key, hooks, force, seen, false));
  }

  /** Caches a token the platform issued; returns the cached record. */
  async store(key: string, accessToken: string, expiresIn: number): Promise<CachedToken> {
    const token: CachedToken = { accessToken, expiresIn, expiresAt: this.clock.now() + expiresIn * 1000 };
    await this.cache.set(key, token, expiresIn * 1000);
    return token;
  }

  cached(key: string): Promise<CachedToken | undefined> {
    return this.cache.get<CachedToken>(key);
  }

  drop(key: string): Promise<void> {
    this.backoff.forget(key);
    this.rejections.forget(key);
    return this.cache.delete(key);
  }

  /**
   * Starts no more background renewals, ends the ones waiting for a lock and resolves when the
   * running ones have settled: call it before the stores close (their upstream calls are ended by
   * the module's shutdown signal).
   */
  async close(): Promise<void> {
    this.closing.abort(shuttingDown());
    await Promise.allSettled([...this.background]);
  }

  /**
   * Whether a renewal for a rejection of `cached` would repeat one that produced it less than the
   * window ago. A due token is renewed anyway: the window never holds back the renewal rule.
   */
  private repeatsRejection(key: string, cached: CachedToken, now: number): boolean {
    if (needsRenewal(cached, now, this.marginSeconds)) return false;
    const { repeat, firstInWindow } = this.rejections.repeats(key, cached.accessToken, now);
    if (firstInWindow)
      this.logger.warn(
        `the platform rejected the token of ${key} again although it was obtained to replace a rejected one less than ${REJECTED_RENEWAL_WINDOW_MS / 1000}s ago: not renewing it again within that window (the API may reject it for another reason); calls fail with the platform's code meanwhile`,
      );
    return repeat;
  }

  /** One renewal in the background (if none runs and none failed recently); never rejects. */
  private renewInBackground(key: string, hooks: RenewHooks): void {
    if (this.closing.signal.aborted || this.backoff.pausing(key, this.clock.now())) return;
    const run = this.flights.run(key, () => this.renewLocked(key, hooks, false, undefined, true));
    if (this.background.has(run)) return; // joined a renewal already running
    this.background.add(run);
    // Its failure was reported (and its backoff started) inside; callers are served meanwhile.
    void run.catch(() => undefined).finally(() => this.background.delete(run));
  }

  private async renewLocked(
    key: string,
    hooks: RenewHooks,
    force: ForceRenewal,
    seen: string | undefined,
    background: boolean,
  ): Promise<string> {
    try {
      const exclusive = () =>
        this.lock.runExclusive(key, () => this.renewFresh(key, hooks, force, seen), this.closing.signal);
      const t = this.telemetry;
      const { token, renewed } = await (t
        ? t.telemetry.renewal(t.kind, hooks.subject, force !== false, exclusive, hooks.authorizerAppId)
        : exclusive());
      this.backoff.forget(key);
      if (renewed && force === 'rejected') this.rejections.record(key, token, this.clock.now());
      return token;
    } catch (err) {
      if (this.closing.signal.aborted) throw err; // shutting down: nothing to report
      await this.failed(key, hooks, asOpenPlatformError(err), background);
      throw err;
    }
  }

  /** Renews unless, behind the lock, the store already holds a token renewed elsewhere. */
  private async renewFresh(
    key: string,
    hooks: RenewHooks,
    force: ForceRenewal,
    seen: string | undefined,
  ): Promise<{ token: string; renewed: boolean }> {
    const current = await this.cache.get<CachedToken>(key);
    const fresh = current && !needsRenewal(current, this.clock.now(), this.marginSeconds);
    // Renewed elsewhere while we waited (for a forced renewal: a token other than the rejected one).
    if (fresh && (!force || current.accessToken !== seen)) return { token: current.accessToken, renewed: false };
    return { token: await hooks.renew(), renewed: true };
  }

  /**
   * Reports a failed renewal. While the current token is valid, the next background attempt waits
   * for the backoff; a background failure that forbids serving it (a revoked authorization) drops
   * it, so the next caller waits for a renewal and sees the error.
   */
  private async failed(key: string, hooks: RenewHooks, error: OpenPlatformError, background: boolean): Promise<void> {
    const current = await this.cache.get<CachedToken>(key).catch(() => undefined);
    const now = this.clock.now();
    const valid = !!current && !isExpired(current, now);
    if (valid) this.backoff.failed(key, now);
    const servingCurrent = background && valid && hooks.mayServeCurrent(error);
    hooks.onFailure(error, servingCurrent);
    // Only the due token that failed: a fresh one was renewed elsewhere meanwhile.
    if (background && valid && !servingCurrent && needsRenewal(current, now, this.marginSeconds))
      await this.cache.delete(key).catch(() => undefined);
  }
}

function asOpenPlatformError(err: unknown): OpenPlatformError {
  if (err instanceof OpenPlatformError) return err;
  return new OpenPlatformError({
    platform: 'library',
    code: OpenPlatformErrorCode.TRANSPORT,
    message: `token renewal failed unexpectedly (${(err as Error)?.name ?? typeof err})`,
    retryable: true,
  });
}

function shuttingDown(): OpenPlatformError {
  return new OpenPlatformError({
    platform: 'library',
    code: OpenPlatformErrorCode.TRANSPORT,
    message: 'token renewal abandoned: nest-open-platform is shutting down',
    retryable: true,
  });
}
