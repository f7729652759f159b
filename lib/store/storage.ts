import type { OnApplicationShutdown } from '@nestjs/common';
import { createCache } from 'cache-manager';
import { LockService, MemoryLockService } from '../lock/lock.service.js';
import { DueIndex, MemoryDueIndex } from './due-index.js';
import { DurableStore, MemoryDurableStore } from './durable-store.js';
import { CacheManagerTokenCache, TokenCache } from './token-cache.js';

/** What a module registration asks of its storage (from the module options). */
export interface StorageConfig {
  /** A user-supplied durable store (tickets, authorizer records, refresh tokens). */
  durable?: DurableStore;
  /** A user-supplied token cache. */
  cache?: TokenCache;
}

/**
 * The storage of one module registration: the token cache, the durable store, the lock and the
 * renewal due-time index. This is the one place that chooses their implementations (process
 * memory unless the options supply or configure others), so callers never branch on what they
 * got; and, like `@nestjs/cache-manager`, the owner of what it opened: resources it created are
 * released on shutdown, ones the app passed in are left to the app.
 */
export class OpenPlatformStorage implements OnApplicationShutdown {
  private constructor(
    readonly cache: TokenCache,
    readonly durable: DurableStore,
    readonly lock: LockService,
    readonly dueIndex: DueIndex,
    private readonly owned: Array<() => Promise<void>>,
  ) {}

  static create(config: StorageConfig): OpenPlatformStorage {
    const owned: Array<() => Promise<void>> = [];
    let cache = config.cache;
    if (!cache) {
      const manager = createCache();
      owned.push(async () => void (await manager.disconnect()));
      cache = new CacheManagerTokenCache(manager);
    }
    return new OpenPlatformStorage(
      cache,
      config.durable ?? new MemoryDurableStore(),
      new MemoryLockService(),
      new MemoryDueIndex(),
      owned,
    );
  }

  /** How many resources this storage opened itself and will release on shutdown. */
  get ownedResources(): number {
    return this.owned.length;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.owned.splice(0).map((release) => release()));
  }
}
