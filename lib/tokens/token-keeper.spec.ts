import { describe, expect, it } from '@jest/globals';
import { createCache } from 'cache-manager';
import { Clock } from '../clock/clock.js';
import { OpenPlatformError } from '../errors/open-platform.error.js';
import { MemoryLockService } from '../lock/lock.service.js';
import { CacheManagerTokenCache } from '../store/token-cache.js';
import { TokenKeeper, type RenewHooks } from './token-keeper.js';

class ManualClock extends Clock {
  t = 1_000_000;
  now(): number {
    return this.t;
  }
}

function setup(mayServeCurrent = true) {
  const clock = new ManualClock();
  const keeper = new TokenKeeper(new CacheManagerTokenCache(createCache()), new MemoryLockService(), clock, 300);
  let issued = 0;
  let fail: OpenPlatformError | undefined;
  const failures: boolean[] = [];
  const hooks: RenewHooks = {
    renew: async () => {
      await new Promise((r) => setTimeout(r, 5));
      if (fail) throw fail;
      return (await keeper.store('k', `t${++issued}`, 1000)).accessToken;
    },
    mayServeCurrent: () => mayServeCurrent,
    onFailure: (_e, serving) => failures.push(serving),
  };
  return { clock, keeper, hooks, issued: () => issued, setFail: (e?: OpenPlatformError) => (fail = e), failures };
}

const transient = new OpenPlatformError({ platform: 'wechat', code: -1, message: 'busy', retryable: true });

describe('TokenKeeper', () => {
  it('one renewal for any number of concurrent callers; then the hot path', async () => {
    const s = setup();
    const tokens = await Promise.all(Array.from({ length: 100 }, () => s.keeper.get('k', s.hooks)));
    expect(new Set(tokens)).toEqual(new Set(['t1']));
    expect(s.issued()).toBe(1);
    expect(s.keeper.hot('k')).toBe('t1');
  });

  it('renews by the rule: min(margin, 20% of expires_in) before expiry', async () => {
    const s = setup();
    await s.keeper.get('k', s.hooks);
    s.clock.t += 799_000; // 201 s left of 1000 s: not yet (threshold 200 s)
    expect(await s.keeper.get('k', s.hooks)).toBe('t1');
    s.clock.t += 2_000;
    expect(s.keeper.hot('k')).toBeUndefined();
    expect(await s.keeper.get('k', s.hooks)).toBe('t2');
  });

  it('a forced renewal is skipped when the rejected token was already replaced', async () => {
    const s = setup();
    await s.keeper.get('k', s.hooks);
    expect(await s.keeper.get('k', s.hooks, true, 't1')).toBe('t2');
    expect(await s.keeper.get('k', s.hooks, true, 't1')).toBe('t2'); // t1 is gone already
    expect(s.issued()).toBe(2);
  });

  it('serves the current token after a failed renewal only while valid and only if allowed', async () => {
    const s = setup();
    await s.keeper.get('k', s.hooks);
    s.clock.t += 900_000; // due, still valid
    s.setFail(transient);
    expect(await s.keeper.get('k', s.hooks)).toBe('t1');
    s.clock.t += 200_000; // expired
    await expect(s.keeper.get('k', s.hooks)).rejects.toBe(transient);
    expect(s.failures).toEqual([true, false]);

    const strict = setup(false);
    await strict.keeper.get('k', strict.hooks);
    strict.clock.t += 900_000;
    strict.setFail(transient);
    await expect(strict.keeper.get('k', strict.hooks)).rejects.toBe(transient);
  });

  it('a forced renewal never falls back on the current token', async () => {
    const s = setup();
    await s.keeper.get('k', s.hooks);
    s.setFail(transient);
    await expect(s.keeper.get('k', s.hooks, true)).rejects.toBe(transient);
  });
});
