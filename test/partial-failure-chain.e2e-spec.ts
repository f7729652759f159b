import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import type { RedisClientType } from '@keyv/redis';
import { createCache } from 'cache-manager';
import {
  DurableStore,
  MemoryDurableStore,
  OpenPlatformErrorCode,
  TokenCache,
  type OpenPlatformEvent,
} from '../lib/index.js';
import { deleteUnder, rawClient, uniquePrefix } from '../lib/store/redis/spec-helpers.js';
import { StoreKeys } from '../lib/store/store-keys.js';
import { CacheManagerTokenCache } from '../lib/store/token-cache.js';
import { FakeDouyinPlatform } from '../lib/testing/index.js';
import { DOUYIN_COMPONENT, startDouyinHarness, type DouyinHarness } from './support/douyin-harness.js';
import { collectEvents } from './support/fault-kit.js';
import { COMPONENT_A } from './support/fixtures.js';
import { startHarness, type Harness } from './support/harness.js';
import { ManualClock } from './support/manual-clock.js';
import { rejection } from './support/rejection.js';

// A merchant is never lost, and a token that should be gone is gone: the sequences of issue #16
// (items 5-12) against the Douyin emulator over loopback, with real Redis where the sequence
// involves the fleet. Faults are the emulator's (lost and held answers, error codes) and, where the
// sequence is a store failing, an app-supplied store that refuses writes on command. Douyin refresh
// tokens are single use: the emulator counts every spent one presented again, and it stays 0.

const TT = DOUYIN_COMPONENT.appId;
const recordKey = (appId: string) => StoreKeys.authorizer('douyin', TT, appId);
const tokenKey = (appId: string) => StoreKeys.authorizerToken('douyin', TT, appId);

/** The app's durable store, refusing every write while `refusing` (a full disk, a failover). */
class RefusingStore extends MemoryDurableStore {
  refusing = false;
  override async set<T>(key: string, value: T): Promise<void> {
    if (this.refusing) throw Object.assign(new Error('write refused'), { code: 'ENOSPC' });
    await super.set(key, value);
  }
}

/** The app's token cache, failing the next `failDeletes` deletes (the cache unreachable for a moment). */
class FailingDeleteCache extends TokenCache {
  failDeletes = 0;
  private readonly inner = new CacheManagerTokenCache(createCache());
  override peek<T>(key: string): T | undefined {
    return this.inner.peek<T>(key);
  }
  get<T>(key: string): Promise<T | undefined> {
    return this.inner.get<T>(key);
  }
  set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    return this.inner.set(key, value, ttlMs);
  }
  async delete(key: string): Promise<void> {
    if (this.failDeletes > 0 && this.failDeletes--)
      throw Object.assign(new Error('cache unreachable'), { code: 'ECONNRESET' });
    await this.inner.delete(key);
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('partial failures of the authorization chain (Douyin V2)', () => {
  let h: DouyinHarness;
  let durable: RefusingStore;
  let cache: FailingDeleteCache;
  let seen: { events: OpenPlatformEvent[]; stop(): void };
  let merchants = 0;
  const newMerchant = async () => {
    const appId = `tt_pf_${++merchants}`;
    await h.fake.authorize({ componentAppId: TT, authorizerAppId: appId });
    await h.fake.settle();
    expect(await h.tokens.getAuthorizer(appId)).toMatchObject({ status: 'active' });
    return appId;
  };
  const stored = async (appId: string) => durable.get<{ status: string; refreshToken?: string }>(recordKey(appId));
  const platformRefreshToken = (appId: string) => h.fake.authorizerState(TT, appId)?.refreshToken;

  beforeAll(async () => {
    durable = new RefusingStore();
    cache = new FailingDeleteCache();
    // Answers are held by the tests while they act: the timeout must outlast that.
    h = await startDouyinHarness('v2', { options: { httpTimeoutMs: 10_000, storage: { durable, cache } } });
    await h.fake.pushTicket(h.eventsUrl, TT);
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.fake.clearFaults();
    h.fake.resetCalls();
    durable.refusing = false;
    seen = collectEvents(h.app);
  });
  afterEach(async () => {
    seen.stop();
    await h.fake.settle();
    expect(h.fake.refreshTokenReuses()).toBe(0);
  });

  describe('5: an authorizer the platform lists but the store has no record of is restored', () => {
    it('after a first exchange whose answer was lost (single use, never sent again)', async () => {
      const appId = `tt_pf_lost_first`;
      const { authorizationCode } = await h.fake.authorize({ componentAppId: TT, authorizerAppId: appId, push: false });
      h.fake.loseResponseNext('auth_token');
      expect((await rejection(h.tokens.exchangeAuthorizationCode(authorizationCode))).code).toBe('TRANSPORT');
      expect(await h.tokens.getAuthorizer(appId)).toBeUndefined();

      const token = await h.tokens.getAuthorizerAccessToken(appId);
      expect(h.fake.isAuthorizerTokenValid(token)).toBe(true);
      expect(await stored(appId)).toMatchObject({ status: 'active', refreshToken: platformRefreshToken(appId) });
      expect(seen.events.map((e) => e.type)).toContain('authorizer.restored');
      expect(h.fake.calls('retrieve_auth_code')).toBe(1);
      await h.fake.settle(); // the retrieval notice of the same code: not exchanged again
      const walks = h.fake.calls('auth_app_list');
      expect(await h.tokens.getAuthorizerAccessToken(appId)).toBe(token);
      expect(h.fake.calls('auth_app_list')).toBe(walks);
      expect(h.fake.calls('auth_token')).toBe(2); // the lost exchange and the restoring one
    });

    it('after the store lost the record (an ephemeral Redis restarted)', async () => {
      const appId = await newMerchant();
      await durable.delete(recordKey(appId));
      await h.app.get(TokenCache).delete(tokenKey(appId));
      const token = await h.tokens.getAuthorizerAccessToken(appId);
      expect(h.fake.isAuthorizerTokenValid(token)).toBe(true);
      expect(await stored(appId)).toMatchObject({ status: 'active', refreshToken: platformRefreshToken(appId) });
    });

    it('an appid the platform does not list stays unknown, at the cost of one list walk', async () => {
      for (let i = 0; i < 20; i++)
        expect((await rejection(h.tokens.getAuthorizerAccessToken('tt_pf_never'))).code).toBe(
          OpenPlatformErrorCode.AUTHORIZER_NOT_FOUND,
        );
      expect(h.fake.calls('auth_app_list')).toBe(1);
      expect(h.fake.calls('retrieve_auth_code')).toBe(0);
    });
  });

  describe('6: a repair that fails without "not authorized" keeps the chain', () => {
    it.each([
      ['an unknown errno', (f: FakeDouyinPlatform) => f.failNext('retrieve_auth_code', { code: 12345 })],
      ['a gateway 4xx', (f: FakeDouyinPlatform) => f.statusNext('retrieve_auth_code', 403)],
      ['a component-level error', (f: FakeDouyinPlatform) => f.failNext('retrieve_auth_code', { code: 40003 })],
      ['the retrieved code refused (40018)', (f: FakeDouyinPlatform) => f.failNext('auth_token', { code: 40018 })],
    ])('%s: retryable, still active, repaired at the next renewal', async (_what, fault) => {
      const appId = await newMerchant();
      h.fake.failNext('auth_token', { code: 40021 }); // the chain is broken: a repair starts
      fault(h.fake);
      const err = await rejection(h.tokens.getAuthorizerAccessToken(appId, { forceRefresh: true }));
      expect(err.retryable).toBe(true);
      expect(await stored(appId)).toMatchObject({ status: 'active' });
      await h.fake.settle(); // a retrieved code is also pushed (and then exchanged by the push)
      const token = await h.tokens.getAuthorizerAccessToken(appId, { forceRefresh: true });
      expect(h.fake.isAuthorizerTokenValid(token)).toBe(true);
      expect(await stored(appId)).toMatchObject({ status: 'active', refreshToken: platformRefreshToken(appId) });
      expect(seen.events.map((e) => e.type)).not.toContain('reauthorization_required');
    });
  });

  describe('12: "not authorized" answers end the authorization (its unauthorized push was missed)', () => {
    it.each([40022, 20040022, 40004])('a refresh answered %p: revoked with its event, token dropped', async (code) => {
      const appId = await newMerchant();
      h.fake.failNext('auth_token', { code });
      expect((await rejection(h.tokens.getAuthorizerAccessToken(appId, { forceRefresh: true }))).code).toBe(
        OpenPlatformErrorCode.AUTHORIZER_REVOKED,
      );
      expect(await stored(appId)).toMatchObject({ status: 'revoked' });
      expect((await stored(appId))?.refreshToken).toBeUndefined();
      expect(seen.events.filter((e) => e.type === 'unauthorized')).toHaveLength(1);
      // Not retried: the next lookup fails from the record, without a platform call.
      const calls = h.fake.calls('auth_token');
      expect((await rejection(h.tokens.getAuthorizerAccessToken(appId))).code).toBe(
        OpenPlatformErrorCode.AUTHORIZER_REVOKED,
      );
      expect(h.fake.calls('auth_token')).toBe(calls);
    });
  });

  it('7: a re-authorization that lands while a refresh waits for its answer is never overwritten', async () => {
    const appId = await newMerchant();
    const held = h.fake.holdAnswerNext('auth_token');
    const refresh = h.tokens.getAuthorizerAccessToken(appId, { forceRefresh: true });
    await held.processed; // rotated at the platform; the app does not know yet
    await h.fake.authorize({ componentAppId: TT, authorizerAppId: appId }); // a new pair kills the rotated one
    await h.fake.settle();
    held.release();
    const token = await refresh;
    expect(h.fake.isAuthorizerTokenValid(token)).toBe(true);
    expect((await stored(appId))?.refreshToken).toBe(platformRefreshToken(appId));
    const again = await h.tokens.getAuthorizerAccessToken(appId, { forceRefresh: true });
    expect(h.fake.isAuthorizerTokenValid(again)).toBe(true);
    expect(h.fake.calls('retrieve_auth_code')).toBe(0);
  });

  describe('9, 10: the store refuses the new chain after the platform issued it', () => {
    it.each([
      ['a refresh', () => undefined, 0],
      ['a chain repair (a reissued code)', (f: FakeDouyinPlatform) => f.failNext('auth_token', { code: 40021 }), 1],
    ])('%s: the new token is served, held and written once the store is back', async (_what, before, retrieves) => {
      const appId = await newMerchant();
      const old = (await h.app.get(TokenCache).get<{ accessToken: string }>(tokenKey(appId)))!.accessToken;
      before(h.fake);
      const held = h.fake.holdAnswerNext('auth_token');
      const refresh = h.tokens.getAuthorizerAccessToken(appId, { forceRefresh: true });
      await held.processed; // the platform rotated the chain: the old tokens are dead
      durable.refusing = true;
      held.release();
      const token = await refresh;
      expect(h.fake.isAuthorizerTokenValid(token)).toBe(true);
      expect(h.fake.isAuthorizerTokenValid(old)).toBe(false);
      expect(await h.tokens.getAuthorizerAccessToken(appId)).toBe(token); // never the invalidated one
      expect(seen.events.map((e) => e.type)).toContain('store.write_failed');
      expect((await stored(appId))?.refreshToken).not.toBe(platformRefreshToken(appId));

      durable.refusing = false;
      await waitFor('the held refresh token to be written', async () => {
        return (await stored(appId))?.refreshToken === platformRefreshToken(appId);
      });
      const next = await h.tokens.getAuthorizerAccessToken(appId, { forceRefresh: true });
      expect(h.fake.isAuthorizerTokenValid(next)).toBe(true);
      expect(h.fake.calls('retrieve_auth_code')).toBe(retrieves);
    });

    it('a refresh while the grant is still held presents the held refresh token, not the spent stored one', async () => {
      const appId = await newMerchant();
      const held = h.fake.holdAnswerNext('auth_token');
      const refresh = h.tokens.getAuthorizerAccessToken(appId, { forceRefresh: true });
      await held.processed;
      durable.refusing = true;
      held.release();
      await refresh;
      durable.refusing = false; // back before the background retry: the next refresh writes it
      const next = await h.tokens.getAuthorizerAccessToken(appId, { forceRefresh: true });
      expect(h.fake.isAuthorizerTokenValid(next)).toBe(true);
      expect((await stored(appId))?.refreshToken).toBe(platformRefreshToken(appId));
      expect(h.fake.calls('retrieve_auth_code')).toBe(0);
    });
  });

  it('11: a revocation whose token drop failed is finished by the platform repeating the push', async () => {
    const appId = await newMerchant();
    expect(h.fake.isAuthorizerTokenValid(await h.tokens.getAuthorizerAccessToken(appId))).toBe(true);
    cache.failDeletes = 1;
    const first = await h.fake.revoke(TT, appId);
    expect(first.pushed?.status).not.toBe(200); // not acknowledged: the platform sends it again
    expect(await stored(appId)).toMatchObject({ status: 'revoked' });
    // The platform's retry: the same event (same EventTime), a new delivery.
    const retry = await h.fake.pushAuthorizationEvent(h.eventsUrl, TT, {
      event: 'UNAUTHORIZED',
      authorizerAppId: appId,
    });
    expect(retry.status).toBe(200);
    expect((await rejection(h.tokens.getAuthorizerAccessToken(appId))).code).toBe(
      OpenPlatformErrorCode.AUTHORIZER_REVOKED,
    );
    expect(seen.events.filter((e) => e.type === 'unauthorized')).toHaveLength(1);
  });
});

describe('7 in a fleet: a refresh holder whose lease ran out (Redis blip), real Redis', () => {
  const prefix = uniquePrefix('pf-lease');
  const clock = new ManualClock();
  const fake = new FakeDouyinPlatform({ apiVersion: 'v2', components: [DOUYIN_COMPONENT], now: () => clock.now() });
  let a: DouyinHarness;
  let b: DouyinHarness;
  let raw: RedisClientType;
  const SHOP = 'tt_pf_fleet';
  const redis = { url: 'redis://127.0.0.1:6379', keyPrefix: prefix, lockLeaseMs: 1000 };

  beforeAll(async () => {
    raw = await rawClient();
    await fake.start();
    const options = { httpTimeoutMs: 10_000, redis, refresh: { enabled: false as const } };
    a = await startDouyinHarness('v2', { options, shared: { fake, clock } });
    b = await startDouyinHarness('v2', { options, shared: { fake, clock } });
    fake.setEventsUrl(TT, a.eventsUrl);
    await fake.pushTicket(a.eventsUrl, TT);
    await fake.authorize({ componentAppId: TT, authorizerAppId: SHOP });
    await fake.settle();
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await fake.stop();
    await deleteUnder(raw, prefix);
    raw.destroy();
  });

  it('a second process does not present (or repair) while the first may still get its answer; the answer is kept', async () => {
    fake.resetCalls();
    const held = fake.holdAnswerNext('auth_token');
    const first = a.tokens.getAuthorizerAccessToken(SHOP, { forceRefresh: true });
    await held.processed;
    // The lease is gone, as after a Redis blip longer than it: process B can take the lock.
    await raw.del(`${prefix}:${tokenKey(SHOP)}:lock`);
    const second = b.tokens.getAuthorizerAccessToken(SHOP, { forceRefresh: true });
    let secondDone = false;
    void second.finally(() => (secondDone = true)).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 400)); // B has the lock by now and finds A's mark
    expect(secondDone).toBe(false); // B waits for A's outcome: it neither presents nor repairs
    expect(fake.calls('auth_token')).toBe(1);
    expect(fake.calls('retrieve_auth_code')).toBe(0);
    held.release();
    const token = await first;
    expect(fake.isAuthorizerTokenValid(token)).toBe(true);
    expect(await second).toBe(token); // A's outcome, served to B
    const record = await a.app.get(DurableStore).get<{ refreshToken?: string }>(recordKey(SHOP));
    expect(record?.refreshToken).toBe(fake.authorizerState(TT, SHOP)?.refreshToken);
    expect(fake.calls('retrieve_auth_code')).toBe(0);
    expect(fake.refreshTokenReuses()).toBe(0);
    // B works from the stored chain once the first holder is done.
    expect(fake.isAuthorizerTokenValid(await b.tokens.getAuthorizerAccessToken(SHOP, { forceRefresh: true }))).toBe(
      true,
    );
  });

  it("an attempt mark counts as its holder's until mark.at + lease + the longest call; after that it is repaired", async () => {
    fake.resetCalls();
    const store = a.app.get(DurableStore);
    const record = (await store.get<{ refreshToken: string }>(recordKey(SHOP)))!;
    // What a holder leaves in the record when it presents the token (and, here, then vanishes).
    const fingerprint = createHash('sha256').update(record.refreshToken).digest('hex').slice(0, 16);
    // Left 1 s short of lease (1 s) + the longest call (3 × 10 s + TEST_RETRY's backoff caps, 6 ms).
    await store.set(recordKey(SHOP), { ...record, refreshAttempt: { at: clock.now() - 30_006, fingerprint } });
    const pending = b.tokens.getAuthorizerAccessToken(SHOP, { forceRefresh: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.calls('retrieve_auth_code') + fake.calls('auth_token')).toBe(0); // still the holder's
    const token = await pending;
    expect(fake.isAuthorizerTokenValid(token)).toBe(true);
    expect(fake.calls('retrieve_auth_code')).toBe(1);
    expect(fake.calls('auth_token')).toBe(1); // the exchange: the possibly spent token was not presented
    expect(fake.refreshTokenReuses()).toBe(0);
  });
});

describe('partial failures of the authorization chain (WeChat)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ singleComponent: true });
    await h.fake.pushTicket(h.eventsUrl(), COMPONENT_A.appId);
  });
  afterAll(() => h.close());

  it('12: a refresh answered 61003 (the unauthorized push was missed): revoked with its event', async () => {
    const appId = 'wx_pf_61003';
    await h.fake.authorize({ componentAppId: COMPONENT_A.appId, authorizerAppId: appId });
    await h.fake.settle();
    const seen = collectEvents(h.app);
    h.fake.failNext('api_authorizer_token', { errcode: 61003 });
    expect((await rejection(h.tokens.getAuthorizerAccessToken(appId, { forceRefresh: true }))).code).toBe(
      OpenPlatformErrorCode.AUTHORIZER_REVOKED,
    );
    expect(await h.tokens.getAuthorizer(appId)).toMatchObject({ status: 'revoked' });
    expect(seen.events.filter((e) => e.type === 'unauthorized')).toHaveLength(1);
    seen.stop();
  });

  it('5: an appid the list holds without a refresh token is remembered: lookups do not walk the list again', async () => {
    const appId = 'wx_pf_unrepairable';
    await h.fake.authorize({ componentAppId: COMPONENT_A.appId, authorizerAppId: appId, push: false });
    h.fake.hideRefreshTokenInList(COMPONENT_A.appId, appId);
    h.fake.resetCalls();
    for (let i = 0; i < 10; i++)
      expect((await rejection(h.tokens.getAuthorizerAccessToken(appId))).code).toBe(
        OpenPlatformErrorCode.AUTHORIZER_NOT_FOUND,
      );
    expect(h.fake.calls('api_get_authorizer_list')).toBe(1);
  });
});
