import type { OnApplicationShutdown } from '@nestjs/common';
import { LockService, MemoryLockService } from '../lock/lock.service.js';
import { DueIndex, MemoryDueIndex } from './due-index.js';
import { DurableStore, MemoryDurableStore } from './durable-store.js';
import type { RedisConnection } from './redis/redis-connection.js';
import { openRedisStorage, type RedisStorageConfig } from './redis/redis-storage.js';
import { SEAL_CHECK_KEY, SealedDurableStore } from './sealed-durable-store.js';
import { MemoryTokenCache, TokenCache } from './token-cache.js';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';

/** What a module registration asks of its storage (from the module options). */
export interface StorageConfig {
  /** A user-supplied durable store (tickets, authorizer records, refresh tokens). */
  durable?: DurableStore;
  /** A user-supplied token cache. */
  cache?: TokenCache;
  /** Fleet mode: tokens, locks, the due index and (unless `durable` is given) durable data in Redis. */
  redis?: RedisStorageConfig;
  /** Seals credentials in the durable store (see {@link SealedDurableStore}). */
  encryptionKey?: string;
  previousEncryptionKeys?: string[];
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
    const storage = await OpenPlatformStorage.openUnchecked(config);
    try {
      await checkSeal(storage.durable, config);
    } catch (err) {
      await storage.onApplicationShutdown();
      throw err;
    }
    return storage;
  }

  private static async openUnchecked(config: StorageConfig): Promise<OpenPlatformStorage> {
    if (!config.redis) return OpenPlatformStorage.create(config);
    if (config.cache) throw new TypeError('storage.cache cannot be combined with redis');
    const parts = await openRedisStorage(config.redis, config.durable);
    return new OpenPlatformStorage(
      parts.cache,
      sealed(parts.durable, config),
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
      sealed(config.durable ?? new MemoryDurableStore(), config),
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

function sealed(durable: DurableStore, config: StorageConfig): DurableStore {
  return config.encryptionKey
    ? new SealedDurableStore(durable, config.encryptionKey, config.previousEncryptionKeys)
    : durable;
}

/** Fails the boot when the store's seals cannot be opened (a wrong key, or none for a sealed store). */
async function checkSeal(durable: DurableStore, config: StorageConfig): Promise<void> {
  if (durable instanceof SealedDurableStore) return durable.verify();
  if (config.encryptionKey || (await durable.get(SEAL_CHECK_KEY)) === undefined) return;
  throw new OpenPlatformError({
    platform: 'library',
    code: OpenPlatformErrorCode.SEALED_VALUE_UNREADABLE,
    message:
      'the durable store holds sealed credentials (its seal check is there) and storage.encryptionKey is not set: set it to the key they were sealed under',
  });
}
