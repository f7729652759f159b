import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { AuthorizerStore } from '../lib/authorizers/authorizer.store.js';
import { ComponentsService } from '../lib/components/components.service.js';
import {
  DurableStore,
  MemoryDurableStore,
  OpenPlatformErrorCode,
  OpenPlatformEvents,
  type OpenPlatformEvent,
} from '../lib/index.js';
import { StoreKeys } from '../lib/store/store-keys.js';
import { merchantAuthorizes, getManual } from './support/authorize-flow.js';
import { eventually } from './support/eventually.js';
import { ATTEMPTS, COMPONENT_A } from './support/fixtures.js';
import { startHarness, type Harness } from './support/harness.js';
import { rejection } from './support/rejection.js';

const A = COMPONENT_A.appId;
const M1 = 'wx_merchant_1';
const HOUR = 3600_000;

async function business(h: Harness, token: string) {
  const res = await fetch(
    `${h.fake.baseUrl}/cgi-bin/account/getaccountbasicinfo?access_token=${encodeURIComponent(token)}`,
  );
  return (await res.json()) as { errcode: number; appid?: string };
}

function storedRecord(h: Harness, appId = M1) {
  const store = h.app.get(AuthorizerStore);
  return store.get(h.app.get(ComponentsService).resolve(A), appId);
}

describe('authorizer lifecycle (e2e over loopback HTTP)', () => {
  let h: Harness;
  let events: OpenPlatformEvent[];
  beforeEach(async () => {
    h = await startHarness({ singleComponent: true });
    events = [];
    h.app.get(OpenPlatformEvents).events$.subscribe((e) => events.push(e));
    await h.fake.pushTicket(h.eventsUrl(), A);
  });
  afterEach(async () => {
    await h.fake.settle();
    await h.close();
  });

  describe('onboarding', () => {
    it('authorize → platform page → authorized, plus the push of the same code: one api_query_auth, a working token', async () => {
      const flow = await merchantAuthorizes(h, M1);
      expect(flow).toMatchObject({ status: 200, body: { authorizerAppId: M1, status: 'active' } });
      expect(new URL(flow.pageUrl).searchParams.get('redirect_uri')).toBe(`${h.url}/open-platform/${A}/authorized`);
      await h.fake.settle(); // the `authorized` push with the same code has arrived too
      expect(h.fake.authorizationPushes().filter((p) => p.infoType === 'authorized')).toHaveLength(1);
      expect(h.fake.authorizationPushes()[0].result?.body).toBe('success');
      expect(h.fake.calls('api_query_auth')).toBe(1);

      const token = await h.tokens.getAuthorizerAccessToken(M1);
      expect(await business(h, token)).toMatchObject({ errcode: 0, appid: M1 });
      expect(h.fake.calls('api_authorizer_token')).toBe(0); // the exchange's token is cached
      const info = await h.tokens.getAuthorizer(M1);
      expect(info).toMatchObject({
        componentAppId: A,
        authorizerAppId: M1,
        platform: 'wechat',
        status: 'active',
        permissions: [1, 15],
      });
      expect(info?.accessTokenExpiresAt).toBeGreaterThan(h.clock.now());
      expect(JSON.stringify(info)).not.toContain(token);
      expect(JSON.stringify(info)).not.toContain(h.fake.authorizerState(A, M1)!.refreshToken);
      expect(events.filter((e) => e.type === 'authorized')).toHaveLength(1);
    });

    it('the push arriving before the redirect is exchanged once as well', async () => {
      const { authorizationCode, pushed } = await h.fake.authorize({
        componentAppId: A,
        authorizerAppId: M1,
        funcIds: [1],
      });
      expect(pushed?.body).toBe('success');
      const res = await fetch(`${h.url}/open-platform/${A}/authorized?auth_code=${authorizationCode}&expires_in=600`);
      expect(await res.json()).toEqual({ authorizerAppId: M1, status: 'active' });
      expect(h.fake.calls('api_query_auth')).toBe(1);
    });

    it('the same code arriving concurrently many times is exchanged upstream once', async () => {
      const { authorizationCode } = await h.fake.authorize({ componentAppId: A, authorizerAppId: M1, push: false });
      h.fake.delayNext('api_query_auth', 50);
      const results = await Promise.all([
        ...Array.from({ length: 20 }, () => h.tokens.exchangeAuthorizationCode(authorizationCode, A)),
        ...Array.from({ length: 20 }, () =>
          fetch(`${h.url}/open-platform/${A}/authorized?auth_code=${authorizationCode}`).then((r) => r.json()),
        ),
        h.fake.pushAuthorizationEvent(h.eventsUrl(), A, {
          infoType: 'authorized',
          authorizerAppId: M1,
          authorizationCode,
        }),
      ]);
      expect(h.fake.calls('api_query_auth')).toBe(1);
      for (const r of results.slice(0, 40)) expect(r).toMatchObject({ authorizerAppId: M1, status: 'active' });
      expect(results[40]).toMatchObject({ status: 200, body: 'success' });
    });

    it('getAuthorizationUrl: PC and H5 links, parameters encoded, a fresh pre-auth code each time', async () => {
      const redirectUri = 'https://shop.example.com/wechat/done?tenant=7&x=a b';
      const pc = new URL(
        await h.tokens.getAuthorizationUrl({ componentAppId: A, redirectUri, authType: 2, bizAppId: 'wx_pinned' }),
      );
      const h5 = new URL(await h.tokens.getAuthorizationUrl({ componentAppId: A, redirectUri, mobile: true }));
      expect(pc.origin + pc.pathname).toBe(h.fake.authorizePageUrl);
      expect(h5.origin + h5.pathname).toBe(h.fake.h5AuthorizePageUrl);
      expect(h5.hash).toBe('#wechat_redirect');
      expect(h5.searchParams.get('action')).toBe('bindcomponent');
      expect(pc.searchParams.get('redirect_uri')).toBe(redirectUri);
      expect(pc.search).toContain(`redirect_uri=${encodeURIComponent(redirectUri).replace(/%20/g, '+')}`);
      expect(pc.searchParams.get('auth_type')).toBe('2');
      expect(pc.searchParams.get('biz_appid')).toBe('wx_pinned');
      expect(h5.searchParams.get('auth_type')).toBe('3');
      expect(pc.searchParams.get('pre_auth_code')).not.toBe(h5.searchParams.get('pre_auth_code'));
      expect(h.fake.calls('api_create_preauthcode')).toBe(2);
    });

    it('getAuthorizationUrl refuses bad arguments before any upstream call', async () => {
      for (const bad of [
        { redirectUri: 'not a url' },
        { redirectUri: 'ftp://x/y' },
        { redirectUri: 'https://x/', authType: 9 },
        { redirectUri: 'https://x/', bizAppId: 'a b' },
      ]) {
        expect((await rejection(h.tokens.getAuthorizationUrl({ componentAppId: A, ...bad }))).code).toBe(
          OpenPlatformErrorCode.INVALID_ARGUMENT,
        );
      }
      expect(h.fake.calls('api_create_preauthcode')).toBe(0);
    });

    it('…/authorize passes mobile, auth_type and biz_appid through', async () => {
      const res = await getManual(`${h.url}/open-platform/${A}/authorize?mobile=1&auth_type=1&biz_appid=wx_pin`);
      expect(res.status).toBe(302);
      const page = new URL(res.location!);
      expect(page.origin + page.pathname).toBe(h.fake.h5AuthorizePageUrl);
      expect(page.searchParams.get('auth_type')).toBe('1');
      expect(page.searchParams.get('biz_appid')).toBe('wx_pin');
    });

    it('an account that granted no API permission is recorded with a clear status, not a crash', async () => {
      const flow = await merchantAuthorizes(h, M1, { grantApi: false, funcIds: [] });
      expect(flow.body).toEqual({ authorizerAppId: M1, status: 'no_api_permission' });
      const err = await rejection(h.tokens.getAuthorizerAccessToken(M1));
      expect(err.code).toBe(OpenPlatformErrorCode.NO_API_PERMISSION);
      expect(h.fake.calls('api_authorizer_token')).toBe(0);
    });

    it.each([
      ['unknown component', `/open-platform/wx_nope/authorize`, 404],
      ['auth_type out of range', `/open-platform/${A}/authorize?auth_type=9`, 400],
      ['auth_type not a number', `/open-platform/${A}/authorize?auth_type=1%27%20or%201`, 400],
      ['malformed biz_appid', `/open-platform/${A}/authorize?biz_appid=%3Cscript%3E`, 400],
      ['unknown component on authorized', `/open-platform/wx_nope/authorized?auth_code=x`, 404],
      ['missing auth_code', `/open-platform/${A}/authorized`, 400],
      ['forged auth_code', `/open-platform/${A}/authorized?auth_code=queryauthcode@@@forged`, 400],
      ['oversized auth_code', `/open-platform/${A}/authorized?auth_code=${'x'.repeat(600)}`, 400],
    ])('bad input to the routes (%s) → %p, nothing recorded', async (_name, path, status) => {
      expect((await fetch(h.url + path, { redirect: 'manual' })).status).toBe(status);
      expect(await h.tokens.listAuthorizers(A)).toEqual([]);
      expect(h.fake.calls('api_create_preauthcode')).toBe(0);
    });
  });

  describe('authorizer tokens', () => {
    beforeEach(() => merchantAuthorizes(h, M1));

    it('500 concurrent callers on an expired token → one api_authorizer_token call, the new token works', async () => {
      h.clock.advance(2 * HOUR + 1000);
      h.fake.delayNext('api_authorizer_token', 50);
      const tokens = await Promise.all(Array.from({ length: 500 }, () => h.tokens.getAuthorizerAccessToken(M1)));
      expect(new Set(tokens).size).toBe(1);
      expect(h.fake.calls('api_authorizer_token')).toBe(1);
      expect(await business(h, tokens[0])).toMatchObject({ errcode: 0, appid: M1 });
      expect(events.filter((e) => e.type === 'token.refreshed' && e.authorizerAppId === M1)).toHaveLength(1);
    });

    it('renews by the rule and persists the refresh token every refresh returns', async () => {
      h.fake.authorizerTokenExpiresIn = 1000; // renew when < min(300, 200) s left
      const first = await h.tokens.getAuthorizerAccessToken(M1, { forceRefresh: true });
      h.clock.advance(799_000);
      expect(await h.tokens.getAuthorizerAccessToken(M1)).toBe(first);
      h.clock.advance(2000); // due, still valid
      const refreshes = h.fake.calls('api_authorizer_token');
      // Served at once while one refresh runs in the background; a later call gets the new token.
      expect(await h.tokens.getAuthorizerAccessToken(M1)).toBe(first);
      let second = first;
      await eventually(
        async () => (second = await h.tokens.getAuthorizerAccessToken(M1)) !== first,
        'the renewed authorizer token',
      );
      expect(h.fake.calls('api_authorizer_token')).toBe(refreshes + 1);
      expect(h.fake.isAuthorizerTokenValid(second)).toBe(true);
      expect((await storedRecord(h))?.refreshToken).toBe(h.fake.authorizerState(A, M1)?.refreshToken);
    });

    it('unknown authorizers and bad arguments get clear errors', async () => {
      expect((await rejection(h.tokens.getAuthorizerAccessToken('wx_stranger'))).code).toBe(
        OpenPlatformErrorCode.AUTHORIZER_NOT_FOUND,
      );
      for (const bad of ['', 'a b', 'x'.repeat(65), undefined as unknown as string, 42 as unknown as string]) {
        expect((await rejection(h.tokens.getAuthorizerAccessToken(bad))).code).toBe(
          OpenPlatformErrorCode.INVALID_ARGUMENT,
        );
      }
      expect((await rejection(h.tokens.getAuthorizerAccessToken(M1, { componentAppId: 'wx_nope' }))).code).toBe(
        OpenPlatformErrorCode.UNKNOWN_COMPONENT,
      );
    });
  });

  describe('durability and self-repair', () => {
    beforeEach(() => merchantAuthorizes(h, M1));

    it('a lost refresh token (deleted from the store) is restored from the authorizer list', async () => {
      const record = await storedRecord(h);
      const store = h.app.get(AuthorizerStore);
      const component = h.app.get(ComponentsService).resolve(A);
      await store.update(component, M1, () => ({ ...record!, refreshToken: undefined }));
      const token = await h.tokens.getAuthorizerAccessToken(M1, { forceRefresh: true });
      expect(await business(h, token)).toMatchObject({ errcode: 0 });
      expect((await storedRecord(h))?.refreshToken).toBe(h.fake.authorizerState(A, M1)?.refreshToken);
      expect(events.some((e) => e.type === 'authorizer.restored')).toBe(true);
    });

    it('a whole lost record is restored from the list on demand', async () => {
      await h.app.get(DurableStore).delete(StoreKeys.authorizer('wechat', A, M1));
      expect(await h.tokens.getAuthorizer(M1)).toBeUndefined();
      const token = await h.tokens.getAuthorizerAccessToken(M1, { forceRefresh: true });
      expect(await business(h, token)).toMatchObject({ errcode: 0 });
      expect(await h.tokens.getAuthorizer(M1)).toMatchObject({ status: 'active' });
    });

    it('61023 (the refresh token changed upstream) is repaired from the list and retried once, no user action', async () => {
      h.fake.rotateRefreshToken(A, M1);
      h.clock.advance(2 * HOUR + 1000);
      const token = await h.tokens.getAuthorizerAccessToken(M1);
      expect(await business(h, token)).toMatchObject({ errcode: 0, appid: M1 });
      expect(h.fake.calls('api_authorizer_token')).toBe(2); // the 61023, then the retry
      expect(h.fake.calls('api_get_authorizer_list')).toBe(1);
      expect((await storedRecord(h))?.refreshToken).toBe(h.fake.authorizerState(A, M1)?.refreshToken);
    });

    it('61023 while the list is briefly unavailable: the error is retryable, the merchant is NOT marked; the next call repairs', async () => {
      h.fake.rotateRefreshToken(A, M1);
      h.clock.advance(2 * HOUR + 1000);
      h.fake.failNext('api_get_authorizer_list', { errcode: -1, times: ATTEMPTS });
      const err = await rejection(h.tokens.getAuthorizerAccessToken(M1));
      expect(err).toMatchObject({ code: -1, retryable: true });
      expect(await h.tokens.getAuthorizer(M1)).toMatchObject({ status: 'active' });
      expect(events.some((e) => e.type === 'reauthorization_required')).toBe(false);
      const token = await h.tokens.getAuthorizerAccessToken(M1);
      expect(await business(h, token)).toMatchObject({ errcode: 0, appid: M1 });
      expect((await storedRecord(h))?.refreshToken).toBe(h.fake.authorizerState(A, M1)?.refreshToken);
    });

    it('revoked upstream with no push: 61023, not in the list → reauthorization_required, event, record kept', async () => {
      await h.fake.revoke(A, M1, { push: false });
      h.clock.advance(2 * HOUR + 1000);
      expect((await rejection(h.tokens.getAuthorizerAccessToken(M1))).code).toBe(
        OpenPlatformErrorCode.REAUTHORIZATION_REQUIRED,
      );
      expect(await h.tokens.getAuthorizer(M1)).toMatchObject({
        status: 'reauthorization_required',
        permissions: [1, 15],
      });
      expect(events.filter((e) => e.type === 'reauthorization_required')).toHaveLength(1);
      const calls = h.fake.calls('api_authorizer_token');
      expect((await rejection(h.tokens.getAuthorizerAccessToken(M1))).code).toBe(
        OpenPlatformErrorCode.REAUTHORIZATION_REQUIRED,
      );
      expect(h.fake.calls('api_authorizer_token')).toBe(calls); // no hammering upstream
    });

    it('a list entry without refresh_token does not count as a repair', async () => {
      h.fake.rotateRefreshToken(A, M1);
      h.fake.hideRefreshTokenInList(A, M1);
      expect((await rejection(h.tokens.getAuthorizerAccessToken(M1, { forceRefresh: true }))).code).toBe(
        OpenPlatformErrorCode.REAUTHORIZATION_REQUIRED,
      );
    });

    it('syncAuthorizers pages through the list (count ≤ 500) and restores missing records', async () => {
      for (let i = 0; i < 520; i++)
        await h.fake.authorize({ componentAppId: A, authorizerAppId: `wx_bulk_${i}`, push: false });
      h.fake.resetCalls();
      expect(await h.tokens.syncAuthorizers(A)).toEqual({ total: 521, restored: 520 });
      expect(h.fake.calls('api_get_authorizer_list')).toBe(2);
      expect(await h.tokens.listAuthorizers(A)).toHaveLength(521);
      expect(await h.tokens.syncAuthorizers(A)).toEqual({ total: 521, restored: 0 });
      const token = await h.tokens.getAuthorizerAccessToken('wx_bulk_519');
      expect(await business(h, token)).toMatchObject({ errcode: 0, appid: 'wx_bulk_519' });
    });

    it('restart on the same store: records, refresh tokens and the ticket intact; tokens keep working', async () => {
      const durable = new MemoryDurableStore();
      const first = await startHarness({
        singleComponent: true,
        fake: h.fake,
        clock: h.clock,
        options: { storage: { durable } },
      });
      await h.fake.pushTicket(first.eventsUrl(), A);
      await merchantAuthorizes(first, 'wx_merchant_2');
      const before = await first.tokens.listAuthorizers(A);
      await first.close();

      h.fake.resetCalls();
      const second = await startHarness({
        singleComponent: true,
        fake: h.fake,
        clock: h.clock,
        options: { storage: { durable } },
      });
      try {
        expect(
          (await second.tokens.listAuthorizers(A)).map((a) => ({ ...a, accessTokenExpiresAt: undefined })),
        ).toEqual(before.map((a) => ({ ...a, accessTokenExpiresAt: undefined })));
        const token = await second.tokens.getAuthorizerAccessToken('wx_merchant_2');
        expect(await business(second, token)).toMatchObject({ errcode: 0, appid: 'wx_merchant_2' });
        expect(h.fake.calls('api_component_token')).toBe(1); // with the stored ticket: no new push needed
        expect(h.fake.calls('api_query_auth')).toBe(0); // no new authorization
      } finally {
        await second.close();
      }
    });
  });

  describe('authorization changes', () => {
    beforeEach(async () => {
      await merchantAuthorizes(h, M1);
      await h.fake.settle(); // the `authorized` push (with the platform's time) has arrived
    });

    it('unauthorized → revoked, tokens dropped, later calls fail clearly', async () => {
      const { pushed } = await h.fake.revoke(A, M1);
      expect(pushed?.body).toBe('success');
      expect(await h.tokens.getAuthorizer(M1)).toMatchObject({ status: 'revoked' });
      expect((await h.tokens.getAuthorizer(M1))?.accessTokenExpiresAt).toBeUndefined();
      const err = await rejection(h.tokens.getAuthorizerAccessToken(M1));
      expect(err.code).toBe(OpenPlatformErrorCode.AUTHORIZER_REVOKED);
      expect(err.message).toContain(M1);
      expect(events.filter((e) => e.type === 'unauthorized')).toHaveLength(1);
    });

    it('updateauthorized → the new code is exchanged and the old token replaced', async () => {
      const old = await h.tokens.getAuthorizerAccessToken(M1);
      const { pushed } = await h.fake.reauthorize(A, M1, { funcIds: [1, 2, 3] });
      expect(pushed?.body).toBe('success');
      expect(await business(h, old)).toMatchObject({ errcode: 40001 });
      const fresh = await h.tokens.getAuthorizerAccessToken(M1);
      expect(fresh).not.toBe(old);
      expect(await business(h, fresh)).toMatchObject({ errcode: 0 });
      expect(await h.tokens.getAuthorizer(M1)).toMatchObject({ status: 'active', permissions: [1, 2, 3] });
      expect(events.filter((e) => e.type === 'updateauthorized')).toHaveLength(1);
    });

    it('authorized for a revoked authorizer re-activates it', async () => {
      await h.fake.revoke(A, M1);
      const { pushed } = await h.fake.authorize({ componentAppId: A, authorizerAppId: M1 });
      expect(pushed?.body).toBe('success');
      expect(await h.tokens.getAuthorizer(M1)).toMatchObject({ status: 'active' });
      expect(await business(h, await h.tokens.getAuthorizerAccessToken(M1))).toMatchObject({ errcode: 0 });
    });

    it('an unauthorized push in the same second as the authorization is applied (platform times only)', async () => {
      const res = await h.fake.pushAuthorizationEvent(h.eventsUrl(), A, {
        infoType: 'unauthorized',
        authorizerAppId: M1,
      });
      expect(res.body).toBe('success');
      expect(await h.tokens.getAuthorizer(M1)).toMatchObject({ status: 'revoked' });
    });

    it('an unauthorized push older than the authorization (out of order) changes nothing', async () => {
      const created = Math.floor(h.clock.now() / 1000) - 60;
      const res = await h.fake.pushAuthorizationEvent(h.eventsUrl(), A, {
        infoType: 'unauthorized',
        authorizerAppId: M1,
        createTime: created,
      });
      expect(res.body).toBe('success');
      expect(await h.tokens.getAuthorizer(M1)).toMatchObject({ status: 'active' });
    });

    it('a push carrying a dead code is acknowledged and changes nothing', async () => {
      const res = await h.fake.pushAuthorizationEvent(h.eventsUrl(), A, {
        infoType: 'authorized',
        authorizerAppId: 'wx_other',
        authorizationCode: 'queryauthcode@@@dead',
      });
      expect(res).toMatchObject({ status: 200, body: 'success' });
      expect(await h.tokens.getAuthorizer('wx_other')).toBeUndefined();
    });
  });
});

describe('public methods with bad input change nothing', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ singleComponent: true });
    await h.fake.pushTicket(h.eventsUrl(), A);
    await merchantAuthorizes(h, M1);
    await h.fake.settle();
    h.fake.resetCalls();
  });
  afterEach(() => h.close());

  const snapshot = async () => JSON.stringify(await h.tokens.listAuthorizers(A));

  it('exchangeAuthorizationCode: empty, oversized, non-string, forged → INVALID_AUTHORIZATION_CODE', async () => {
    const before = await snapshot();
    for (const code of ['', 'x'.repeat(600), 42 as unknown as string, undefined as unknown as string]) {
      expect((await rejection(h.tokens.exchangeAuthorizationCode(code))).code).toBe(
        OpenPlatformErrorCode.INVALID_AUTHORIZATION_CODE,
      );
    }
    expect(h.fake.calls('api_query_auth')).toBe(0);
    expect((await rejection(h.tokens.exchangeAuthorizationCode('queryauthcode@@@forged'))).code).toBe(
      OpenPlatformErrorCode.INVALID_AUTHORIZATION_CODE,
    );
    expect(await snapshot()).toBe(before);
  });

  it('a code used once cannot be replayed into another component or after its record changed', async () => {
    const { authorizationCode } = await h.fake.authorize({
      componentAppId: A,
      authorizerAppId: 'wx_merchant_3',
      push: false,
    });
    await h.tokens.exchangeAuthorizationCode(authorizationCode);
    await h.fake.revoke(A, 'wx_merchant_3');
    // The memo answers with the current record: the replayed code does not resurrect it.
    expect(await h.tokens.exchangeAuthorizationCode(authorizationCode)).toMatchObject({
      authorizerAppId: 'wx_merchant_3',
      status: 'revoked',
    });
    expect(h.fake.calls('api_query_auth')).toBe(1);
  });

  it('getAuthorizer / listAuthorizers / syncAuthorizers / getComponentAccessToken refuse bad ids', async () => {
    for (const bad of ['a b', '', 'x'.repeat(65), null as unknown as string]) {
      expect((await rejection(h.tokens.getAuthorizer(bad))).code).toBe(OpenPlatformErrorCode.INVALID_ARGUMENT);
    }
    expect(await h.tokens.getAuthorizer('wx_unknown')).toBeUndefined();
    expect((await rejection(h.tokens.listAuthorizers('wx_nope'))).code).toBe(OpenPlatformErrorCode.UNKNOWN_COMPONENT);
    expect((await rejection(h.tokens.syncAuthorizers('wx_nope'))).code).toBe(OpenPlatformErrorCode.UNKNOWN_COMPONENT);
    expect((await rejection(h.tokens.getComponentAccessToken(42 as unknown as string))).code).toBe(
      OpenPlatformErrorCode.UNKNOWN_COMPONENT,
    );
  });

  it('syncAuthorizers with a failing upstream surfaces OpenPlatformError and keeps every record', async () => {
    const before = await snapshot();
    h.fake.failNext('api_get_authorizer_list', { errcode: -1, times: ATTEMPTS });
    expect(await rejection(h.tokens.syncAuthorizers())).toMatchObject({
      platform: 'wechat',
      code: -1,
      retryable: true,
    });
    h.fake.dropNext('api_get_authorizer_list', ATTEMPTS);
    expect((await rejection(h.tokens.syncAuthorizers())).code).toBe(OpenPlatformErrorCode.TRANSPORT);
    expect(await snapshot()).toBe(before);
  });

  it('a transient failure while refreshing keeps the record and the refresh token', async () => {
    const record = JSON.stringify(await storedRecord(h));
    h.clock.advance(2 * HOUR + 1000);
    h.fake.dropNext('api_authorizer_token', ATTEMPTS);
    expect((await rejection(h.tokens.getAuthorizerAccessToken(M1))).code).toBe(OpenPlatformErrorCode.TRANSPORT);
    expect(JSON.stringify(await storedRecord(h))).toBe(record);
    expect(await business(h, await h.tokens.getAuthorizerAccessToken(M1))).toMatchObject({ errcode: 0 });
  });
});

describe('events through @nestjs/event-emitter', () => {
  it('emits open-platform.<type> when the app imports EventEmitterModule', async () => {
    const h = await startHarness({ singleComponent: true, imports: [EventEmitterModule.forRoot()] });
    try {
      const seen: string[] = [];
      h.app.get(EventEmitter2).onAny((name: string | string[]) => seen.push(String(name)));
      await h.fake.pushTicket(h.eventsUrl(), A);
      await merchantAuthorizes(h, M1);
      await h.fake.settle();
      expect(seen).toEqual(
        expect.arrayContaining(['open-platform.ticket', 'open-platform.authorized', 'open-platform.token.refreshed']),
      );
    } finally {
      await h.close();
    }
  });
});
