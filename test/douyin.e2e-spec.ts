import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { firstValueFrom } from 'rxjs';
import { DurableStore, OpenPlatformErrorCode, OpenPlatformEvents, OpenPlatformHttpService } from '../lib/index.js';
import { DOUYIN_COMPONENT, startDouyinHarness, type DouyinHarness } from './support/douyin-harness.js';
import { rejection } from './support/rejection.js';

const C = DOUYIN_COMPONENT.appId;
const SHOP = 'tt_shop_1';
const HOUR = 3600_000;
type Answer = { errno?: number; err_no?: number; data?: Record<string, unknown> };

const basicInfoPath = { v1: '/openapi/v1/microapp/app/info', v2: '/api/apps/v2/basic_info/get_info' } as const;

/** A merchant goes through the browser flow: …/authorize → the platform's page → …/authorized. */
async function merchantAuthorizes(h: DouyinHarness, authorizerAppId: string) {
  h.fake.queueMerchant({ authorizerAppId, componentAppId: C });
  const start = await fetch(`${h.url}/open-platform/${C}/authorize`, { redirect: 'manual' });
  expect(start.status).toBe(302);
  const page = await fetch(start.headers.get('location')!, { redirect: 'manual' });
  expect(page.status).toBe(302);
  const redirect = page.headers.get('location')!;
  expect(new URL(redirect).searchParams.get('authorization_code')).toBeTruthy();
  const back = await fetch(redirect);
  const body = (await back.json()) as { authorizerAppId: string; status: string };
  await h.fake.settle(); // the AUTHORIZED push of the same code
  return { status: back.status, body };
}

describe.each([
  ['v2', 'express'],
  ['v1', 'express'],
  ['v2', 'fastify'],
] as const)('Douyin %s on %s, end to end (e2e over loopback HTTP)', (apiVersion, adapter) => {
  let h: DouyinHarness;
  let http: OpenPlatformHttpService;
  const business = async () =>
    (await firstValueFrom(http.get<Answer>(`${h.fake.baseUrl}${basicInfoPath[apiVersion]}`, { authorizerAppId: SHOP })))
      .data;
  const succeeded = (a: Answer) => (a.errno ?? a.err_no ?? 0) === 0;

  beforeAll(async () => {
    h = await startDouyinHarness(apiVersion, { adapter });
    http = h.app.get(OpenPlatformHttpService);
  });
  afterAll(() => h.close());

  it('ticket push → component token → merchant authorizes → token → business call → expiry → refresh → again', async () => {
    const push = await h.fake.pushTicket(h.eventsUrl, C);
    expect(push).toMatchObject({ status: 200, body: 'success' }); // raw success, not JSON-quoted
    const componentToken = await h.tokens.getComponentAccessToken();
    expect(h.fake.isComponentTokenValid(componentToken)).toBe(true);

    expect(await merchantAuthorizes(h, SHOP)).toEqual({
      status: 200,
      body: { authorizerAppId: SHOP, status: 'active' },
    });
    expect(h.fake.calls('auth_token')).toBe(1); // the redirect's code and the push's: exchanged once
    // The component token is fetched once and reused while valid (on V2 each fetch invalidates the last).
    expect(h.fake.calls('tp_token')).toBe(1);
    const info = await h.tokens.getAuthorizer(SHOP);
    expect(info).toMatchObject({ platform: 'douyin', status: 'active' });
    expect(info?.refreshTokenExpiresAt).toBeGreaterThan(h.clock.now());

    const token = await h.tokens.getAuthorizerAccessToken(SHOP);
    expect(h.fake.isAuthorizerTokenValid(token)).toBe(true);
    expect(succeeded(await business())).toBe(true);
    expect(h.fake.businessCalls().at(-1)?.authorizerAppId).toBe(SHOP);

    h.clock.advance(2 * HOUR + 1000); // the access token expired
    expect(succeeded(await business())).toBe(true);
    expect(h.fake.calls('auth_token')).toBe(2); // one refresh
    expect(h.fake.refreshTokenReuses()).toBe(0);
    // The rotated refresh token is the one persisted.
    const store = h.app.get(DurableStore);
    const key = (await store.keys(`douyin:${C}:authorizer:`)).find((k) => k.endsWith(SHOP))!;
    expect((await store.get<{ refreshToken?: string }>(key))?.refreshToken).toBe(
      h.fake.authorizerState(C, SHOP)?.refreshToken,
    );
  });

  it('500 concurrent callers on an expired token → one refresh, no reuse, every caller the same new token', async () => {
    await h.fake.pushTicket(h.eventsUrl, C); // keep the ticket fresh across clock jumps
    h.clock.advance(2 * HOUR + 1000);
    const before = h.fake.calls('auth_token');
    const tokens = await Promise.all(Array.from({ length: 500 }, () => h.tokens.getAuthorizerAccessToken(SHOP)));
    expect(new Set(tokens).size).toBe(1);
    expect(h.fake.calls('auth_token')).toBe(before + 1);
    expect(h.fake.refreshTokenReuses()).toBe(0);
    expect(h.fake.isAuthorizerTokenValid(tokens[0])).toBe(true);
  });

  it('a refresh answer lost after the platform rotated → repaired by retrieve + exchange, the notice code not exchanged twice, no reuse', async () => {
    await h.fake.pushTicket(h.eventsUrl, C);
    h.clock.advance(2 * HOUR + 1000);
    const events: string[] = [];
    const sub = h.app.get(OpenPlatformEvents).events$.subscribe((e) => events.push(e.type));
    const tokenCalls = h.fake.calls('auth_token');
    h.fake.rotateThenDropNext();
    try {
      const token = await h.tokens.getAuthorizerAccessToken(SHOP);
      await h.fake.settle(); // the UPDATE_AUTHORIZED retrieval notice carrying the same code
      expect(h.fake.calls('retrieve_auth_code')).toBe(1);
      expect(h.fake.calls('auth_token')).toBe(tokenCalls + 2); // the lost refresh, then one exchange
      expect(h.fake.refreshTokenReuses()).toBe(0);
      expect(h.fake.isAuthorizerTokenValid(token)).toBe(true);
      expect(succeeded(await business())).toBe(true);
      expect(await h.tokens.getAuthorizer(SHOP)).toMatchObject({ status: 'active' });
      expect(events).not.toContain('reauthorization_required');
    } finally {
      sub.unsubscribe();
    }
  });

  it('a refused refresh token (40021) is repaired the same way; a repair refused as "not authorized" is a revocation', async () => {
    await h.fake.pushTicket(h.eventsUrl, C);
    const store = h.app.get(DurableStore);
    const key = (await store.keys(`douyin:${C}:authorizer:`)).find((k) => k.endsWith(SHOP))!;
    const record = (await store.get<Record<string, unknown>>(key))!;
    await store.set(key, { ...record, refreshToken: 'a-token-the-platform-refuses' });
    const token = await h.tokens.getAuthorizerAccessToken(SHOP, { forceRefresh: true });
    expect(h.fake.isAuthorizerTokenValid(token)).toBe(true);
    await h.fake.settle();

    // Revoked upstream and the push missed: the repair's "not authorized" (40022) is the revocation.
    await h.fake.revoke(C, SHOP, { push: false });
    await store.set(key, { ...(await store.get<Record<string, unknown>>(key))!, refreshToken: 'refused-again' });
    const err = await rejection(h.tokens.getAuthorizerAccessToken(SHOP, { forceRefresh: true }));
    expect(err.code).toBe(OpenPlatformErrorCode.AUTHORIZER_REVOKED);
    expect(await h.tokens.getAuthorizer(SHOP)).toMatchObject({ status: 'revoked' });
  });
});

describe.each(['express', 'fastify'] as const)(
  'Douyin pushes on %s: hostile input → 4xx, nothing stored, no platform call (e2e)',
  (adapter) => {
    let h: DouyinHarness;
    beforeEach(async () => {
      h = await startDouyinHarness('v2', { adapter });
    });
    afterEach(() => h.close());

    const post = (body: string, contentType = 'application/json') =>
      fetch(h.eventsUrl, { method: 'POST', headers: { 'content-type': contentType }, body });

    it('refuses forged, stale, misdirected and malformed pushes', async () => {
      const genuine = h.fake.buildPush(C, {
        Ticket: 'ticket-1',
        MsgType: 'Ticket',
        Event: 'PUSH',
        CreateTime: '2026-01-01 00:00:00',
      });
      const cases: Array<[string, string, number]> = [
        ['bad signature', JSON.stringify({ ...genuine.body, MsgSignature: 'f'.repeat(40) }), 401],
        ['no signature', JSON.stringify({ ...genuine.body, MsgSignature: undefined }), 401],
        [
          'stale',
          JSON.stringify(
            h.fake.buildPush(C, genuine.message, { timestamp: Math.floor(h.clock.now() / 1000) - 3600 }).body,
          ),
          401,
        ],
        ['deep JSON', '{"a":'.repeat(5000) + '1' + '}'.repeat(5000), 400],
        ['non-JSON', 'not json at all', 400],
        ['array', '[[[[]]]]', 400],
        ['__proto__ keys', '{"__proto__":{"Encrypt":"x"},"constructor":{"prototype":1}}', 400],
        ['wrong types', JSON.stringify({ ...genuine.body, Encrypt: 42 }), 400],
      ];
      for (const [name, body, status] of cases) {
        const res = await post(body);
        expect({ name, status: res.status }).toEqual({ name, status });
      }
      // Encrypted for another component (wrong trailing appid), validly signed with this one's token.
      h.fake.addComponent({ ...DOUYIN_COMPONENT, appId: 'tt_other_component' });
      const other = h.fake.buildPush('tt_other_component', genuine.message);
      expect((await post(JSON.stringify(other.body))).status).toBe(400);

      expect((await rejection(h.tokens.getComponentAccessToken())).code).toBe(OpenPlatformErrorCode.NO_TICKET);
      expect(await h.app.get(DurableStore).keys('')).toEqual([]);
      expect(h.fake.calls('tp_token')).toBe(0);
    });

    it('accepts TimeStamp as a number, and answers a genuine ticket push with the raw body success', async () => {
      const push = h.fake.buildPush(
        C,
        { Ticket: 'ticket-2', MsgType: 'Ticket', Event: 'PUSH', CreateTime: '2026-01-01 00:00:00' },
        { timestamp: Math.floor(h.clock.now() / 1000) },
      );
      expect(typeof push.body.TimeStamp).toBe('number');
      const res = await post(JSON.stringify(push.body));
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('success');
    });
  },
);

describe('Douyin V2 answering 200-prefixed error codes (e2e)', () => {
  let h: DouyinHarness;
  beforeAll(async () => {
    h = await startDouyinHarness('v2', {
      fake: { prefixedErrorCodes: ['auth_token', 'retrieve_auth_code', 'basic_info'] },
    });
  });
  afterAll(() => h.close());

  it('20040021 is a refused refresh token: repaired; a repair answered 20040022 is a revocation', async () => {
    await h.fake.pushTicket(h.eventsUrl, C);
    await merchantAuthorizes(h, SHOP);
    const store = h.app.get(DurableStore);
    const key = (await store.keys(`douyin:${C}:authorizer:`)).find((k) => k.endsWith(SHOP))!;
    const plant = async (refreshToken: string) =>
      store.set(key, { ...(await store.get<Record<string, unknown>>(key))!, refreshToken });

    await plant('refused-by-the-platform');
    const token = await h.tokens.getAuthorizerAccessToken(SHOP, { forceRefresh: true });
    expect(h.fake.isAuthorizerTokenValid(token)).toBe(true);
    expect(h.fake.calls('retrieve_auth_code')).toBe(1);
    await h.fake.settle();

    await h.fake.revoke(C, SHOP, { push: false });
    await plant('refused-again');
    const events: Array<{ type: string; code?: unknown }> = [];
    const sub = h.app
      .get(OpenPlatformEvents)
      .events$.subscribe((e) => events.push({ type: e.type, code: 'error' in e ? e.error.code : undefined }));
    try {
      expect((await rejection(h.tokens.getAuthorizerAccessToken(SHOP, { forceRefresh: true }))).code).toBe(
        OpenPlatformErrorCode.AUTHORIZER_REVOKED,
      );
      expect(events).toContainEqual({ type: 'unauthorized', code: undefined });
      expect(events.map((e) => e.type)).not.toContain('reauthorization_required');
      expect(await h.tokens.getAuthorizer(SHOP)).toMatchObject({ status: 'revoked' });
    } finally {
      sub.unsubscribe();
    }
  });
});
