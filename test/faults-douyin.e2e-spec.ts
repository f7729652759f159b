import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DurableStore, OpenPlatformErrorCode, OpenPlatformEvents, type OpenPlatformEvent } from '../lib/index.js';
import { DOUYIN_COMPONENT, startDouyinHarness, type DouyinHarness } from './support/douyin-harness.js';
import { ATTEMPTS, TEST_RETRY } from './support/fixtures.js';
import { FAULT_TIMEOUT_MS, SLOW_MS, collectEvents, durableSnapshot, portOf } from './support/fault-kit.js';
import { eventually } from './support/eventually.js';
import { rejection } from './support/rejection.js';

// Upstream faults on every call the module makes to Douyin (both API generations), against the
// emulator over loopback. Attempts are counted at the emulator; no wall-clock assertion. Douyin
// refresh tokens are single use: the emulator counts every spent one sent again, and that count
// stays 0 throughout.

const TT = DOUYIN_COMPONENT.appId;
const SHOP = 'tt_fault_shop';
/** Held longer than the suite lives: the platform never processes it (stop() cancels it). */
const NEVER_MS = 600_000;

type Call = 'tp_token' | 'link' | 'refresh' | 'exchange' | 'retrieve_auth_code' | 'auth_app_list';

describe.each(['v2', 'v1'] as const)('Douyin %s', (apiVersion) => {
  let h: DouyinHarness;
  let seen: { events: OpenPlatformEvent[]; stop(): void };
  let merchants = 0;
  const linkEndpoint = apiVersion === 'v2' ? 'gen_link' : 'pre_auth_code';

  async function freshCode(): Promise<string> {
    const authorizerAppId = `tt_fault_new_${++merchants}`;
    return (await h.fake.authorize({ componentAppId: TT, authorizerAppId, push: false })).authorizationCode;
  }

  async function storedRefreshToken(appId = SHOP): Promise<string | undefined> {
    const store = h.app.get(DurableStore);
    const key = (await store.keys(`douyin:${TT}:authorizer:`)).find((k) => k.endsWith(`:${appId}`))!;
    return (await store.get<{ refreshToken?: string }>(key))?.refreshToken;
  }

  /** Each call through the public API, with the emulator endpoint it reaches. */
  const CALLS: Record<Call, { endpoint: string; run: () => Promise<unknown> }> = {
    tp_token: { endpoint: 'tp_token', run: () => h.tokens.getComponentAccessToken(TT, { forceRefresh: true }) },
    link: {
      endpoint: linkEndpoint,
      run: () => h.tokens.getAuthorizationUrl({ redirectUri: 'https://shop.example/cb' }),
    },
    refresh: { endpoint: 'auth_token', run: () => h.tokens.getAuthorizerAccessToken(SHOP, { forceRefresh: true }) },
    exchange: { endpoint: 'auth_token', run: async () => h.tokens.exchangeAuthorizationCode(await freshCode()) },
    // Reached through a chain repair: the refresh token is refused (40021), a new code is retrieved.
    retrieve_auth_code: {
      endpoint: 'retrieve_auth_code',
      run: async () => {
        h.fake.failNext('auth_token', { code: 40021 });
        const token = await h.tokens.getAuthorizerAccessToken(SHOP, { forceRefresh: true });
        await h.fake.settle(); // the retrieval notice push, exchanged once
        return token;
      },
    },
    auth_app_list: { endpoint: 'auth_app_list', run: () => h.tokens.syncAuthorizers(TT) },
  };
  const IDEMPOTENT: Call[] = ['tp_token', 'link', 'retrieve_auth_code', 'auth_app_list'];

  beforeAll(async () => {
    h = await startDouyinHarness(apiVersion, { options: { httpTimeoutMs: FAULT_TIMEOUT_MS, retry: TEST_RETRY } });
    await h.fake.pushTicket(h.eventsUrl, TT);
    await h.fake.authorize({ componentAppId: TT, authorizerAppId: SHOP });
    await h.fake.settle();
    expect(await h.tokens.getAuthorizer(SHOP)).toMatchObject({ status: 'active' });
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.fake.clearFaults();
    h.fake.resetCalls();
    seen = collectEvents(h.app);
  });
  afterEach(() => {
    seen.stop();
    expect(h.fake.refreshTokenReuses()).toBe(0);
  });

  const retries = () => seen.events.filter((e) => e.type === 'upstream.retry');

  describe.each([-1, 40000, 40045, 20040045])(
    'the platform answers %p ("busy, retry") on ATTEMPTS - 1 calls',
    (code) => {
      it.each([...IDEMPOTENT, 'refresh', 'exchange'] as Call[])('%s is sent again until it succeeds', async (c) => {
        const { endpoint, run } = CALLS[c];
        h.fake.failNext(endpoint, { code, times: ATTEMPTS - 1 });
        await run();
        expect(h.fake.calls(endpoint)).toBe(ATTEMPTS);
        expect(retries()).toHaveLength(ATTEMPTS - 1);
      });
    },
  );

  const AMBIGUOUS: Array<[string, (endpoint: string, times: number) => void]> = [
    ['HTTP 502', (e, times) => h.fake.statusNext(e, 502, times)],
    ['HTTP 503', (e, times) => h.fake.statusNext(e, 503, times)],
    ['a connection reset', (e, times) => h.fake.dropNext(e, times)],
    // Never answered: a timed-out call the platform processes later would issue codes and pushes
    // that land in later tests (the module handles them, but the counts would mix).
    ['a timeout', (e, times) => h.fake.delayNext(e, NEVER_MS, times)],
  ];

  describe.each(AMBIGUOUS)('%s', (_name, inject) => {
    it.each(IDEMPOTENT)('%s (idempotent) is sent again until it succeeds', async (c) => {
      const { endpoint, run } = CALLS[c];
      inject(endpoint, ATTEMPTS - 1);
      await run();
      expect(h.fake.calls(endpoint)).toBe(ATTEMPTS);
    });

    it('exchange is not sent again: one call, a retryable TRANSPORT error that says why', async () => {
      const code = await freshCode();
      inject('auth_token', 1);
      const err = await rejection(h.tokens.exchangeAuthorizationCode(code));
      expect(err).toMatchObject({ platform: 'douyin', code: OpenPlatformErrorCode.TRANSPORT, retryable: true });
      expect(err.message).toContain('not sent again');
      expect(h.fake.calls('auth_token')).toBe(1);
    });
  });

  describe('a refresh whose answer may be lost is never sent again: the chain is repaired instead', () => {
    it.each([
      ['HTTP 502', () => h.fake.statusNext('auth_token', 502)],
      ['a connection reset', () => h.fake.dropNext('auth_token')],
      ['a timeout (never answered)', () => h.fake.delayNext('auth_token', NEVER_MS)],
      ['processed, then the answer lost', () => h.fake.rotateThenDropNext()],
    ])('%s', async (_name, inject) => {
      inject();
      const token = await h.tokens.getAuthorizerAccessToken(SHOP, { forceRefresh: true });
      await h.fake.settle();
      // The faulted refresh, then the exchange of the retrieved code; never the refresh again.
      expect(h.fake.calls('auth_token')).toBe(2);
      expect(h.fake.calls('retrieve_auth_code')).toBe(1);
      expect(h.fake.isAuthorizerTokenValid(token)).toBe(true);
      expect(await storedRefreshToken()).toBe(h.fake.authorizerState(TT, SHOP)?.refreshToken);
    });
  });

  it('exchange after a lost answer: a re-send would meet a spent code (40018), so none is made', async () => {
    const code = await freshCode();
    h.fake.loseResponseNext('auth_token');
    expect((await rejection(h.tokens.exchangeAuthorizationCode(code))).message).toContain('not sent again');
    expect(h.fake.calls('auth_token')).toBe(1);
    const again = await rejection(h.tokens.exchangeAuthorizationCode(code));
    expect(again.code).toBe(OpenPlatformErrorCode.INVALID_AUTHORIZATION_CODE);
  });

  it.each(['tp_token', 'link', 'refresh', 'exchange', 'auth_app_list'] as Call[])(
    '%s: a slow answer within httpTimeoutMs is awaited (one call)',
    async (c) => {
      h.fake.delayNext(CALLS[c].endpoint, SLOW_MS);
      await CALLS[c].run();
      expect(h.fake.calls(CALLS[c].endpoint)).toBe(1);
    },
  );

  describe('permanent faults surface at once with the platform code (one call), records unchanged', () => {
    it.each([
      ['tp_token', 40038], // invalid secret
      ['tp_token', 40003], // component not found
      ['tp_token', 20040003], // the same, 200-prefixed
      ['link', 40001],
      ['refresh', 40002],
      ['refresh', 40001],
      // 40022 / 40004 ("not authorized") are not faults but a revocation whose push was missed:
      // test/partial-failure-chain.e2e-spec.ts shows the record become revoked.
      ['auth_app_list', 40001],
    ] as Array<[Call, number]>)('%s answering %p', async (c, code) => {
      const before = await durableSnapshot(h.app);
      h.fake.failNext(CALLS[c].endpoint, { code });
      const err = await rejection(CALLS[c].run());
      expect(err).toMatchObject({ platform: 'douyin', code, retryable: false });
      expect(h.fake.calls(CALLS[c].endpoint)).toBe(1);
      expect(retries()).toHaveLength(0);
      expect(await durableSnapshot(h.app)).toBe(before);
    });

    it('exchange answering 40018 → INVALID_AUTHORIZATION_CODE after one call', async () => {
      const code = await freshCode();
      h.fake.failNext('auth_token', { code: 40018 });
      expect((await rejection(h.tokens.exchangeAuthorizationCode(code))).code).toBe(
        OpenPlatformErrorCode.INVALID_AUTHORIZATION_CODE,
      );
      expect(h.fake.calls('auth_token')).toBe(1);
    });

    it('busy on every attempt: a retryable error after exactly ATTEMPTS calls; the refresh token kept', async () => {
      const before = await durableSnapshot(h.app);
      h.fake.failNext('auth_token', { code: -1, times: ATTEMPTS });
      const err = await rejection(CALLS.refresh.run());
      expect(err).toMatchObject({ code: -1, retryable: true });
      expect(h.fake.calls('auth_token')).toBe(ATTEMPTS);
      expect(await durableSnapshot(h.app)).toBe(before);
    });
  });

  describe('the platform down (connections refused)', () => {
    /** Runs `call` with the emulator stopped; starts it again on its port at the module's first retry. */
    async function whileDown<T>(call: () => Promise<T>): Promise<{ result: T; refused: number }> {
      const port = portOf(h.fake.baseUrl);
      await h.fake.stop();
      // Let the module's pooled keep-alive sockets see the close.
      await new Promise((resolve) => setTimeout(resolve, 20));
      let refused = 0;
      let back: Promise<void> | undefined;
      const sub = h.app.get(OpenPlatformEvents).events$.subscribe((e) => {
        if (e.type !== 'upstream.retry') return;
        if (e.error.message.includes('ECONNREFUSED')) refused++;
        // Several refused attempts first, then the platform comes back.
        if (refused === 2) back ??= h.fake.start(port);
      });
      try {
        return { result: await call(), refused };
      } finally {
        sub.unsubscribe();
        await back;
      }
    }

    it('a refresh that never left is sent again; the refresh token is spent exactly once', async () => {
      const before = await storedRefreshToken();
      const { result, refused } = await whileDown(() => CALLS.refresh.run());
      expect(refused).toBeGreaterThanOrEqual(2);
      expect(h.fake.calls('auth_token')).toBe(1); // the one attempt that reached it
      expect(h.fake.calls('retrieve_auth_code')).toBe(0); // nothing to repair
      expect(h.fake.isAuthorizerTokenValid(result as string)).toBe(true);
      expect(await storedRefreshToken()).not.toBe(before); // rotated once, persisted
      expect(await storedRefreshToken()).toBe(h.fake.authorizerState(TT, SHOP)?.refreshToken);
    });

    it('a code exchange that never left is sent again', async () => {
      const code = await freshCode();
      const { result } = await whileDown(() => h.tokens.exchangeAuthorizationCode(code));
      expect(result).toMatchObject({ status: 'active' });
      expect(h.fake.calls('auth_token')).toBe(1);
    });

    it('tokens inside their renewal margin are served while it is down; records unchanged; renewed once it is back', async () => {
      const component = await h.tokens.getComponentAccessToken(TT);
      const authorizer = await h.tokens.getAuthorizerAccessToken(SHOP);
      const before = await durableSnapshot(h.app);
      const port = portOf(h.fake.baseUrl);
      await h.fake.stop();
      await new Promise((resolve) => setTimeout(resolve, 20));
      try {
        // Inside both margins, neither expired (component 7200 s, authorizer 7200 s by default).
        h.clock.advance(7200_000 - 200_000);
        for (let i = 0; i < 3; i++) {
          expect(await h.tokens.getComponentAccessToken(TT)).toBe(component);
          expect(await h.tokens.getAuthorizerAccessToken(SHOP)).toBe(authorizer);
        }
        // Each was renewed once in the background, behind the served token, and that failed.
        await eventually(() => failedKinds(seen.events).size === 2, 'both background renewals failing');
        expect(await durableSnapshot(h.app)).toBe(before);
      } finally {
        await h.fake.start(port);
      }
      // Back: the next attempt comes after the backoff (1 s after a first failure), in the background.
      h.clock.advance(1_000);
      await eventually(
        async () => (await h.tokens.getAuthorizerAccessToken(SHOP)) !== authorizer,
        'the authorizer token renewed once the platform is back',
      );
      expect(await storedRefreshToken()).toBe(h.fake.authorizerState(TT, SHOP)?.refreshToken);
    });
  });
});

/** The token kinds whose renewal failed, from `token.refresh_failed` events. */
function failedKinds(events: OpenPlatformEvent[]): Set<string> {
  return new Set(events.flatMap((e) => (e.type === 'token.refresh_failed' ? [e.tokenKind] : [])));
}
