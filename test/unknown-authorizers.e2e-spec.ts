import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, Module, Param } from '@nestjs/common';
import { firstValueFrom } from 'rxjs';
import { DurableStore, OpenPlatformErrorCode, OpenPlatformEvents, OpenPlatformHttpService } from '../lib/index.js';
import { StoreKeys } from '../lib/store/store-keys.js';
import { merchantAuthorizes } from './support/authorize-flow.js';
import { CapturingLogger } from './support/capturing-logger.js';
import { ATTEMPTS, COMPONENT_A, COMPONENT_B } from './support/fixtures.js';
import { startHarness, type Harness, type HarnessOptions } from './support/harness.js';
import { rejection } from './support/rejection.js';
import { ShopApi, type Basic } from './support/shop-api.js';

// A route keyed by a user-supplied appid must not turn into one platform list walk per request.

const A = COMPONENT_A.appId;
const B = COMPONENT_B.appId;
const M1 = 'wx_merchant_1';
const DEFAULT_TTL_MS = 60_000;

@Controller('shops')
class ShopController {
  constructor(private readonly shops: ShopApi) {}

  @Get(':appId/basic')
  basic(@Param('appId') appId: string): Promise<Basic> {
    return this.shops.basic(appId, process.env.UNKNOWN_AUTHORIZERS_FAKE_URL!);
  }
}

@Module({ controllers: [ShopController], providers: [ShopApi] })
class ShopModule {}

async function business(h: Harness, token: string): Promise<Basic> {
  const res = await fetch(
    `${h.fake.baseUrl}/cgi-bin/account/getaccountbasicinfo?access_token=${encodeURIComponent(token)}`,
  );
  return (await res.json()) as Basic;
}

const lists = (h: Harness) => h.fake.calls('api_get_authorizer_list');
const strangers = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `wx_${tag}_${i}`);

async function start(options: HarnessOptions['options'] = {}): Promise<Harness> {
  const h = await startHarness({
    singleComponent: true,
    options: { isGlobal: true, ...options },
    imports: [ShopModule],
  });
  process.env.UNKNOWN_AUTHORIZERS_FAKE_URL = h.fake.baseUrl;
  await h.fake.pushTicket(h.eventsUrl(), A);
  await merchantAuthorizes(h, M1); // the list is not empty
  await h.fake.settle();
  h.fake.resetCalls();
  return h;
}

describe('lookups of unknown authorizers do not burn platform quota (e2e over loopback HTTP)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await start();
  });
  afterEach(async () => {
    h.fake.clearFaults();
    await h.fake.settle();
    await h.close();
  });

  it('40 concurrent lookups of unknown appids (token, request config, @AsAuthorizer route) → at most 3 list walks, all AUTHORIZER_NOT_FOUND', async () => {
    const http = h.app.get(OpenPlatformHttpService);
    const ids = strangers(40, 'burst');
    h.fake.delayNext('api_get_authorizer_list', 100); // the first walk is still running when the others arrive
    const results = await Promise.all(
      ids.map((id, i) =>
        i % 4 === 0
          ? fetch(`${h.url}/shops/${id}/basic`).then((r) => r.status)
          : rejection(
              i % 4 === 1
                ? firstValueFrom(
                    http.get(`${h.fake.baseUrl}/cgi-bin/account/getaccountbasicinfo`, { authorizerAppId: id }),
                  )
                : h.tokens.getAuthorizerAccessToken(id),
            ).then((e) => e.code),
      ),
    );
    ids.forEach((_, i) => {
      if (i % 4 === 0) expect(results[i]).not.toBe(200);
      else expect(results[i]).toBe(OpenPlatformErrorCode.AUTHORIZER_NOT_FOUND);
    });
    expect(lists(h)).toBeGreaterThanOrEqual(1);
    expect(lists(h)).toBeLessThanOrEqual(3);
    expect(h.fake.calls('getaccountbasicinfo')).toBe(0);
    expect(h.fake.calls('api_authorizer_token')).toBe(0);
  });

  it('40 sequential lookups of unknown appids → one list walk; the known authorizer still works', async () => {
    for (const id of strangers(40, 'seq')) {
      expect((await rejection(h.tokens.getAuthorizerAccessToken(id))).code).toBe(
        OpenPlatformErrorCode.AUTHORIZER_NOT_FOUND,
      );
    }
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${h.url}/shops/wx_seq_route_${i}/basic`);
      expect(res.status).not.toBe(200);
    }
    expect(lists(h)).toBe(1);
    expect(await business(h, await h.tokens.getAuthorizerAccessToken(M1))).toMatchObject({ errcode: 0, appid: M1 });
    expect(lists(h)).toBe(1);
  });

  it('after the TTL, a lookup walks the list again and finds an authorizer the platform now lists', async () => {
    const LATE = 'wx_late';
    expect((await rejection(h.tokens.getAuthorizerAccessToken(LATE))).code).toBe(
      OpenPlatformErrorCode.AUTHORIZER_NOT_FOUND,
    );
    // The merchant authorizes, but neither the redirect nor the push reaches this app.
    await h.fake.authorize({ componentAppId: A, authorizerAppId: LATE, push: false });
    h.clock.advance(DEFAULT_TTL_MS - 1);
    expect((await rejection(h.tokens.getAuthorizerAccessToken(LATE))).code).toBe(
      OpenPlatformErrorCode.AUTHORIZER_NOT_FOUND,
    );
    expect(lists(h)).toBe(1);
    h.clock.advance(1);
    const token = await h.tokens.getAuthorizerAccessToken(LATE);
    expect(await business(h, token)).toMatchObject({ errcode: 0, appid: LATE });
    expect(lists(h)).toBe(2);
    expect(await h.tokens.getAuthorizer(LATE)).toMatchObject({ status: 'active' });
  });

  it('a failed walk rejects its callers with the upstream error and is not remembered as a miss', async () => {
    h.fake.failNext('api_get_authorizer_list', { errcode: -1, times: ATTEMPTS });
    h.fake.delayNext('api_get_authorizer_list', 50);
    const failed = await Promise.all(
      strangers(5, 'fail').map((id) => rejection(h.tokens.getAuthorizerAccessToken(id))),
    );
    for (const err of failed) expect(err).toMatchObject({ platform: 'wechat', code: -1, retryable: true });
    const afterFailure = lists(h);
    expect(afterFailure).toBeLessThanOrEqual(2 * ATTEMPTS); // at most two walks, each sent up to ATTEMPTS times
    expect((await rejection(h.tokens.getAuthorizerAccessToken('wx_fail_0'))).code).toBe(
      OpenPlatformErrorCode.AUTHORIZER_NOT_FOUND,
    );
    expect(lists(h)).toBe(afterFailure + 1);
  });

  describe('the memo never hides a real authorization', () => {
    const NEW = 'wx_newcomer';
    beforeEach(async () => {
      expect((await rejection(h.tokens.getAuthorizerAccessToken(NEW))).code).toBe(
        OpenPlatformErrorCode.AUTHORIZER_NOT_FOUND,
      );
      expect(lists(h)).toBe(1);
    });

    it('remembered miss, then the merchant authorizes (redirect and push) → the token works at once', async () => {
      await merchantAuthorizes(h, NEW);
      await h.fake.settle();
      const token = await h.tokens.getAuthorizerAccessToken(NEW);
      expect(await business(h, token)).toMatchObject({ errcode: 0, appid: NEW });
      expect((await fetch(`${h.url}/shops/${NEW}/basic`).then((r) => r.json())) as Basic).toMatchObject({
        errcode: 0,
        appid: NEW,
      });
      expect(lists(h)).toBe(1);
    });

    it('remembered miss, then an authorization push only → the token works at once', async () => {
      const { pushed } = await h.fake.authorize({ componentAppId: A, authorizerAppId: NEW });
      expect(pushed?.body).toBe('success');
      expect(await business(h, await h.tokens.getAuthorizerAccessToken(NEW))).toMatchObject({ errcode: 0 });
      expect(lists(h)).toBe(1);
    });

    it('remembered miss, then syncAuthorizers() → the token works at once', async () => {
      await h.fake.authorize({ componentAppId: A, authorizerAppId: NEW, push: false });
      expect(await h.tokens.syncAuthorizers()).toEqual({ total: 2, restored: 1 });
      expect(await business(h, await h.tokens.getAuthorizerAccessToken(NEW))).toMatchObject({ errcode: 0, appid: NEW });
      expect(lists(h)).toBe(2);
    });

    it('remembered miss, authorization, then the record lost from the store → repaired from the list, not hidden', async () => {
      await h.fake.authorize({ componentAppId: A, authorizerAppId: NEW });
      await h.app.get(DurableStore).delete(StoreKeys.authorizer('wechat', A, NEW));
      const token = await h.tokens.getAuthorizerAccessToken(NEW, { forceRefresh: true });
      expect(await business(h, token)).toMatchObject({ errcode: 0, appid: NEW });
      expect(lists(h)).toBe(2);
    });
  });

  describe('lost records are still repaired, through one shared walk', () => {
    it('50 concurrent lookups of an authorizer in the list but missing from the store → one walk, 50 tokens', async () => {
      await h.app.get(DurableStore).delete(StoreKeys.authorizer('wechat', A, M1));
      h.clock.advance(2 * 3600_000 + 1000); // the cached token is expired too
      // A recent complete walk remembered the list: M1 is in it, so its lookups still walk.
      await rejection(h.tokens.getAuthorizerAccessToken('wx_primes_the_memo'));
      h.fake.resetCalls();
      h.fake.delayNext('api_get_authorizer_list', 50);
      const tokens = await Promise.all(Array.from({ length: 50 }, () => h.tokens.getAuthorizerAccessToken(M1)));
      expect(lists(h)).toBe(1);
      expect(new Set(tokens).size).toBe(1);
      expect(await business(h, tokens[0])).toMatchObject({ errcode: 0, appid: M1 });
      expect(await h.tokens.getAuthorizer(M1)).toMatchObject({ status: 'active' });
    });

    it('20 concurrent lookups of 20 different lost authorizers → at most 2 walks, every one restored', async () => {
      const lost = strangers(20, 'lost');
      for (const id of lost) await h.fake.authorize({ componentAppId: A, authorizerAppId: id, push: false });
      expect(await h.tokens.syncAuthorizers()).toEqual({ total: 21, restored: 20 });
      for (const id of lost) await h.app.get(DurableStore).delete(StoreKeys.authorizer('wechat', A, id));
      h.fake.resetCalls();
      h.fake.delayNext('api_get_authorizer_list', 50);
      const tokens = await Promise.all(lost.map((id) => h.tokens.getAuthorizerAccessToken(id)));
      expect(lists(h)).toBeLessThanOrEqual(2);
      for (const [i, token] of tokens.entries())
        expect(await business(h, token)).toMatchObject({ errcode: 0, appid: lost[i] });
    });

    it('a 61023 repair shares the walk with concurrent unknown lookups and still succeeds', async () => {
      h.fake.rotateRefreshToken(A, M1);
      h.clock.advance(2 * 3600_000 + 1000);
      h.fake.delayNext('api_get_authorizer_list', 50);
      const [token, ...misses] = await Promise.all([
        h.tokens.getAuthorizerAccessToken(M1),
        ...strangers(20, 'noise').map((id) => rejection(h.tokens.getAuthorizerAccessToken(id))),
      ]);
      expect(await business(h, token)).toMatchObject({ errcode: 0, appid: M1 });
      for (const err of misses) expect(err.code).toBe(OpenPlatformErrorCode.AUTHORIZER_NOT_FOUND);
      expect(lists(h)).toBeLessThanOrEqual(2);
      expect(h.fake.calls('api_authorizer_token')).toBe(2); // the 61023, then the retry
    });
  });

  it('lookups of unknown or revoked authorizers raise no token.refresh_failed events (a state, not a failed renewal)', async () => {
    const seen: string[] = [];
    const sub = h.app.get(OpenPlatformEvents).events$.subscribe((e) => seen.push(e.type));
    try {
      for (const id of strangers(10, 'evt')) await h.tokens.getAuthorizerAccessToken(id).catch(() => undefined);
      await h.fake.revoke(A, M1);
      for (let i = 0; i < 3; i++) await h.tokens.getAuthorizerAccessToken(M1).catch(() => undefined);
      expect(seen).toEqual(['unauthorized']);
      // A real failed renewal still is one.
      h.fake.statusNext('api_component_token', 502, ATTEMPTS);
      await h.tokens.getComponentAccessToken(undefined, { forceRefresh: true }).catch(() => undefined);
      // (The 502s are retried first: one upstream.retry per attempt before the last.)
      expect(seen.filter((t) => t !== 'upstream.retry')).toEqual(['unauthorized', 'token.refresh_failed']);
    } finally {
      sub.unsubscribe();
    }
  });

  it('a miss logs a debug line, never a WARN; a restored lost record still warns', async () => {
    const logger = new CapturingLogger();
    h.app.useLogger(logger);
    for (const id of strangers(10, 'quiet')) await h.tokens.getAuthorizerAccessToken(id).catch(() => undefined);
    await Promise.all(
      strangers(10, 'quiet2').map((id) => h.tokens.getAuthorizerAccessToken(id).catch(() => undefined)),
    );
    expect(logger.at('warn')).toEqual([]);
    expect(logger.at('error')).toEqual([]);
    expect(logger.at('debug', /wx_quiet_/)).not.toHaveLength(0);

    // The capture does see warnings: a real repair of a lost record is one.
    await h.app.get(DurableStore).delete(StoreKeys.authorizer('wechat', A, M1));
    await h.tokens.getAuthorizerAccessToken(M1, { forceRefresh: true });
    expect(logger.at('warn', new RegExp(M1))).not.toHaveLength(0);
  });
});

describe('unknownAuthorizerTtlMs', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('0 disables the memo: each sequential miss walks again (walks are still shared)', async () => {
    h = await start({ unknownAuthorizerTtlMs: 0 });
    for (let i = 0; i < 5; i++)
      expect((await rejection(h.tokens.getAuthorizerAccessToken('wx_again'))).code).toBe(
        OpenPlatformErrorCode.AUTHORIZER_NOT_FOUND,
      );
    expect(lists(h)).toBe(5);
    h.fake.resetCalls();
    h.fake.delayNext('api_get_authorizer_list', 100);
    await Promise.all(strangers(20, 'ttl0').map((id) => rejection(h!.tokens.getAuthorizerAccessToken(id))));
    expect(lists(h)).toBeLessThanOrEqual(2);
  });

  it('a custom TTL is honoured', async () => {
    h = await start({ unknownAuthorizerTtlMs: 5_000 });
    await rejection(h.tokens.getAuthorizerAccessToken('wx_short'));
    h.clock.advance(4_999);
    await rejection(h.tokens.getAuthorizerAccessToken('wx_short'));
    expect(lists(h)).toBe(1);
    h.clock.advance(1);
    await rejection(h.tokens.getAuthorizerAccessToken('wx_short'));
    expect(lists(h)).toBe(2);
  });

  it('a miss is remembered per component', async () => {
    h = await startHarness({});
    for (const c of [A, B]) await h.fake.pushTicket(h.eventsUrl(c), c);
    h.fake.resetCalls();
    for (let i = 0; i < 3; i++) await rejection(h.tokens.getAuthorizerAccessToken('wx_x', { componentAppId: A }));
    expect(lists(h)).toBe(1);
    for (let i = 0; i < 3; i++) await rejection(h.tokens.getAuthorizerAccessToken('wx_x', { componentAppId: B }));
    expect(lists(h)).toBe(2);
  });
});
