import type { Cache } from 'cache-manager';

/**
 * Short-lived values (access tokens) with a TTL. May evict: nothing that must survive lives here.
 */
export abstract class TokenCache {
  abstract get<T>(key: string): Promise<T | undefined>;
  abstract set<T>(key: string, value: T, ttlMs: number): Promise<void>;
  abstract delete(key: string): Promise<void>;
}

/** {@link TokenCache} on a cache-manager cache (process memory by default, Keyv stores otherwise). */
export class CacheManagerTokenCache extends TokenCache {
  constructor(private readonly cache: Cache) {
    super();
  }

  async get<T>(key: string): Promise<T | undefined> {
    const value = await this.cache.get<T>(key);
    return value ?? undefined;
  }

  async set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    await this.cache.set(key, value, Math.max(1, Math.floor(ttlMs)));
  }

  async delete(key: string): Promise<void> {
    await this.cache.del(key);
  }
}
