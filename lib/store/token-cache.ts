import type { Cache } from 'cache-manager';

/**
 * Short-lived values (access tokens) with a TTL. May evict: nothing that must survive lives here.
 */
export abstract class TokenCache {
  abstract get<T>(key: string): Promise<T | undefined>;
  abstract set<T>(key: string, value: T, ttlMs: number): Promise<void>;
  abstract delete(key: string): Promise<void>;

  /**
   * A synchronous look at a value this process already holds, for the hot path; undefined when
   * the implementation keeps nothing in process (callers then use {@link get}).
   */
  peek<T>(_key: string): T | undefined {
    return undefined;
  }
}

interface Local {
  value: unknown;
  expiresAt: number;
}

/**
 * {@link TokenCache} on a cache-manager cache (process memory by default, Keyv stores otherwise),
 * with a process-local layer in front so a warm token costs a Map lookup, not a cache-manager
 * round trip. `localMaxAgeMs` bounds how long the local copy is trusted; with a store shared by
 * several processes it must be short.
 */
export class CacheManagerTokenCache extends TokenCache {
  private readonly local = new Map<string, Local>();

  constructor(
    private readonly cache: Cache,
    private readonly localMaxAgeMs = Number.POSITIVE_INFINITY,
  ) {
    super();
  }

  override peek<T>(key: string): T | undefined {
    const entry = this.local.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.local.delete(key);
      return undefined;
    }
    return entry.value as T;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const local = this.peek<T>(key);
    if (local !== undefined) return local;
    const value = (await this.cache.get<T>(key)) ?? undefined;
    if (value !== undefined && Number.isFinite(this.localMaxAgeMs)) {
      this.local.set(key, { value, expiresAt: Date.now() + this.localMaxAgeMs });
    }
    return value;
  }

  async set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    const ttl = Math.max(1, Math.floor(ttlMs));
    await this.cache.set(key, value, ttl);
    this.local.set(key, { value, expiresAt: Date.now() + Math.min(ttl, this.localMaxAgeMs) });
  }

  async delete(key: string): Promise<void> {
    this.local.delete(key);
    await this.cache.del(key);
  }
}
