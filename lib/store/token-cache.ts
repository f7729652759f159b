import { KeyvCacheableMemory } from '@cacheable/memory';
import { createCache, type Cache } from 'cache-manager';
import { Keyv } from 'keyv';
import { SweptMap } from './swept-map.js';

/**
 * Short-lived values (access tokens) with a TTL. May evict: nothing that must survive lives here.
 */
export abstract class TokenCache {
  abstract get<T>(key: string): Promise<T | undefined>;
  abstract set<T>(key: string, value: T, ttlMs: number): Promise<void>;
  abstract delete(key: string): Promise<void>;

  /**
   * A synchronous look at a value this process already holds, for the hot path; undefined when
   * the implementation keeps nothing in process (callers then use {@link get}). `now` is the
   * wall-clock time if the caller just read it (one clock read per warm hit instead of two).
   */
  peek<T>(_key: string, _now?: number): T | undefined {
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
  private readonly local = new SweptMap<Local>((entry, now) => entry.expiresAt <= now);

  constructor(
    private readonly cache: Cache,
    private readonly localMaxAgeMs = Number.POSITIVE_INFINITY,
  ) {
    super();
  }

  override peek<T>(key: string, now = Date.now()): T | undefined {
    const entry = this.local.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
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

/** How often the default in-process store deletes its expired entries. */
export const MEMORY_SWEEP_INTERVAL_MS = 60_000;

/**
 * The default {@link TokenCache}: cache-manager in process memory, on `@cacheable/memory` rather
 * than Keyv's default `Map`, which deletes an expired entry only when it is read again; most keys
 * here are never read again (a handled push, an exchanged code), so they would pile up forever.
 * The store deletes expired entries every `sweepIntervalMs` (on an unref'd timer, stopped by
 * {@link close}); the local copies in front of it are swept as they grow.
 */
export class MemoryTokenCache extends CacheManagerTokenCache {
  private readonly store: KeyvCacheableMemory;

  constructor(sweepIntervalMs = MEMORY_SWEEP_INTERVAL_MS) {
    // Values kept as objects, neither serialized nor cloned (as cache-manager's own default does):
    // the store and the local copies then share one object per entry instead of holding two.
    // One map: the store otherwise shards keys over 16 maps by a DJB2 hash of each key, a hash per
    // read and write that buys nothing in one process (it was the top item of the message route's profile).
    const store = new KeyvCacheableMemory({ checkInterval: sweepIntervalMs, useClone: false, storeHashSize: 1 });
    // namespace undefined: one store, not a second one created lazily for Keyv's default namespace.
    const keyv = new Keyv({ store, namespace: undefined });
    keyv.serialize = undefined;
    keyv.deserialize = undefined;
    super(createCache({ stores: [keyv] }));
    this.store = store;
  }

  /** Stops the sweep and drops every entry. */
  async close(): Promise<void> {
    this.store.store.stopIntervalCheck();
    await this.store.clear();
  }
}
