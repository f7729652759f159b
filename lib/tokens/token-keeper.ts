import type { Clock } from '../clock/clock.js';
import type { OpenPlatformError } from '../errors/open-platform.error.js';
import { isStoreUnavailable } from '../errors/store-unavailable.js';
import type { LockService } from '../lock/lock.service.js';
import { SingleFlight } from '../lock/single-flight.js';
import type { TokenCache } from '../store/token-cache.js';
import { isExpired, needsRenewal, type CachedToken } from './renewal.js';

/** What a token kind supplies to {@link TokenKeeper.get}. */
export interface RenewHooks {
  /** Obtains a fresh token from the platform and stores it (through {@link TokenKeeper.store}). */
  renew(): Promise<string>;
  /** Whether, after `error`, the current still-valid token may keep being served. */
  mayServeCurrent(error: OpenPlatformError): boolean;
  /** Told about every failed renewal, and whether the current token is served instead. */
  onFailure(error: OpenPlatformError, servingCurrent: boolean): void;
}

/**
 * The caching and renewal machinery shared by component and authorizer tokens: a synchronous hot
 * path, the renewal rule, one renewal per key at a time (single flight in the process, the lock
 * across processes), a re-check after the lock, and forced renewals that are skipped when the
 * rejected token was already replaced.
 */
export class TokenKeeper {
  private readonly flights = new SingleFlight();

  constructor(
    private readonly cache: TokenCache,
    private readonly lock: LockService,
    private readonly clock: Clock,
    private readonly marginSeconds: number,
  ) {}

  /** The token if this process holds a fresh one, synchronously; undefined means "use get()". */
  hot(key: string): string | undefined {
    const token = this.cache.peek<CachedToken>(key);
    return token && !needsRenewal(token, this.clock.now(), this.marginSeconds) ? token.accessToken : undefined;
  }

  /**
   * The token under `key`, renewed when due. With `force`, a new one is obtained unless the cached
   * token already differs from `rejected` (default: the token cached when the call started).
   */
  async get(key: string, hooks: RenewHooks, force = false, rejected?: string): Promise<string> {
    const hot = force ? undefined : this.hot(key);
    if (hot) return hot;
    const cached = await this.cache.get<CachedToken>(key);
    if (!force && cached && !needsRenewal(cached, this.clock.now(), this.marginSeconds)) return cached.accessToken;
    const seen = rejected ?? cached?.accessToken;
    return this.flights.run(key, async () => {
      try {
        return await this.lock.runExclusive(key, () => this.renew(key, hooks, force, seen));
      } catch (err) {
        // The shared store is down (fleet mode), so the lock could not even be taken: a token that
        // is due for renewal but still valid keeps being served, like after a failed renewal.
        if (force || !cached || isExpired(cached, this.clock.now()) || !isStoreUnavailable(err)) throw err;
        hooks.onFailure(err as OpenPlatformError, true);
        return cached.accessToken;
      }
    });
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
    return this.cache.delete(key);
  }

  private async renew(key: string, hooks: RenewHooks, force: boolean, seen: string | undefined): Promise<string> {
    const current = await this.cache.get<CachedToken>(key);
    const fresh = current && !needsRenewal(current, this.clock.now(), this.marginSeconds);
    // Renewed elsewhere while we waited (for a forced renewal: a token other than the rejected one).
    if (fresh && (!force || current.accessToken !== seen)) return current.accessToken;
    try {
      return await hooks.renew();
    } catch (err) {
      const error = err as OpenPlatformError;
      const serveCurrent = !force && !!current && !isExpired(current, this.clock.now()) && hooks.mayServeCurrent(error);
      hooks.onFailure(error, serveCurrent);
      if (serveCurrent) return current.accessToken;
      throw err;
    }
  }
}
