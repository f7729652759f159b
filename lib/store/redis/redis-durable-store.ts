import { storeUnavailable } from '../../errors/store-unavailable.js';
import { KeyvDurableStore } from '../keyv-durable-store.js';
import type { RedisConnection } from './redis-connection.js';

/** Keys listed per SCAN call: small enough not to stall Redis, large enough for few round trips. */
const SCAN_COUNT = 500;

/**
 * The durable namespace in Redis: tickets, authorizer records and refresh tokens under
 * `{keyPrefix}:{platform}:{componentAppId}:…`, never with a TTL (run Redis with AOF persistence).
 * Reads and writes go through Keyv; `keys(prefix)` uses SCAN MATCH on the raw connection instead
 * of Keyv's iterator, which can only walk a whole namespace (every token included) and reads
 * every value on the way.
 */
export class RedisDurableStore extends KeyvDurableStore {
  constructor(private readonly redis: RedisConnection) {
    super(redis.keyv);
  }

  override async get<T>(key: string): Promise<T | undefined> {
    this.redis.assertOpen('reading a durable record');
    return super.get<T>(key);
  }

  override async set<T>(key: string, value: T): Promise<void> {
    this.redis.assertOpen('writing a durable record');
    return super.set(key, value);
  }

  override async delete(key: string): Promise<void> {
    this.redis.assertOpen('deleting a durable record');
    return super.delete(key);
  }

  override async keys(prefix: string): Promise<string[]> {
    this.redis.assertOpen('listing durable records');
    const strip = this.redis.keyPrefix.length + 1;
    const keys = new Set<string>();
    try {
      let cursor = '0';
      do {
        const page = await this.redis.client.scan(cursor, {
          MATCH: `${escapeGlob(`${this.redis.keyPrefix}:${prefix}`)}*`,
          COUNT: SCAN_COUNT,
        });
        cursor = String(page.cursor);
        // SCAN may return a key twice: the set keeps one.
        for (const key of page.keys) keys.add(String(key).slice(strip));
      } while (cursor !== '0');
    } catch (err) {
      throw storeUnavailable('listing durable records', err);
    }
    return [...keys];
  }
}

/** `text` with Redis glob metacharacters escaped, for a literal prefix in MATCH. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
