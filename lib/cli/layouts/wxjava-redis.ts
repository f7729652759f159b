import { loadRedisPackage } from '../../store/redis/redis-package.js';
import { CliFailure } from '../core/cli-errors.js';
import { checkRow, type SourceRow } from '../authorizer-import/import-rows.js';

/**
 * WxJava's open module (weixin-java-open) keeps each authorizer's refresh token in Redis under
 * `{keyPrefix:}wechat_authorizer_refresh_token:{componentAppId}:{authorizerAppId}`, a plain string
 * with no TTL (AbstractWxOpenInRedisConfigStorage sets the key, WxOpenInRedisConfigStorage /
 * WxOpenInRedisTemplateConfigStorage write it through Jedis or a StringRedisTemplate). The
 * Redisson variant stores values through a binary codec: those rows are refused, not guessed at.
 */
export const WXJAVA_REFRESH_TOKEN_KEY = 'wechat_authorizer_refresh_token:';

/** Where a WxJava deployment's Redis is, and its `keyPrefix` (may be empty). */
export interface WxJavaSource {
  url: string;
  keyPrefix?: string;
}

/** The refresh-token keys of a WxJava Redis as import rows (platform wechat). Reads only. */
export async function wxjavaRows(source: WxJavaSource): Promise<SourceRow[]> {
  const prefix = source.keyPrefix ? (source.keyPrefix.endsWith(':') ? source.keyPrefix : `${source.keyPrefix}:`) : '';
  const base = `${prefix}${WXJAVA_REFRESH_TOKEN_KEY}`;
  const redis = await loadRedisPackage();
  const client = redis.createClient({ url: source.url, socket: { reconnectStrategy: false, connectTimeout: 5_000 } });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch {
    throw new CliFailure('could not connect to the WxJava Redis (--redis)');
  }
  try {
    const keys = new Set<string>();
    let cursor = '0';
    do {
      const page = await client.scan(cursor, { MATCH: `${base.replace(/[*?[\]\\]/g, '\\$&')}*`, COUNT: 500 });
      cursor = String(page.cursor);
      for (const key of page.keys) keys.add(String(key));
    } while (cursor !== '0');
    const rows: SourceRow[] = [];
    for (const key of [...keys].sort()) {
      const where = `wxjava key ${key}`;
      const ids = key.slice(base.length).split(':');
      if (ids.length !== 2) {
        rows.push({ where, problem: 'the key is not …:{componentAppId}:{authorizerAppId}' });
        continue;
      }
      let value: unknown;
      try {
        value = await client.get(key);
      } catch {
        rows.push({ where, problem: 'the key does not hold a string' });
        continue;
      }
      if (value === null) continue; // deleted meanwhile
      rows.push(
        checkRow({ platform: 'wechat', componentAppId: ids[0], authorizerAppId: ids[1], refreshToken: value }, where),
      );
    }
    return rows;
  } finally {
    client.destroy();
  }
}
