import { describe, expect, it } from '@jest/globals';
import { MemoryLockService } from '../lock/lock.service.js';
import { DurableStore, MemoryDurableStore } from './durable-store.js';
import { OpenPlatformStorage } from './storage.js';
import { CacheManagerTokenCache, TokenCache } from './token-cache.js';

class AppCache extends TokenCache {
  closed = false;
  async get<T>(): Promise<T | undefined> {
    return undefined;
  }
  async set(): Promise<void> {}
  async delete(): Promise<void> {}
  async disconnect(): Promise<void> {
    this.closed = true;
  }
}

describe('OpenPlatformStorage', () => {
  it('defaults to process memory and owns (then releases) what it created', async () => {
    const storage = OpenPlatformStorage.create({});
    expect(storage.cache).toBeInstanceOf(CacheManagerTokenCache);
    expect(storage.durable).toBeInstanceOf(MemoryDurableStore);
    expect(storage.lock).toBeInstanceOf(MemoryLockService);
    expect(storage.ownedResources).toBe(1);
    await storage.onApplicationShutdown();
    expect(storage.ownedResources).toBe(0);
    await storage.onApplicationShutdown(); // idempotent
  });

  it('uses what the app supplies as is, and leaves its lifecycle to the app', async () => {
    const cache = new AppCache();
    const durable: DurableStore = new MemoryDurableStore();
    const storage = OpenPlatformStorage.create({ cache, durable });
    expect(storage.cache).toBe(cache);
    expect(storage.durable).toBe(durable);
    expect(storage.ownedResources).toBe(0);
    await storage.onApplicationShutdown();
    expect(cache.closed).toBe(false);
  });

  it('opens process memory without redis, and refuses a token cache of the app together with redis', async () => {
    const storage = await OpenPlatformStorage.open({});
    expect(storage.cache).toBeInstanceOf(CacheManagerTokenCache);
    expect(storage.redisHealthy()).toBeUndefined();
    expect(await storage.pingRedis()).toBeUndefined();
    await storage.onApplicationShutdown();
    await expect(
      OpenPlatformStorage.open({ cache: new AppCache(), redis: { url: 'redis://127.0.0.1:1', keyPrefix: 'x' } }),
    ).rejects.toThrow('storage.cache cannot be combined with redis');
  });
});
