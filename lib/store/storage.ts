import type { OnApplicationShutdown } from '@nestjs/common';
import { LockService, MemoryLockService } from '../lock/lock.service.js';
import { DueIndex, MemoryDueIndex } from './due-index.js';
import { DurableStore, MemoryDurableStore } from './durable-store.js';
import type { RedisConnection } from './redis/redis-connection.js';
import { openRedisStorage, type RedisStorageConfig } from './redis/redis-storage.js';
import { MemoryTokenCache, TokenCache } from './token-cache.js';

/** What a module registration asks of its storage (from the module options). */
export interface StorageConfig {
  /** A user-supplied durable store (tickets, authorizer records, refresh tokens). */
  durable?: DurableStore;
  /** A user-supplied token cache. */
  cache?: TokenCache;
  /** Fleet mode: tokens, locks, the due index and (unless `durable` is given) durable data in Redis. */
  redis?: RedisStorageConfig;
}

/**
 * The storage of one module registration: the token cache, the durable store, the lock and the
 * renewal due-time index. This is the one place that chooses their implementations (process
 * memory unless the options supply or configure others), so callers never branch on what they
 * got; and, like `@nestjs/cache-manager`, the owner of what it opened: resources it created are
 * released on shutdown, ones the app passed in are left to the app.
 */
export class OpenPlatformStorage implements OnApplicationShutdown {
  /**
   * Whether other processes may write the durable store too (fleet mode, or a store the app
   * supplies): then what this process learns from its own writes is not the whole picture.
   */
  readonly shared: boolean;

  private constructor(
    readonly cache: TokenCache,
    readonly durable: DurableStore,
    readonly lock: LockService,
    readonly dueIndex: DueIndex,
    private readonly owned: Array<() => Promise<void>>,
    private readonly redis?: RedisConnection,
    shared = false,
  ) {
    this.shared = shared;
  }

  /** The storage the config asks for; connects to Redis first in fleet mode. */
  static async open(config: StorageConfig): Promise<OpenPlatformStorage> {
    if (!config.redis) return OpenPlatformStorage.create(config);
    if (config.cache) throw new TypeError('storage.cache cannot be combined with redis');
    const parts = await openRedisStorage(config.redis, config.durable);
    return new OpenPlatformStorage(
      parts.cache,
      parts.durable,
      parts.lock,
      parts.dueIndex,
      [() => parts.connection.close()],
      parts.connection,
      true,
    );
  }

  /** The storage in process memory (or on the stores the app supplies). */
  static create(config: StorageConfig): OpenPlatformStorage {
    const owned: Array<() => Promise<void>> = [];
    let cache = config.cache;
    if (!cache) {
      const memory = new MemoryTokenCache();
      owned.push(() => memory.close());
      cache = memory;
    }
    return new OpenPlatformStorage(
      cache,
      config.durable ?? new MemoryDurableStore(),
      new MemoryLockService(),
      new MemoryDueIndex(),
      owned,
      undefined,
      config.durable !== undefined,
    );
  }

  /**
   * Fleet mode: whether the module's Redis connections are up right now (no round trip, for a
   * health indicator); undefined without `redis`.
   */
  redisHealthy(): boolean | undefined {
    return this.redis?.healthy;
  }

  /** Fleet mode: whether Redis answers a PING (one round trip, fails fast); undefined without `redis`. */
  async pingRedis(): Promise<boolean | undefined> {
    return this.redis?.ping();
  }

  /** How many resources this storage opened itself and will release on shutdown. */
  get ownedResources(): number {
    return this.owned.length;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.owned.splice(0).map((release) => release()));
  }
}
