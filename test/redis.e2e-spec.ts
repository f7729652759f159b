import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RedisClientType } from '@keyv/redis';
import { OpenPlatformErrorCode, OpenPlatformHealthIndicator } from '../lib/index.js';
import { RenewalSweep } from '../lib/refresh/renewal-sweep.service.js';
import { OpenPlatformStorage } from '../lib/store/storage.js';
import type { RedisTokenCache } from '../lib/store/redis/redis-token-cache.js';
import {
  deleteUnder,
  keysUnder,
  OwnRedisServer,
  rawClient,
  REDIS_URL,
  uniquePrefix,
} from '../lib/store/redis/spec-helpers.js';
import { FakeDouyinPlatform, FakeWeChatPlatform } from '../lib/testing/index.js';
import { merchantAuthorizes } from './support/authorize-flow.js';
import { DOUYIN_COMPONENT, startDouyinHarness, type DouyinHarness } from './support/douyin-harness.js';
import { COMPONENT_A, COMPONENT_B } from './support/fixtures.js';
import { startHarness, type Harness } from './support/harness.js';
import { ManualClock } from './support/manual-clock.js';
import { rejection } from './support/rejection.js';

const HOUR = 3600_000;
const A = COMPONENT_A.appId;

const cacheOf = (app: { app: { get: (t: typeof OpenPlatformStorage) => OpenPlatformStorage } }) =>
  app.app.get(OpenPlatformStorage).cache as RedisTokenCache;

/** Resolves when another process's invalidation of `key` reaches this app. */
function invalidationOf(h: Harness | DouyinHarness, key: string): Promise<void> {
  return new Promise((resolve) => {
    const off = cacheOf(h).onInvalidated((k) => {
      if (k !== key) return;
      off();
      resolve();
    });
  });
}

/** Spreads `count` concurrent callers over the apps. */
function callers<T>(
  apps: Array<Harness | DouyinHarness>,
  count: number,
  call: (h: Harness | DouyinHarness) => Promise<T>,
) {
  return Promise.all(Array.from({ length: count }, (_, i) => call(apps[i % apps.length])));
}

describe('fleet mode: two apps sharing one Redis, WeChat (e2e)', () => {
  const keyPrefix = uniquePrefix('e2e-wechat');
  const clock = new ManualClock();
  const fake = new FakeWeChatPlatform({ components: [COMPONENT_A, COMPONENT_B], now: () => clock.now() });
  const start = () =>
    startHarness({ fake, clock, singleComponent: true, options: { redis: { url: REDIS_URL, keyPrefix } } });
  let raw: RedisClientType;
  let h1: Harness;
  let h2: Harness;

  beforeAll(async () => {
    raw = await rawClient();
    await fake.start();
    h1 = await start();
    h2 = await start();
  });
  afterAll(async () => {
    await fake.settle();
    await h1?.close();
    await h2?.close();
    await fake.stop();
    await deleteUnder(raw, keyPrefix);
    raw.destroy();
  });

  it('a ticket pushed to one app serves both; one component token for the fleet', async () => {
    expect(await h1.fake.pushTicket(h1.eventsUrl(), A)).toMatchObject({ status: 200, body: 'success' });
    const [t1, t2] = [await h2.tokens.getComponentAccessToken(), await h1.tokens.getComponentAccessToken()];
    expect(t1).toBe(t2);
    expect(fake.calls('api_component_token')).toBe(1);
    expect(await keysUnder(raw, keyPrefix)).toEqual(
      expect.arrayContaining([`${keyPrefix}:wechat:${A}:ticket`, `${keyPrefix}:wechat:${A}:component-token`]),
    );
  });

  it('concurrent callers in both apps on an expired token → one upstream refresh', async () => {
    expect(await merchantAuthorizes(h1, 'wx_m1')).toMatchObject({ status: 200, body: { status: 'active' } });
    await fake.settle();
    expect(fake.calls('api_query_auth')).toBe(1); // redirect and push of the same code, across apps
    // Both apps warm.
    const warm = await callers([h1, h2], 2, (h) => h.tokens.getAuthorizerAccessToken('wx_m1'));
    expect(new Set(warm).size).toBe(1);

    clock.advance(2 * HOUR + 1000); // authorizer and component tokens expired
    const before = { authorizer: fake.calls('api_authorizer_token'), component: fake.calls('api_component_token') };
    const tokens = await callers([h1, h2], 300, (h) => h.tokens.getAuthorizerAccessToken('wx_m1'));
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(warm[0]);
    expect(fake.calls('api_authorizer_token')).toBe(before.authorizer + 1);
    expect(fake.calls('api_component_token')).toBe(before.component + 1);
    // A second wave is served warm by both: no upstream call at all.
    await callers([h1, h2], 100, (h) => h.tokens.getAuthorizerAccessToken('wx_m1'));
    expect(fake.calls('api_authorizer_token')).toBe(before.authorizer + 1);
  });

  it('a forced renewal in one app replaces the token the other one holds, once the message arrives', async () => {
    const key = `wechat:${A}:authorizer-token:wx_m1`;
    const old = await h2.tokens.getAuthorizerAccessToken('wx_m1');
    const seen = invalidationOf(h2, key);
    const renewed = await h1.tokens.getAuthorizerAccessToken('wx_m1', { forceRefresh: true });
    await seen;
    expect(renewed).not.toBe(old);
    expect(await h2.tokens.getAuthorizerAccessToken('wx_m1')).toBe(renewed);
  });

  it('a revoke pushed to one app is seen by the other', async () => {
    await h2.tokens.getAuthorizerAccessToken('wx_m1'); // warm in app 2
    const seen = invalidationOf(h2, `wechat:${A}:authorizer-token:wx_m1`);
    fake.setEventsUrl(A, h1.eventsUrl());
    await fake.revoke(A, 'wx_m1');
    await seen;
    const err = await rejection(h2.tokens.getAuthorizerAccessToken('wx_m1'));
    expect(err).toMatchObject({ code: OpenPlatformErrorCode.AUTHORIZER_REVOKED });
    expect(await h2.tokens.getAuthorizer('wx_m1')).toMatchObject({ status: 'revoked' });
  });

  it('a restart of both apps on the same Redis keeps tickets, records and refresh tokens', async () => {
    expect(await merchantAuthorizes(h2, 'wx_m2')).toMatchObject({ status: 200, body: { status: 'active' } });
    await fake.settle();
    await h1.close();
    await h2.close();
    h1 = await start();
    h2 = await start();

    expect((await h1.tokens.listAuthorizers()).map((a) => [a.authorizerAppId, a.status])).toEqual([
      ['wx_m1', 'revoked'],
      ['wx_m2', 'active'],
    ]);
    clock.advance(2 * HOUR + 1000);
    const before = { authorizer: fake.calls('api_authorizer_token'), component: fake.calls('api_component_token') };
    const tokens = await callers([h1, h2], 50, (h) => h.tokens.getAuthorizerAccessToken('wx_m2'));
    expect(new Set(tokens).size).toBe(1);
    // Refreshed with the stored refresh token, on a component token obtained with the stored ticket.
    expect(fake.calls('api_authorizer_token')).toBe(before.authorizer + 1);
    expect(fake.calls('api_component_token')).toBe(before.component + 1);
    expect(fake.isAuthorizerTokenValid(tokens[0])).toBe(true);
  });
});

describe('fleet mode: two apps sharing one Redis, Douyin v2 (e2e)', () => {
  const keyPrefix = uniquePrefix('e2e-douyin');
  const clock = new ManualClock();
  const fake = new FakeDouyinPlatform({ apiVersion: 'v2', components: [DOUYIN_COMPONENT], now: () => clock.now() });
  const C = DOUYIN_COMPONENT.appId;
  const start = () =>
    startDouyinHarness('v2', { shared: { fake, clock }, options: { redis: { url: REDIS_URL, keyPrefix } } });
  let raw: RedisClientType;
  let d1: DouyinHarness;
  let d2: DouyinHarness;

  /** The browser flow through app `h`. */
  async function merchantAuthorizesDouyin(h: DouyinHarness, authorizerAppId: string) {
    fake.queueMerchant({ authorizerAppId, componentAppId: C });
    const start = await fetch(`${h.url}/open-platform/${C}/authorize`, { redirect: 'manual' });
    const page = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const back = await fetch(page.headers.get('location')!);
    await fake.settle();
    return { status: back.status, body: (await back.json()) as { status: string } };
  }

  beforeAll(async () => {
    raw = await rawClient();
    await fake.start();
    d1 = await start();
    d2 = await start();
    fake.setEventsUrl(C, d1.eventsUrl);
  });
  afterAll(async () => {
    await fake.settle();
    await d1?.close();
    await d2?.close();
    await fake.stop();
    await deleteUnder(raw, keyPrefix);
    raw.destroy();
  });

  it('concurrent callers in both apps on an expired token → one refresh, refresh-token reuse 0, across a restart', async () => {
    await fake.pushTicket(d1.eventsUrl, C);
    expect(await merchantAuthorizesDouyin(d2, 'tt_shop')).toMatchObject({ status: 200, body: { status: 'active' } });
    expect(fake.calls('auth_token')).toBe(1); // redirect (app 2) and push (app 1): one exchange

    for (let round = 0; round < 2; round++) {
      await fake.pushTicket(d1.eventsUrl, C);
      clock.advance(2 * HOUR + 1000);
      const before = fake.calls('auth_token');
      const tokens = await callers([d1, d2], 300, (h) => h.tokens.getAuthorizerAccessToken('tt_shop'));
      expect(new Set(tokens).size).toBe(1);
      expect(fake.isAuthorizerTokenValid(tokens[0])).toBe(true);
      expect(fake.calls('auth_token')).toBe(before + 1);
      expect(fake.refreshTokenReuses()).toBe(0);
      if (round === 0) {
        // Restart both apps: the rotated refresh token must be the one they find.
        await d1.close();
        await d2.close();
        d1 = await start();
        d2 = await start();
        fake.setEventsUrl(C, d1.eventsUrl);
      }
    }
    expect(fake.calls('tp_token')).toBeLessThanOrEqual(3); // one component token per lifetime
  });
});

describe('fleet mode when Redis goes away (own redis-server, stopped and restarted; e2e)', () => {
  let server: OwnRedisServer;
  let h: Harness;

  const until = async (condition: () => boolean, what: string) => {
    for (let i = 0; i < 400 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
    if (!condition()) throw new Error(`never happened: ${what}`);
  };

  beforeAll(async () => {
    server = await OwnRedisServer.start();
    h = await startHarness({ singleComponent: true, options: { redis: { url: server.url, keyPrefix: 'op' } } });
    await h.fake.pushTicket(h.eventsUrl(), A);
    expect(await merchantAuthorizes(h, 'wx_m1')).toMatchObject({ status: 200 });
    await h.fake.settle();
  });
  afterAll(async () => {
    await h?.close();
    await server?.stop();
  });

  it('serves held tokens, fails fast with a retryable STORE_UNAVAILABLE (503 on the routes), and recovers by itself', async () => {
    const storage = h.app.get(OpenPlatformStorage);
    const held = await h.tokens.getAuthorizerAccessToken('wx_m1');
    const component = await h.tokens.getComponentAccessToken();
    await server.stop();
    await until(() => storage.redisHealthy() === false, 'the module notices the outage');

    // Warm tokens: served from process memory.
    expect(await h.tokens.getAuthorizerAccessToken('wx_m1')).toBe(held);
    expect(await h.tokens.getComponentAccessToken()).toBe(component);
    // Due for renewal but still valid (inside the renewal margin): renewing needs Redis, so the
    // held tokens keep being served meanwhile.
    h.clock.advance(2 * HOUR - 100_000);
    expect(await h.tokens.getAuthorizerAccessToken('wx_m1')).toBe(held);
    expect(await h.tokens.getComponentAccessToken()).toBe(component);
    // What needs Redis fails fast, retryable, with no token in it.
    const unavailable = { code: OpenPlatformErrorCode.STORE_UNAVAILABLE, retryable: true, platform: 'library' };
    const forced = await rejection(h.tokens.getComponentAccessToken(undefined, { forceRefresh: true }));
    expect(forced).toMatchObject(unavailable);
    expect(JSON.stringify(forced) + String(forced)).not.toContain(component);
    expect(await rejection(h.tokens.getAuthorizerAccessToken('wx_unknown'))).toMatchObject(unavailable);
    // The platform's push is answered 503 (it retries later), not 'success'.
    const push = await h.fake.pushTicket(h.eventsUrl(), A);
    expect(push.status).toBe(503);
    // A renewal tick (it runs from a timer) counts the failures and never rejects.
    const tick = await h.app.get(RenewalSweep).tick();
    expect(tick?.failed).toBeGreaterThan(0);
    // Health reports Redis down, which makes the whole result down (a 503 under terminus).
    const health = h.app.get(OpenPlatformHealthIndicator);
    expect((await health.isHealthy())['open-platform']).toMatchObject({ status: 'down', redis: { status: 'down' } });

    await server.restart();
    await until(() => storage.redisHealthy() === true, 'the module reconnects');
    // The restarted Redis kept nothing (no persistence here): the next push and a new token work.
    expect(await h.fake.pushTicket(h.eventsUrl(), A)).toMatchObject({ status: 200, body: 'success' });
    const renewed = await h.tokens.getComponentAccessToken(undefined, { forceRefresh: true });
    expect(h.fake.isComponentTokenValid(renewed)).toBe(true);
    expect((await health.isHealthy())['open-platform']).toMatchObject({ status: 'up', redis: { status: 'up' } });
    expect((await h.tokens.status()).redis).toEqual({ connected: true });
  });
});
