import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RedisClientType } from '@keyv/redis';
import { keysUnder, rawClient, REDIS_URL, uniquePrefix } from '../lib/store/redis/spec-helpers.js';
import { StoreKeys } from '../lib/store/store-keys.js';
import { FakeDouyinPlatform, FakeWeChatPlatform } from '../lib/testing/index.js';
import { DOUYIN_COMPONENT } from './support/douyin-harness.js';
import { COMPONENT_A } from './support/fixtures.js';
import { ManualClock } from './support/manual-clock.js';
import { refreshed, startWorld } from './support/renewal-world.js';

// A fleet where only some processes run the scheduler: a merchant onboarded through a process
// without it is in the shared due index at once (not only after a rebuild finds it), and a
// scheduler process renews it; one revoked there leaves the index.

const A = COMPONENT_A.appId;
const prefix = uniquePrefix('fleet-mixed');
let redis: RedisClientType;
const index = `${prefix}:${StoreKeys.renewalIndex('wechat', A)}`;

beforeAll(async () => {
  redis = await rawClient();
});
afterAll(async () => {
  const keys = await keysUnder(redis, prefix);
  if (keys.length) await redis.del(keys);
  await redis.quit();
});

describe('fleet: processes with and without the scheduler share one due index', () => {
  it('a merchant onboarded where no scheduler runs is indexed at once and renewed by the scheduler process', async () => {
    const clock = new ManualClock();
    const wechat = new FakeWeChatPlatform({ components: [COMPONENT_A], now: () => clock.now() });
    const douyin = new FakeDouyinPlatform({ apiVersion: 'v2', components: [DOUYIN_COMPONENT], now: () => clock.now() });
    await Promise.all([wechat.start(), douyin.start()]);
    try {
      const storage = { redis: { url: REDIS_URL, keyPrefix: prefix } };
      const scheduler = await startWorld({
        clock,
        wechat,
        douyin,
        storage,
        refresh: { enabled: true, intervalMs: 60_000 },
      });
      await scheduler.tick(); // its boot work (the index rebuild) is done: nothing to index yet
      // Started last: the platforms push to this one, which runs no scheduler.
      const web = await startWorld({ clock, wechat, douyin, storage, schedule: false, refresh: { enabled: false } });
      await wechat.pushTicket(`${web.url}/open-platform/${A}/events`, A);
      await wechat.authorize({ componentAppId: A, authorizerAppId: 'wx_mixed_1', push: true });
      await wechat.authorize({ componentAppId: A, authorizerAppId: 'wx_mixed_2', push: true });
      await wechat.settle();
      expect((await web.tokens.getAuthorizer('wx_mixed_1'))?.status).toBe('active');
      expect(await redis.zScore(index, 'wx_mixed_1')).not.toBeNull();
      expect(await redis.zScore(index, 'wx_mixed_2')).not.toBeNull();

      // Revoked through the process without the scheduler: out of the index.
      await wechat.revoke(A, 'wx_mixed_2');
      await wechat.settle();
      expect((await web.tokens.getAuthorizer('wx_mixed_2'))?.status).toBe('revoked');
      expect(await redis.zScore(index, 'wx_mixed_2')).toBeNull();

      // The token comes due: the scheduler process renews it, and only the active merchant.
      const before = wechat.calls('api_authorizer_token');
      clock.advance(2 * 3600_000);
      const report = await scheduler.tick();
      expect(report.failed).toBe(0);
      expect(refreshed(scheduler, 'wx_mixed_1').length).toBeGreaterThan(0);
      expect(refreshed(scheduler, 'wx_mixed_2')).toEqual([]);
      expect(wechat.calls('api_authorizer_token')).toBeGreaterThan(before);
    } finally {
      await Promise.all([wechat.stop(), douyin.stop()]);
    }
  }, 60_000);
});
