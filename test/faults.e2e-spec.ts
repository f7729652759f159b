import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { OpenPlatformErrorCode, OpenPlatformEvents, type OpenPlatformEvent } from '../lib/index.js';
import { ATTEMPTS, COMPONENT_A, TEST_RETRY } from './support/fixtures.js';
import {
  FAULT_TIMEOUT_MS,
  SLOW_MS,
  TIMES_OUT_MS,
  collectEvents,
  durableSnapshot,
  portOf,
} from './support/fault-kit.js';
import { startHarness, type Harness } from './support/harness.js';
import { eventually } from './support/eventually.js';
import { rejection } from './support/rejection.js';

// Upstream faults on every call the module makes to WeChat, against the emulator over loopback.
// Attempts are counted at the emulator; nothing here measures wall-clock time.

const A = COMPONENT_A.appId;
const SHOP = 'wx_fault_shop';
type Endpoint =
  | 'api_component_token'
  | 'api_create_preauthcode'
  | 'api_query_auth'
  | 'api_authorizer_token'
  | 'api_get_authorizer_list';

let h: Harness;
let seen: { events: OpenPlatformEvent[]; stop(): void };
let merchants = 0;

/** A fresh authorization code of a new merchant, not pushed (so only the test exchanges it). */
async function freshCode(): Promise<string> {
  const authorizerAppId = `wx_fault_new_${++merchants}`;
  return (await h.fake.authorize({ componentAppId: A, authorizerAppId, push: false })).authorizationCode;
}

/** Each upstream call, made through the public API so that exactly that call reaches the platform. */
const CALLS: Record<Endpoint, () => Promise<unknown>> = {
  api_component_token: () => h.tokens.getComponentAccessToken(A, { forceRefresh: true }),
  api_create_preauthcode: () => h.tokens.getAuthorizationUrl({ redirectUri: 'https://shop.example/authorized' }),
  api_query_auth: async () => h.tokens.exchangeAuthorizationCode(await freshCode()),
  api_authorizer_token: () => h.tokens.getAuthorizerAccessToken(SHOP, { forceRefresh: true }),
  api_get_authorizer_list: () => h.tokens.syncAuthorizers(A),
};
const IDEMPOTENT: Endpoint[] = [
  'api_component_token',
  'api_create_preauthcode',
  'api_authorizer_token',
  'api_get_authorizer_list',
];
const ALL: Endpoint[] = [...IDEMPOTENT, 'api_query_auth'];

/** Faults that a retry can get past, injected `times` times. */
const TRANSIENT: Array<[string, (e: Endpoint, times: number) => void]> = [
  ['errcode -1 (system busy)', (e, times) => h.fake.failNext(e, { errcode: -1, times })],
  ['HTTP 502', (e, times) => h.fake.statusNext(e, 502, times)],
  ['HTTP 503', (e, times) => h.fake.statusNext(e, 503, times)],
  ['a connection reset', (e, times) => h.fake.dropNext(e, times)],
  ['a timeout', (e, times) => h.fake.delayNext(e, TIMES_OUT_MS, times)],
];
/** Of those, the ones after which the platform may have processed the call. */
const AMBIGUOUS = TRANSIENT.filter(([name]) => !name.startsWith('errcode'));

beforeAll(async () => {
  h = await startHarness({ singleComponent: true, options: { httpTimeoutMs: FAULT_TIMEOUT_MS, retry: TEST_RETRY } });
  await h.fake.pushTicket(h.eventsUrl(), A);
  await h.fake.authorize({ componentAppId: A, authorizerAppId: SHOP });
  await h.fake.settle();
  expect(await h.tokens.getAuthorizer(SHOP)).toMatchObject({ status: 'active' });
});

afterAll(() => h.close());

beforeEach(() => {
  h.fake.clearFaults();
  h.fake.resetCalls();
  seen = collectEvents(h.app);
});

afterEach(() => seen.stop());

function retries(): OpenPlatformEvent[] {
  return seen.events.filter((e) => e.type === 'upstream.retry');
}

describe('transient faults are retried until the call succeeds', () => {
  describe.each(TRANSIENT)('%s', (_name, inject) => {
    it.each(IDEMPOTENT)('%s: ATTEMPTS - 1 faults, then success; every attempt reached the platform', async (e) => {
      inject(e, ATTEMPTS - 1);
      await CALLS[e]();
      expect(h.fake.calls(e)).toBe(ATTEMPTS);
      expect(retries()).toHaveLength(ATTEMPTS - 1);
      expect(retries().every((r) => r.type === 'upstream.retry' && r.endpoint === e)).toBe(true);
    });
  });

  it('a busy answer to a code exchange is retried too: the platform says it did nothing', async () => {
    h.fake.failNext('api_query_auth', { errcode: -1, times: ATTEMPTS - 1 });
    const info = await CALLS.api_query_auth();
    expect(info).toMatchObject({ status: 'active' });
    expect(h.fake.calls('api_query_auth')).toBe(ATTEMPTS);
  });

  it.each(ALL)('%s: a slow answer within httpTimeoutMs is simply awaited (one call)', async (e) => {
    h.fake.delayNext(e, SLOW_MS);
    await CALLS[e]();
    expect(h.fake.calls(e)).toBe(1);
    expect(retries()).toHaveLength(0);
  });
});

describe('transient faults on every attempt: a retryable error after exactly ATTEMPTS calls, nothing stored', () => {
  it.each(IDEMPOTENT)('%s', async (e) => {
    const before = await durableSnapshot(h.app);
    h.fake.failNext(e, { errcode: -1, times: ATTEMPTS });
    const err = await rejection(CALLS[e]());
    expect(err).toMatchObject({ platform: 'wechat', code: -1, retryable: true });
    expect(err.message).toContain(`gave up after ${ATTEMPTS} attempts`);
    expect(h.fake.calls(e)).toBe(ATTEMPTS);
    expect(await durableSnapshot(h.app)).toBe(before);
  });
});

describe('permanent faults surface at once with the platform code (one call)', () => {
  const PERMANENT: Array<[Endpoint, number]> = [
    ['api_component_token', 40013], // invalid appid
    ['api_component_token', 40125], // invalid secret
    ['api_component_token', 61004], // IP not whitelisted
    ...ALL.map((e): [Endpoint, number] => [e, 45009]), // daily quota: retrying only burns more
  ];

  it.each(PERMANENT)('%s answering %p', async (e, errcode) => {
    const before = await durableSnapshot(h.app);
    h.fake.failNext(e, { errcode });
    const err = await rejection(CALLS[e]());
    expect(err).toMatchObject({ platform: 'wechat', code: errcode, retryable: false });
    expect(h.fake.calls(e)).toBe(1);
    expect(retries()).toHaveLength(0);
    expect(await durableSnapshot(h.app)).toBe(before);
  });

  it('HTTP 404 (a wrong apiBaseUrl, say) is not retried', async () => {
    h.fake.statusNext('api_component_token', 404);
    expect(await rejection(CALLS.api_component_token())).toMatchObject({
      code: OpenPlatformErrorCode.TRANSPORT,
      status: 404,
      retryable: false,
    });
    expect(h.fake.calls('api_component_token')).toBe(1);
  });

  it('an invalid code (61009) is INVALID_AUTHORIZATION_CODE after one call', async () => {
    const code = await freshCode();
    h.fake.failNext('api_query_auth', { errcode: 61009 });
    const err = await rejection(h.tokens.exchangeAuthorizationCode(code));
    expect(err.code).toBe(OpenPlatformErrorCode.INVALID_AUTHORIZATION_CODE);
    expect(err.message).toContain('61009');
    expect(h.fake.calls('api_query_auth')).toBe(1);
  });
});

describe('code exchange: the code works once, so an answer that may be lost is never re-sent', () => {
  it.each(AMBIGUOUS)('%s → one call, a retryable TRANSPORT error that says why', async (_name, inject) => {
    const code = await freshCode();
    inject('api_query_auth', ATTEMPTS);
    const err = await rejection(h.tokens.exchangeAuthorizationCode(code));
    expect(err).toMatchObject({ platform: 'wechat', code: OpenPlatformErrorCode.TRANSPORT, retryable: true });
    expect(err.message).toContain('not sent again');
    expect(h.fake.calls('api_query_auth')).toBe(1);
    h.fake.clearFaults();
  });

  it('an answer lost after the platform spent the code: a re-send would be refused (61009); the list restores the authorizer', async () => {
    const authorizerAppId = 'wx_fault_lost_exchange';
    const { authorizationCode } = await h.fake.authorize({ componentAppId: A, authorizerAppId, push: false });
    h.fake.loseResponseNext('api_query_auth');
    expect((await rejection(h.tokens.exchangeAuthorizationCode(authorizationCode))).message).toContain(
      'not sent again',
    );
    expect(h.fake.calls('api_query_auth')).toBe(1);
    // What a blind retry would have met: the code is spent.
    expect((await rejection(h.tokens.exchangeAuthorizationCode(authorizationCode))).code).toBe(
      OpenPlatformErrorCode.INVALID_AUTHORIZATION_CODE,
    );
    // The authorization did happen, and WeChat's authorizer list carries its refresh token: a sync
    // (or, once the memo of a recent walk lapses, the first token request) restores the record.
    await h.tokens.syncAuthorizers(A);
    const token = await h.tokens.getAuthorizerAccessToken(authorizerAppId);
    expect(h.fake.isAuthorizerTokenValid(token)).toBe(true);
  });

  it('a reset before the platform read the request leaves the code unspent: exchanging it again works', async () => {
    const code = await freshCode();
    h.fake.dropNext('api_query_auth');
    await rejection(h.tokens.exchangeAuthorizationCode(code));
    expect(await h.tokens.exchangeAuthorizationCode(code)).toMatchObject({ status: 'active' });
    expect(h.fake.calls('api_query_auth')).toBe(2);
  });
});

describe('callers keep valid cached tokens while upstream is down; no refresh token is lost', () => {
  it('component and authorizer tokens inside their renewal margin are served through an outage', async () => {
    // A fresh platform: timed-out calls of other tests are processed late by the emulator (as a real
    // platform would), and the tokens they issue supersede the ones served here.
    const own = await startHarness({
      singleComponent: true,
      options: { httpTimeoutMs: FAULT_TIMEOUT_MS, retry: TEST_RETRY },
    });
    try {
      await marginOutage(own);
    } finally {
      await own.close();
    }
  });
});

/** Tokens inside their renewal margin, served while every renewal attempt fails with 503. */
async function marginOutage(h: Harness): Promise<void> {
  const seen = collectEvents(h.app);
  await h.fake.pushTicket(h.eventsUrl(), A);
  await h.fake.authorize({ componentAppId: A, authorizerAppId: SHOP });
  await h.fake.settle();
  const component = await h.tokens.getComponentAccessToken(A);
  const authorizer = await h.tokens.getAuthorizerAccessToken(SHOP);
  const before = await durableSnapshot(h.app);
  h.clock.advance(7200_000 - 200_000); // both within the 300 s margin, neither expired
  for (const e of ['api_component_token', 'api_authorizer_token'] as const) h.fake.statusNext(e, 503, 100);

  for (let i = 0; i < 3; i++) {
    expect(await h.tokens.getComponentAccessToken(A)).toBe(component);
    expect(await h.tokens.getAuthorizerAccessToken(SHOP)).toBe(authorizer);
  }
  expect(h.fake.isComponentTokenValid(component)).toBe(true);
  expect(h.fake.isAuthorizerTokenValid(authorizer)).toBe(true);
  // Each was renewed once in the background, behind the served token, and that failed.
  await eventually(
    () => new Set(seen.events.flatMap((e) => (e.type === 'token.refresh_failed' ? [e.tokenKind] : []))).size === 2,
    'both background renewals failing',
  );
  expect(await durableSnapshot(h.app)).toBe(before);

  // Upstream back: after the backoff (1 s after a first failure) the next callers renew both.
  h.fake.clearFaults();
  h.clock.advance(1_000);
  await eventually(
    async () => (await h.tokens.getComponentAccessToken(A)) !== component,
    'the component token renewed once upstream is back',
  );
  await eventually(
    async () => (await h.tokens.getAuthorizerAccessToken(SHOP)) !== authorizer,
    'the authorizer token renewed once upstream is back',
  );
  seen.stop();
}

describe('a refused connection (the platform down) is retried for every call, single-use ones included', () => {
  // Its own app: enough attempts, and backoffs long enough, for the emulator to come back in between.
  let down: Harness;
  beforeAll(async () => {
    down = await startHarness({
      singleComponent: true,
      options: { httpTimeoutMs: FAULT_TIMEOUT_MS, retry: { attempts: 10, baseDelayMs: 20, maxDelayMs: 50 } },
    });
    await down.fake.pushTicket(down.eventsUrl(), A);
    await down.fake.authorize({ componentAppId: A, authorizerAppId: SHOP });
    await down.fake.settle();
  });
  afterAll(() => down.close());

  /** Runs `call` with the emulator stopped; starts it again on its port at the module's first retry. */
  async function whileDown<T>(call: () => Promise<T>): Promise<{ result: T; refused: OpenPlatformEvent[] }> {
    const port = portOf(down.fake.baseUrl);
    await down.fake.stop();
    // Let the module's pooled keep-alive sockets see the close, so the next attempt is refused
    // rather than reset on a stale socket.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const watch = collectEvents(down.app);
    let back: Promise<void> | undefined;
    const sub = down.app.get(OpenPlatformEvents).events$.subscribe((e) => {
      if (e.type === 'upstream.retry') back ??= down.fake.start(port);
    });
    try {
      return { result: await call(), refused: watch.events.filter((e) => e.type === 'upstream.retry') };
    } finally {
      sub.unsubscribe();
      watch.stop();
      await back;
    }
  }

  const DOWN_CALLS: Record<Endpoint, () => Promise<unknown>> = {
    api_component_token: () => down.tokens.getComponentAccessToken(A, { forceRefresh: true }),
    api_create_preauthcode: () => down.tokens.getAuthorizationUrl({ redirectUri: 'https://shop.example/authorized' }),
    api_query_auth: () => Promise.reject(new Error('built in the test')),
    api_authorizer_token: () => down.tokens.getAuthorizerAccessToken(SHOP, { forceRefresh: true }),
    api_get_authorizer_list: () => down.tokens.syncAuthorizers(A),
  };

  it.each(IDEMPOTENT)('%s', async (e) => {
    const refreshToken = down.fake.authorizerState(A, SHOP)?.refreshToken;
    down.fake.resetCalls();
    const { refused } = await whileDown(DOWN_CALLS[e]);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const r of refused)
      expect(r).toMatchObject({ endpoint: e, error: { message: expect.stringContaining('ECONNREFUSED') } });
    expect(down.fake.calls(e)).toBe(1); // only the attempt after the restart reached it
    expect(down.fake.authorizerState(A, SHOP)?.refreshToken).toBe(refreshToken);
  });

  it('api_query_auth: a code exchange that never left is sent again, and the code is exchanged once', async () => {
    const { authorizationCode } = await down.fake.authorize({
      componentAppId: A,
      authorizerAppId: 'wx_fault_refused',
      push: false,
    });
    down.fake.resetCalls();
    const { result, refused } = await whileDown(() => down.tokens.exchangeAuthorizationCode(authorizationCode));
    expect(result).toMatchObject({ authorizerAppId: 'wx_fault_refused', status: 'active' });
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(down.fake.calls('api_query_auth')).toBe(1);
  });
});
