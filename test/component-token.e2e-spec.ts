import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { OpenPlatformErrorCode, type OpenPlatformEvent } from '../lib/index.js';
import { OpenPlatformEvents } from '../lib/index.js';
import { ATTEMPTS, COMPONENT_A, COMPONENT_B } from './support/fixtures.js';
import { eventually } from './support/eventually.js';
import { startHarness, type Harness } from './support/harness.js';
import { rejection } from './support/rejection.js';

const HOUR = 3600_000;

describe('component token (e2e over loopback HTTP)', () => {
  let h: Harness;
  let events: OpenPlatformEvent[];
  beforeEach(async () => {
    h = await startHarness();
    events = [];
    h.app.get(OpenPlatformEvents).events$.subscribe((e) => events.push(e));
  });
  afterEach(() => h.close());

  it('obtains the emulator token after a ticket push over HTTP', async () => {
    const push = await h.fake.pushTicket(h.eventsUrl(), COMPONENT_A.appId);
    expect(push).toMatchObject({ status: 200, body: 'success' });
    const token = await h.tokens.getComponentAccessToken(COMPONENT_A.appId);
    expect(h.fake.isComponentTokenValid(token)).toBe(true);
    expect(h.fake.calls('api_component_token')).toBe(1);
    expect(events.map((e) => e.type)).toEqual(['ticket', 'token.refreshed']);
  });

  it('1,000 concurrent callers on a cold cache cause exactly one upstream call', async () => {
    await h.fake.pushTicket(h.eventsUrl(), COMPONENT_A.appId);
    h.fake.delayNext('api_component_token', 50); // keep the call in flight while callers pile up
    const tokens = await Promise.all(
      Array.from({ length: 1000 }, () => h.tokens.getComponentAccessToken(COMPONENT_A.appId)),
    );
    expect(new Set(tokens).size).toBe(1);
    expect(h.fake.calls('api_component_token')).toBe(1);
    expect(h.fake.isComponentTokenValid(tokens[0])).toBe(true);
  });

  it('serves the cached token while fresh and renews it by the rule, honouring expires_in', async () => {
    h.fake.componentTokenExpiresIn = 600; // renew when < min(300 s, 120 s) = 120 s left
    await h.fake.pushTicket(h.eventsUrl(), COMPONENT_A.appId);
    const first = await h.tokens.getComponentAccessToken(COMPONENT_A.appId);
    h.clock.advance(479_000);
    expect(await h.tokens.getComponentAccessToken(COMPONENT_A.appId)).toBe(first);
    expect(h.fake.calls('api_component_token')).toBe(1);
    h.clock.advance(2_000); // 119 s left: due, still valid
    // Served at once while one renewal runs in the background; a later call gets the new token.
    expect(await h.tokens.getComponentAccessToken(COMPONENT_A.appId)).toBe(first);
    let second = first;
    await eventually(
      async () => (second = await h.tokens.getComponentAccessToken(COMPONENT_A.appId)) !== first,
      'the renewed component token',
    );
    expect(h.fake.calls('api_component_token')).toBe(2);
    expect(h.fake.isComponentTokenValid(second)).toBe(true);
  });

  it('forceRefresh obtains a new token, once for any number of concurrent callers', async () => {
    await h.fake.pushTicket(h.eventsUrl(), COMPONENT_A.appId);
    const first = await h.tokens.getComponentAccessToken(COMPONENT_A.appId);
    const forced = await Promise.all(
      Array.from({ length: 50 }, () => h.tokens.getComponentAccessToken(COMPONENT_A.appId, { forceRefresh: true })),
    );
    expect(new Set(forced).size).toBe(1);
    expect(forced[0]).not.toBe(first);
    expect(h.fake.calls('api_component_token')).toBe(2);
    expect(await h.tokens.getComponentAccessToken(COMPONENT_A.appId)).toBe(forced[0]);
  });

  it('says clearly that no ticket arrived yet, without calling upstream', async () => {
    const err = await rejection(h.tokens.getComponentAccessToken(COMPONENT_A.appId));
    expect(err.code).toBe(OpenPlatformErrorCode.NO_TICKET);
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('no verify ticket has been received');
    expect(err.message).toContain(`POST /open-platform/${COMPONENT_A.appId}/events`);
    expect(h.fake.calls('api_component_token')).toBe(0);
  });

  it('keeps using the last ticket when pushes are missed, until its 12 h lifetime ends', async () => {
    await h.fake.pushTicket(h.eventsUrl(), COMPONENT_A.appId);
    h.fake.issueTicket(COMPONENT_A.appId); // pushes that never reached the app
    h.fake.issueTicket(COMPONENT_A.appId);
    h.clock.advance(11 * HOUR);
    const token = await h.tokens.getComponentAccessToken(COMPONENT_A.appId);
    expect(h.fake.isComponentTokenValid(token)).toBe(true);
    h.clock.advance(HOUR + 1000);
    const err = await rejection(h.tokens.getComponentAccessToken(COMPONENT_A.appId, { forceRefresh: true }));
    expect(err.code).toBe(OpenPlatformErrorCode.NO_TICKET);
    expect(err.message).toMatch(/expired at .* no push has arrived since/);
  });

  it('keeps components apart: each uses its own ticket and token', async () => {
    await h.fake.pushTicket(h.eventsUrl(COMPONENT_A.appId), COMPONENT_A.appId);
    await expect(h.tokens.getComponentAccessToken(COMPONENT_B.appId)).rejects.toMatchObject({
      code: OpenPlatformErrorCode.NO_TICKET,
    });
    await h.fake.pushTicket(h.eventsUrl(COMPONENT_B.appId), COMPONENT_B.appId);
    const [a, b] = await Promise.all([
      h.tokens.getComponentAccessToken(COMPONENT_A.appId),
      h.tokens.getComponentAccessToken(COMPONENT_B.appId),
    ]);
    expect(a).not.toBe(b);
    expect(h.fake.calls('api_component_token')).toBe(2);
  });

  it('requires componentAppId when several components are configured, and refuses unknown ones', async () => {
    await expect(h.tokens.getComponentAccessToken()).rejects.toMatchObject({
      code: OpenPlatformErrorCode.UNKNOWN_COMPONENT,
    });
    await expect(h.tokens.getComponentAccessToken('wx_nope')).rejects.toMatchObject({
      code: OpenPlatformErrorCode.UNKNOWN_COMPONENT,
    });
  });

  describe('upstream failures surface as OpenPlatformError, never a raw axios error', () => {
    beforeEach(() => h.fake.pushTicket(h.eventsUrl(), COMPONENT_A.appId));

    it.each([
      [61006, false],
      [61005, false],
      [40125, false],
      [-1, true],
    ])('errcode %p → same code, retryable %p, then recovers', async (errcode, retryable) => {
      // A retryable code on every attempt, a permanent one once (it is not retried).
      h.fake.failNext('api_component_token', { errcode, times: retryable ? ATTEMPTS : 1 });
      const err = await rejection(h.tokens.getComponentAccessToken(COMPONENT_A.appId));
      expect(err).toMatchObject({ platform: 'wechat', code: errcode, retryable });
      expect(err.message).not.toContain(COMPONENT_A.appSecret);
      expect(events.find((e) => e.type === 'token.refresh_failed')?.error?.code).toBe(errcode);
      expect(h.fake.isComponentTokenValid(await h.tokens.getComponentAccessToken(COMPONENT_A.appId))).toBe(true);
    });

    it.each([
      ['dropped connection', (h: Harness) => h.fake.dropNext('api_component_token', ATTEMPTS)],
      ['HTTP 502', (h: Harness) => h.fake.statusNext('api_component_token', 502, ATTEMPTS)],
    ])('%s → retryable TRANSPORT error without secrets', async (_name, inject) => {
      inject(h);
      const err = await rejection(h.tokens.getComponentAccessToken(COMPONENT_A.appId));
      expect(err).toMatchObject({ platform: 'wechat', code: OpenPlatformErrorCode.TRANSPORT, retryable: true });
      expect(err.cause).toBeUndefined();
      expect(JSON.stringify(err)).not.toContain(COMPONENT_A.appSecret);
    });

    it('a failed renewal keeps serving the still-valid token', async () => {
      const first = await h.tokens.getComponentAccessToken(COMPONENT_A.appId);
      h.clock.advance(7200_000 - 200_000); // inside the renewal window, not expired
      h.fake.failNext('api_component_token', { errcode: -1, times: ATTEMPTS });
      expect(await h.tokens.getComponentAccessToken(COMPONENT_A.appId)).toBe(first);
      await eventually(() => events.some((e) => e.type === 'token.refresh_failed'), 'the failed renewal');
      const attempts = h.fake.calls('api_component_token');
      // The next attempt waits for the backoff (1 s after a first failure); the valid token is served meanwhile.
      expect(await h.tokens.getComponentAccessToken(COMPONENT_A.appId)).toBe(first);
      expect(h.fake.calls('api_component_token')).toBe(attempts);
      h.clock.advance(1_000);
      let renewed = first;
      await eventually(
        async () => (renewed = await h.tokens.getComponentAccessToken(COMPONENT_A.appId)) !== first,
        'the renewed component token',
      );
      expect(h.fake.calls('api_component_token')).toBe(attempts + 1);
      expect(h.fake.isComponentTokenValid(renewed)).toBe(true);
    });
  });
});
