import { RedisLockService } from '../../lock/redis-lock.service.js';
import type { DurableStore } from '../durable-store.js';
import { RedisConnection, type RedisConfig } from './redis-connection.js';
import { RedisDueIndex } from './redis-due-index.js';
import { RedisDurableStore } from './redis-durable-store.js';
import { RedisTokenCache } from './redis-token-cache.js';

/** Fleet-mode options beyond the connection. */
export interface RedisStorageConfig extends RedisConfig {
  /** How long a process trusts its copy of a token without reading Redis. Default 60 s. */
  localCacheMaxAgeMs?: number;
  /** Lease of the distributed locks (how long a crashed holder blocks the work). Default 15 s. */
  lockLeaseMs?: number;
}

/** The parts of a storage in fleet mode, on one connection that the storage owns. */
export interface RedisStorageParts {
  connection: RedisConnection;
  cache: RedisTokenCache;
  durable: DurableStore;
  lock: RedisLockService;
  dueIndex: RedisDueIndex;
}

/** Connects and builds every Redis-backed part; `durable` replaces the Redis durable namespace. */
export async function openRedisStorage(config: RedisStorageConfig, durable?: DurableStore): Promise<RedisStorageParts> {
  const connection = await RedisConnection.open(config);
  try {
    const cache = await new RedisTokenCache(connection, config.localCacheMaxAgeMs).start();
    return {
      connection,
      cache,
      durable: durable ?? new RedisDurableStore(connection),
      lock: new RedisLockService(connection.client, connection.keyPrefix, { leaseMs: config.lockLeaseMs }),
      dueIndex: new RedisDueIndex(connection),
    };
  } catch (err) {
    await connection.close();
    throw err;
  }
}
