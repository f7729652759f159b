import { describe, expect, it } from '@jest/globals';
import { createCache } from 'cache-manager';
import { Clock } from '../clock/clock.js';
import { OpenPlatformEvents } from '../events/open-platform-events.service.js';
import { MemoryLockService } from '../lock/lock.service.js';
import type { ResolvedComponent, ResolvedOptions } from '../options/resolved-options.js';
import { MemoryDueIndex } from '../store/due-index.js';
import { CacheManagerTokenCache } from '../store/token-cache.js';
import type { AuthorizerRecord } from './authorizer.interface.js';
import { AuthorizerRenewals } from './authorizer-renewals.js';
import { AuthorizerTokenService } from './authorizer-token.service.js';

class FixedClock extends Clock {
  now(): number {
    return 1_700_000_000_000;
  }
}

const component = { platform: 'wechat', appId: 'wx_c' } as ResolvedComponent;
const options = {
  refresh: { marginSeconds: 300 },
  retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
  httpTimeoutMs: 1000,
} as ResolvedOptions;

/** Only the cache matters here: no lookup below reaches the platform or the store. */
function service(): { tokens: AuthorizerTokenService; memoized: () => number } {
  const clock = new FixedClock();
  const unused = {} as never;
  const tokens = new AuthorizerTokenService(
    unused,
    unused,
    unused,
    unused,
    unused,
    new AuthorizerRenewals(new MemoryDueIndex(), unused, clock, options),
    new CacheManagerTokenCache(createCache()),
    new MemoryLockService(),
    new OpenPlatformEvents(),
    clock,
    options,
  );
  const keys = (tokens as unknown as { keys: Map<string, Map<string, string>> }).keys;
  return { tokens, memoized: () => [...keys.values()].reduce((n, m) => n + m.size, 0) };
}

describe('AuthorizerTokenService keeps cache keys only for tokens it holds', () => {
  it('hot() and cached() of appids nobody authorized keep nothing', async () => {
    const { tokens, memoized } = service();
    for (let i = 0; i < 1000; i++) {
      expect(tokens.hot(component, `wx_nobody_${i}`)).toBeUndefined();
      expect(await tokens.cached(component, `wx_nobody_${i}`)).toBeUndefined();
    }
    expect(memoized()).toBe(0);
  });

  it('a cached grant is served hot, its key memoized once', async () => {
    const { tokens, memoized } = service();
    const record = { authorizerAppId: 'wx_shop', status: 'active' } as AuthorizerRecord;
    await tokens.cacheGrant(component, { authorizerAppId: 'wx_shop', accessToken: 'at-1', expiresIn: 7200 }, record);
    expect(tokens.hot(component, 'wx_shop')).toBe('at-1');
    expect(tokens.hot(component, 'wx_shop')).toBe('at-1');
    expect(memoized()).toBe(1);
  });
});
