import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { RedisClientType } from '@keyv/redis';
import { firstValueFrom } from 'rxjs';
import { OpenPlatformError, OpenPlatformHttpService, type OpenPlatformEvent } from '../lib/index.js';
import { rawClient, REDIS_URL, uniquePrefix } from '../lib/store/redis/spec-helpers.js';
import { StoreKeys } from '../lib/store/store-keys.js';
import { DOUYIN_COMPONENT, startDouyinHarness, type DouyinHarness } from './support/douyin-harness.js';
import { eventually } from './support/eventually.js';
import { collectEvents } from './support/fault-kit.js';
import { ATTEMPTS, COMPONENT_A, TEST_RETRY } from './support/fixtures.js';
import { startHarness, type Harness } from './support/harness.js';
import { rejection } from './support/rejection.js';

// Renewal under partial failure, against the emulators over loopback: a token that is due but still
// valid is served at once while one renewal runs in the background (callers never wait for a slow
// platform or another process's lock), a failed renewal is retried after a backoff rather than on
// every call, and an API that keeps rejecting a fresh token does not renew it on every call.
// Everything is counted at the emulator; time moves on the shared manual clock.

const A = COMPONENT_A.appId;
const TT = DOUYIN_COMPONENT.appId;
/** Authorizer tokens live 1000 s here: due once fewer than min(300 s, 20%) = 200 s are left. */
const LIFETIME_S = 1000;
/** Into the renewal margin, not expired (150 s left). */
const INTO_MARGIN_MS = 850_000;
/**
 * How long the emulator holds a renewal's answer. The callers are served from memory long before
 * it is released; that they were is shown by the cached token still being the old one.
 */
const HOLD_MS = 2_000;
/** Held for longer than a test may run: only shutdown can end it. */
const NEVER_MS = 600_000;
const CALLERS = 50;

/** What both platforms' harnesses share here. */
type AnyHarness = Harness | DouyinHarness;

function expiresAt(h: AnyHarness, shop: string): Promise<number | undefined> {
  return h.tokens.getAuthorizer(shop).then((info) => info?.accessTokenExpiresAt);
}

async function renewedFrom(h: AnyHarness, shop: string, old: string): Promise<string> {
  let token = old;
  await eventually(async () => (token = await h.tokens.getAuthorizerAccessToken(shop)) !== old, `${shop} renewed`);
  return token;
}

/** Whether `promise` has settled once pending callbacks have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setImmediate(r));
  return done;
}

describe('WeChat: renewal behind a still-valid token', () => {
  let h: Harness;
  let seen: { events: OpenPlatformEvent[]; stop(): void };
  let shops = 0;

  async function onboard(): Promise<{ shop: string; first: string }> {
    const shop = `wx_pf_shop_${++shops}`;
    await h.fake.authorize({ componentAppId: A, authorizerAppId: shop });
    await h.fake.settle();
    return { shop, first: await h.tokens.getAuthorizerAccessToken(shop) };
  }

  beforeAll(async () => {
    h = await startHarness({ singleComponent: true, options: { retry: TEST_RETRY } });
    h.fake.authorizerTokenExpiresIn = LIFETIME_S;
    await h.fake.pushTicket(h.eventsUrl(), A);
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.fake.clearFaults();
    seen = collectEvents(h.app);
  });
  afterEach(() => seen.stop());

  it(`serves a due token to ${CALLERS} callers while its one renewal is held upstream; then the new token`, async () => {
    const { shop, first } = await onboard();
    const before = h.fake.calls('api_authorizer_token');
    const expiry = await expiresAt(h, shop);
    h.clock.advance(INTO_MARGIN_MS);
    h.fake.delayNext('api_authorizer_token', HOLD_MS);
    const tokens = await Promise.all(Array.from({ length: CALLERS }, () => h.tokens.getAuthorizerAccessToken(shop)));
    expect(new Set(tokens)).toEqual(new Set([first]));
    expect(await expiresAt(h, shop)).toBe(expiry); // the renewal's answer is still held
    const second = await renewedFrom(h, shop, first);
    expect(h.fake.isAuthorizerTokenValid(second)).toBe(true);
    expect(h.fake.calls('api_authorizer_token')).toBe(before + 1);
  });

  it('a failing renewal is retried after the backoff, not on every call', async () => {
    const { shop, first } = await onboard();
    h.clock.advance(INTO_MARGIN_MS);
    h.fake.failNext('api_authorizer_token', { errcode: -1, times: ATTEMPTS }); // "system busy", transient
    for (let i = 0; i < 20; i++) expect(await h.tokens.getAuthorizerAccessToken(shop)).toBe(first);
    await eventually(
      () => seen.events.some((e) => e.type === 'token.refresh_failed' && e.authorizerAppId === shop),
      'the failed background renewal',
    );
    const attempts = h.fake.calls('api_authorizer_token');
    for (let i = 0; i < 20; i++) expect(await h.tokens.getAuthorizerAccessToken(shop)).toBe(first);
    // A renewal started by those calls would have reached the emulator by now (this can only miss one).
    await new Promise((r) => setTimeout(r, 50));
    expect(h.fake.calls('api_authorizer_token')).toBe(attempts);
    h.clock.advance(1_000); // the first pause
    await renewedFrom(h, shop, first);
    expect(h.fake.calls('api_authorizer_token')).toBe(attempts + 1);
  });

  it('an expired token makes callers wait for the renewal, one for all', async () => {
    const { shop, first } = await onboard();
    const before = h.fake.calls('api_authorizer_token');
    h.clock.advance(LIFETIME_S * 1000);
    h.fake.delayNext('api_authorizer_token', HOLD_MS);
    const waiting = Promise.all(Array.from({ length: CALLERS }, () => h.tokens.getAuthorizerAccessToken(shop)));
    await eventually(() => h.fake.calls('api_authorizer_token') === before + 1, 'the renewal reaching the emulator');
    expect(await settled(waiting)).toBe(false); // held upstream, and so are the callers
    const tokens = await waiting;
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(first);
    expect(h.fake.calls('api_authorizer_token')).toBe(before + 1);
  });

  it('an API that keeps answering 40014: 100 calls renew the token once, each fails with the code', async () => {
    const { shop } = await onboard();
    h.fake.route('GET', '/cgi-bin/pf/always-40014', () => ({
      body: { errcode: 40014, errmsg: 'invalid access_token' },
    }));
    const http = h.app.get(OpenPlatformHttpService);
    const call = () => firstValueFrom(http.get(`${h.fake.baseUrl}/cgi-bin/pf/always-40014`, { authorizerAppId: shop }));
    const before = h.fake.calls('api_authorizer_token');
    const errors = [
      ...(await Promise.all(Array.from({ length: 50 }, () => rejection(call())))),
      ...(await sequentially(50, () => rejection(call()))),
    ];
    for (const err of errors) {
      expect(err).toBeInstanceOf(OpenPlatformError);
      expect(err).toMatchObject({ platform: 'wechat', code: 40014 });
    }
    expect(h.fake.calls('api_authorizer_token')).toBe(before + 1);
    const current = await h.tokens.getAuthorizerAccessToken(shop);
    for (const err of errors) expect(`${err.message} ${JSON.stringify(err)}`).not.toContain(current);
  });
});

describe('Douyin V2: renewal behind a still-valid token', () => {
  let h: DouyinHarness;
  let shops = 0;

  async function onboard(): Promise<{ shop: string; first: string }> {
    const shop = `tt_pf_shop_${++shops}`;
    await h.fake.authorize({ componentAppId: TT, authorizerAppId: shop });
    await h.fake.settle();
    return { shop, first: await h.tokens.getAuthorizerAccessToken(shop) };
  }

  beforeAll(async () => {
    h = await startDouyinHarness('v2', { fake: { authorizerTokenExpiresIn: LIFETIME_S } });
    await h.fake.pushTicket(h.eventsUrl, TT);
  });
  afterAll(() => h.close());
  afterEach(() => expect(h.fake.refreshTokenReuses()).toBe(0));

  it(`serves a due token to ${CALLERS} callers while its one refresh is held upstream; then the new token`, async () => {
    const { shop, first } = await onboard();
    const before = h.fake.calls('auth_token');
    const expiry = await expiresAt(h, shop);
    h.clock.advance(INTO_MARGIN_MS);
    h.fake.delayNext('auth_token', HOLD_MS);
    const tokens = await Promise.all(Array.from({ length: CALLERS }, () => h.tokens.getAuthorizerAccessToken(shop)));
    expect(new Set(tokens)).toEqual(new Set([first]));
    expect(await expiresAt(h, shop)).toBe(expiry);
    await renewedFrom(h, shop, first);
    expect(h.fake.calls('auth_token')).toBe(before + 1);
  });

  it('a failing refresh is retried after the backoff, not on every call', async () => {
    const { shop, first } = await onboard();
    h.clock.advance(INTO_MARGIN_MS);
    h.fake.failNext('auth_token', { code: -1, times: ATTEMPTS }); // "system busy", transient
    const failed = collectEvents(h.app);
    try {
      for (let i = 0; i < 20; i++) expect(await h.tokens.getAuthorizerAccessToken(shop)).toBe(first);
      await eventually(
        () => failed.events.some((e) => e.type === 'token.refresh_failed' && e.authorizerAppId === shop),
        'the failed background refresh',
      );
    } finally {
      failed.stop();
    }
    const attempts = h.fake.calls('auth_token');
    for (let i = 0; i < 20; i++) expect(await h.tokens.getAuthorizerAccessToken(shop)).toBe(first);
    // A refresh started by those calls would have reached the emulator by now (this can only miss one).
    await new Promise((r) => setTimeout(r, 50));
    expect(h.fake.calls('auth_token')).toBe(attempts);
    h.clock.advance(1_000); // the first pause
    await renewedFrom(h, shop, first);
    expect(h.fake.calls('auth_token')).toBe(attempts + 1);
  });

  it('an API that keeps answering 28001003: 100 calls refresh once, spend no refresh token twice, each fails with the code', async () => {
    const { shop } = await onboard();
    const path = '/api/apps/v2/pf/always-28001003/';
    h.fake.route('POST', path, () => ({ body: { err_no: 28001003, err_msg: 'access_token invalid', data: {} } }));
    const http = h.app.get(OpenPlatformHttpService);
    const call = () => firstValueFrom(http.post(`${h.fake.baseUrl}${path}`, {}, { authorizerAppId: shop }));
    const before = h.fake.calls('auth_token');
    const errors = [
      ...(await Promise.all(Array.from({ length: 50 }, () => rejection(call())))),
      ...(await sequentially(50, () => rejection(call()))),
    ];
    for (const err of errors) expect(err).toMatchObject({ platform: 'douyin', code: 28001003 });
    expect(h.fake.calls('auth_token')).toBe(before + 1);
    expect(h.fake.refreshTokenReuses()).toBe(0);
  });
});

describe('shutdown during a background renewal', () => {
  it('app.close() ends a renewal the platform is holding, and nothing is renewed after it', async () => {
    const h = await startHarness({ singleComponent: true, options: { retry: TEST_RETRY } });
    const seen = collectEvents(h.app);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      h.fake.authorizerTokenExpiresIn = LIFETIME_S;
      await h.fake.pushTicket(h.eventsUrl(), A);
      await h.fake.authorize({ componentAppId: A, authorizerAppId: 'wx_pf_closing' });
      await h.fake.settle();
      const first = await h.tokens.getAuthorizerAccessToken('wx_pf_closing');
      const before = h.fake.calls('api_authorizer_token');
      h.clock.advance(INTO_MARGIN_MS);
      h.fake.delayNext('api_authorizer_token', NEVER_MS);
      expect(await h.tokens.getAuthorizerAccessToken('wx_pf_closing')).toBe(first);
      await eventually(() => h.fake.calls('api_authorizer_token') === before + 1, 'the renewal held upstream');
      await h.app.close(); // would wait NEVER_MS (past the test's timeout) if the renewal were awaited as it is
      await new Promise((r) => setImmediate(r));
      expect(seen.events.filter((e) => e.type === 'token.refreshed' && e.authorizerAppId === 'wx_pf_closing')).toEqual(
        [],
      );
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      seen.stop();
      await h.fake.stop();
    }
  });
});

describe('fleet mode (Redis): another process holds the renewal lock', () => {
  let redis: RedisClientType;
  beforeAll(async () => {
    redis = await rawClient();
  });
  afterAll(() => redis.quit());

  async function fleetApp(): Promise<{ h: Harness; shop: string; first: string; lockKey: string }> {
    const keyPrefix = uniquePrefix('partial-failure');
    const h = await startHarness({
      singleComponent: true,
      options: { retry: TEST_RETRY, redis: { url: REDIS_URL, keyPrefix } },
    });
    h.fake.authorizerTokenExpiresIn = LIFETIME_S;
    await h.fake.pushTicket(h.eventsUrl(), A);
    const shop = 'wx_pf_fleet_shop';
    await h.fake.authorize({ componentAppId: A, authorizerAppId: shop });
    await h.fake.settle();
    const first = await h.tokens.getAuthorizerAccessToken(shop);
    return { h, shop, first, lockKey: `${keyPrefix}:${StoreKeys.authorizerToken('wechat', A, shop)}:lock` };
  }

  it('a still-valid token is served, not LOCK_TIMEOUT; renewed once the lock is free', async () => {
    const { h, shop, first, lockKey } = await fleetApp();
    try {
      const before = h.fake.calls('api_authorizer_token');
      h.clock.advance(INTO_MARGIN_MS);
      // Held the way RedisLockService holds it, by a "process" that is slow to finish.
      expect(await redis.set(lockKey, 'another-process', { PX: 60_000, NX: true })).toBe('OK');
      const tokens = await Promise.all(Array.from({ length: CALLERS }, () => h.tokens.getAuthorizerAccessToken(shop)));
      expect(new Set(tokens)).toEqual(new Set([first]));
      expect(h.fake.calls('api_authorizer_token')).toBe(before); // the renewal waits for the lock
      await redis.del(lockKey);
      await renewedFrom(h, shop, first);
      expect(h.fake.calls('api_authorizer_token')).toBe(before + 1);
    } finally {
      await redis.del(lockKey);
      await h.close();
    }
  });

  it('app.close() ends a background renewal waiting for the lock at once, leaving the lock to its holder', async () => {
    const { h, shop, first, lockKey } = await fleetApp();
    try {
      const before = h.fake.calls('api_authorizer_token');
      h.clock.advance(INTO_MARGIN_MS);
      await redis.set(lockKey, 'another-process', { PX: 60_000, NX: true });
      expect(await h.tokens.getAuthorizerAccessToken(shop)).toBe(first);
      await h.app.close(); // the lock is held for 60 s: the renewal must stop waiting, not time out
      expect(await redis.get(lockKey)).toBe('another-process');
      expect(h.fake.calls('api_authorizer_token')).toBe(before);
    } finally {
      await redis.del(lockKey);
      await h.fake.stop();
    }
  });
});

/** Runs `count` calls one after the other. */
async function sequentially<T>(count: number, call: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < count; i++) results.push(await call());
  return results;
}
