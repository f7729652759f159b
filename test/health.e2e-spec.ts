import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { ComponentStatus, OpenPlatformHealthResult } from '../lib/index.js';
import { merchantAuthorizes } from './support/authorize-flow.js';
import { ATTEMPTS } from './support/fixtures.js';
import {
  expectNoSecret,
  getHealth,
  pushTickets,
  startApp,
  TerminusLog,
  TT,
  WX,
  type App,
} from './support/health-app.js';
import { rejection } from './support/rejection.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('health with @nestjs/terminus 12: HealthCheckService + OpenPlatformHealthIndicator (e2e over loopback HTTP)', () => {
  let a: App;
  beforeEach(async () => {
    a = await startApp({ terminus: true });
    TerminusLog.all.length = 0;
  });
  afterEach(() => a.close());

  it('200 "ok" when both components hold a ticket and a token; the missing tokens are obtained once each', async () => {
    await pushTickets(a);
    const res = await getHealth(a);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', info: { 'open-platform': { status: 'up' } }, error: {} });
    const components = res.body.details['open-platform'].components;
    expect(Object.keys(components)).toEqual([WX, TT]);
    for (const [appId, platform] of [
      [WX, 'wechat'],
      [TT, 'douyin'],
    ])
      expect(components[appId]).toMatchObject({
        componentAppId: appId,
        platform,
        status: 'up',
        ticket: { held: true, usable: true, ageMs: 0 },
        componentToken: { valid: true, expiresAt: a.clock.now() + 7200_000 },
        authorizers: { active: 0, revoked: 0, reauthorization_required: 0, no_api_permission: 0, total: 0 },
      });
    expect(a.wechat.calls('api_component_token')).toBe(1);
    expect(a.douyin.calls('tp_token')).toBe(1);
    // The tokens the check obtained are the ones callers get: no further platform call.
    await a.tokens.getComponentAccessToken(WX);
    await a.tokens.getComponentAccessToken(TT);
    expect((await getHealth(a)).status).toBe(200);
    expect(a.wechat.calls('api_component_token') + a.douyin.calls('tp_token')).toBe(2);
    await expectNoSecret(a, res.text);
  });

  it('503 with the component shown down when no ticket was pushed yet', async () => {
    expect((await a.douyin.pushTicket(a.events(TT), TT)).status).toBe(200); // Douyin only
    const res = await getHealth(a);
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('error');
    expect(res.body.error!['open-platform']).toMatchObject({
      status: 'down',
      components: {
        [WX]: { status: 'down', reason: { code: 'NO_TICKET' }, ticket: { held: false, usable: false } },
        [TT]: { status: 'up' },
      },
    });
    expect(a.wechat.calls('api_component_token')).toBe(0);
    expect(TerminusLog.all.join('\n')).toContain('Health Check has failed!');
    await expectNoSecret(a, res.text);
    await expectNoSecret(a, TerminusLog.all.join('\n'));
  });

  it('503 when the ticket expired (Douyin: 3 h), though the platform could still be reached', async () => {
    await pushTickets(a);
    expect((await getHealth(a)).status).toBe(200);
    a.clock.advance(3 * HOUR); // Douyin's ticket lifetime; WeChat's (12 h) is not over
    const res = await getHealth(a);
    expect(res.status).toBe(503);
    const components = res.body.details['open-platform'].components;
    expect(components[TT]).toMatchObject({
      status: 'down',
      reason: { code: 'NO_TICKET' },
      ticket: { held: true, usable: false, ageMs: 3 * HOUR },
    });
    expect(components[TT].reason?.message).toContain('expired at');
    // WeChat's token had expired too: the check obtained a new one with the still-usable ticket.
    expect(components[WX]).toMatchObject({ status: 'up', componentToken: { valid: true } });
    expect(a.wechat.calls('api_component_token')).toBe(2);
    // A new push brings Douyin back.
    expect((await a.douyin.pushTicket(a.events(TT), TT)).status).toBe(200);
    expect((await getHealth(a)).status).toBe(200);
    await expectNoSecret(a, res.text);
  });

  it('503 with the platform code when the emulator refuses the component token; probes do not retry for a minute', async () => {
    await pushTickets(a);
    a.wechat.failNext('api_component_token', { errcode: 61006 }); // ticket refused
    const res = await getHealth(a);
    expect(res.status).toBe(503);
    const wx = res.body.details['open-platform'].components[WX];
    expect(wx).toMatchObject({
      status: 'down',
      reason: { code: 61006 },
      componentToken: { valid: false },
      lastRenewalFailure: { tokenKind: 'component', code: 61006, at: a.clock.now() },
    });
    expect(res.body.details['open-platform'].components[TT].status).toBe('up');
    expect(a.wechat.calls('api_component_token')).toBe(1);

    a.clock.advance(MINUTE - 1);
    expect((await getHealth(a)).status).toBe(503);
    expect(a.wechat.calls('api_component_token')).toBe(1); // the failure is reported, not retried
    a.clock.advance(1);
    const recovered = await getHealth(a);
    expect(recovered.status).toBe(200);
    expect(a.wechat.calls('api_component_token')).toBe(2);
    // The failure stays visible as history.
    expect(recovered.body.details['open-platform'].components[WX].lastRenewalFailure).toMatchObject({ code: 61006 });
    await expectNoSecret(a, res.text);
    await expectNoSecret(a, recovered.text);
    await expectNoSecret(a, TerminusLog.all.join('\n'));
  });

  it('Douyin refusing the component token → Douyin down with its code', async () => {
    await pushTickets(a);
    a.douyin.failNext('tp_token', { code: 40010 });
    const res = await getHealth(a);
    expect(res.status).toBe(503);
    expect(res.body.error!['open-platform'].components[TT]).toMatchObject({
      status: 'down',
      lastRenewalFailure: { tokenKind: 'component' },
    });
    const { reason, lastRenewalFailure } = res.body.error!['open-platform'].components[TT];
    expect(reason?.code).toBe(lastRenewalFailure?.code);
    expect(String(reason?.code)).toContain('40010');
    await expectNoSecret(a, res.text);
  });
});

describe('health and status without terminus: the indicator and TokenService.status() called directly (e2e)', () => {
  let a: App;
  const wx = async (): Promise<ComponentStatus> => (await a.tokens.status(WX)).components[0];
  const tt = async (): Promise<ComponentStatus> => (await a.tokens.status(TT)).components[0];

  beforeEach(async () => {
    a = await startApp({ terminus: false });
  });
  afterEach(() => a.close());

  it('isHealthy() is terminus-shaped without terminus: down before tickets, up after; a custom key', async () => {
    const before: OpenPlatformHealthResult<'platforms'> = await a.indicator.isHealthy('platforms');
    expect(before.platforms.status).toBe('down');
    expect(before.platforms.components[WX].reason?.code).toBe('NO_TICKET');
    expect(before.platforms.components[TT].reason?.code).toBe('NO_TICKET');
    await pushTickets(a);
    const after = await a.indicator.isHealthy();
    expect(after['open-platform'].status).toBe('up');
    const onlyDouyin = await a.indicator.isHealthy('open-platform', TT);
    expect(Object.keys(onlyDouyin['open-platform'].components)).toEqual([TT]);
    expect((await rejection(a.indicator.isHealthy('x', 'wx_not_configured'))).code).toBe('UNKNOWN_COMPONENT');
    await expectNoSecret(a, [before, after, onlyDouyin]);
  });

  it('status() with no componentAppId covers every component and obtains nothing', async () => {
    await pushTickets(a);
    a.clock.advance(90_000);
    const status = await a.tokens.status();
    expect(status.at).toBe(a.clock.now());
    expect(status.components.map((c) => [c.componentAppId, c.platform])).toEqual([
      [WX, 'wechat'],
      [TT, 'douyin'],
    ]);
    expect(status.components[0].ticket).toEqual({
      held: true,
      usable: true,
      createdAt: a.clock.now() - 90_000,
      receivedAt: a.clock.now() - 90_000,
      ageMs: 90_000,
      expiresAt: a.clock.now() - 90_000 + 12 * HOUR,
    });
    expect(status.components[1].ticket.expiresAt).toBe(a.clock.now() - 90_000 + 3 * HOUR);
    expect(status.components[0].componentToken).toEqual({ valid: false });
    expect(a.wechat.calls('api_component_token') + a.douyin.calls('tp_token')).toBe(0);
    await a.tokens.getComponentAccessToken(WX);
    expect((await wx()).componentToken).toEqual({ valid: true, expiresAt: a.clock.now() + 7200_000 });
    await expectNoSecret(a, status);
  });

  it('WeChat authorizer counts: authorize, no API permission, revoke (unauthorized push), reauthorization_required', async () => {
    await pushTickets(a);
    // Records written before the first status call are counted by its one scan.
    const h = { fake: a.wechat, routesUrl: `${a.url}/open-platform` };
    for (const m of ['wx_shop_1', 'wx_shop_2', 'wx_shop_3']) {
      a.merchants.add(m);
      expect((await merchantAuthorizes(h, m)).body.status).toBe('active');
    }
    await a.wechat.settle();
    expect((await wx()).authorizers).toEqual({
      active: 3,
      revoked: 0,
      reauthorization_required: 0,
      no_api_permission: 0,
      total: 3,
    });
    // After that, every change is counted as it is written.
    a.merchants.add('wx_no_api');
    expect((await merchantAuthorizes(h, 'wx_no_api', { grantApi: false, funcIds: [] })).body.status).toBe(
      'no_api_permission',
    );
    await a.wechat.revoke(WX, 'wx_shop_1'); // pushes `unauthorized`
    await a.wechat.revoke(WX, 'wx_shop_2', { push: false }); // revoked upstream, no push
    a.clock.advance(2 * HOUR + 1000);
    await a.wechat.pushTicket(a.events(WX), WX);
    expect((await rejection(a.tokens.getAuthorizerAccessToken('wx_shop_2'))).code).toBe('REAUTHORIZATION_REQUIRED');
    await a.tokens.getAuthorizerAccessToken('wx_shop_3');
    const status = await wx();
    expect(status.authorizers).toEqual({
      active: 1,
      revoked: 1,
      reauthorization_required: 1,
      no_api_permission: 1,
      total: 4,
    });
    // The counts agree with the records.
    const listed = await a.tokens.listAuthorizers(WX);
    for (const s of ['active', 'revoked', 'reauthorization_required', 'no_api_permission'] as const)
      expect(status.authorizers[s]).toBe(listed.filter((r) => r.status === s).length);
    // A merchant re-authorizing after the revocation moves back.
    await a.wechat.authorize({ componentAppId: WX, authorizerAppId: 'wx_shop_1' });
    await a.wechat.settle();
    expect((await wx()).authorizers).toMatchObject({ active: 2, revoked: 0, total: 4 });
    expect((await tt()).authorizers.total).toBe(0);
    await expectNoSecret(a, [status, await a.tokens.status()]);
  });

  it('Douyin authorizer counts: authorize (push), revoke (UNAUTHORIZED push), revoke with the push missed', async () => {
    await pushTickets(a);
    expect((await tt()).authorizers.total).toBe(0); // counted from now on, as records are written
    for (const m of ['tt_shop_1', 'tt_shop_2', 'tt_shop_3']) {
      a.merchants.add(m);
      await a.douyin.authorize({ componentAppId: TT, authorizerAppId: m });
    }
    await a.douyin.settle();
    expect((await tt()).authorizers).toMatchObject({ active: 3, total: 3 });
    await a.douyin.revoke(TT, 'tt_shop_1');
    await a.douyin.settle();
    expect((await tt()).authorizers).toMatchObject({ active: 2, revoked: 1, total: 3 });
    await a.douyin.revoke(TT, 'tt_shop_2', { push: false });
    // The access tokens expired; the refresh is refused and the repair answered "not authorized":
    // the revocation whose push was missed.
    a.clock.advance(2 * HOUR + 1000);
    await a.douyin.pushTicket(a.events(TT), TT);
    expect((await rejection(a.tokens.getAuthorizerAccessToken('tt_shop_2'))).code).toBe('AUTHORIZER_REVOKED');
    await a.douyin.settle();
    await a.tokens.getAuthorizerAccessToken('tt_shop_3');
    const status = await tt();
    expect(status.authorizers).toEqual({
      active: 1,
      revoked: 2,
      reauthorization_required: 0,
      no_api_permission: 0,
      total: 3,
    });
    // A revocation is a state (counted above, and the `unauthorized` event), not a failed
    // renewal: it raises no `token.refresh_failed`.
    expect(status.lastRenewalFailure).toBeUndefined();
    expect((await wx()).authorizers.total).toBe(0);
    await expectNoSecret(a, [status, await a.indicator.isHealthy()]);
  });

  it('the last renewal failure after an injected failure: authorizer (WeChat) and component (Douyin) tokens', async () => {
    await pushTickets(a);
    const h = { fake: a.wechat, routesUrl: `${a.url}/open-platform` };
    a.merchants.add('wx_shop_1');
    await merchantAuthorizes(h, 'wx_shop_1');
    expect((await wx()).lastRenewalFailure).toBeUndefined();

    a.wechat.failNext('api_authorizer_token', { errcode: -1, times: ATTEMPTS }); // "system busy", every attempt
    const failedAt = a.clock.now();
    expect((await rejection(a.tokens.getAuthorizerAccessToken('wx_shop_1', { forceRefresh: true }))).code).toBe(-1);
    expect((await wx()).lastRenewalFailure).toEqual({
      at: failedAt,
      tokenKind: 'authorizer',
      authorizerAppId: 'wx_shop_1',
      code: -1,
      message: expect.any(String),
    });
    // An authorizer failure is reported, but the component stays up.
    expect((await a.indicator.isHealthy('h', WX)).h.status).toBe('up');

    a.clock.advance(MINUTE);
    a.douyin.failNext('tp_token', { code: 40010 });
    const douyinHealth = await a.indicator.isHealthy('h', TT);
    expect(douyinHealth.h.status).toBe('down');
    const failure = (await tt()).lastRenewalFailure;
    expect(failure).toMatchObject({ at: a.clock.now(), tokenKind: 'component' });
    expect(failure).not.toHaveProperty('authorizerAppId');
    expect(douyinHealth.h.components[TT].reason?.code).toBe(failure?.code);
    // The WeChat failure is still the last of its own component.
    expect((await wx()).lastRenewalFailure?.at).toBe(failedAt);
    await a.tokens.getAuthorizerAccessToken('wx_shop_1');
    await expectNoSecret(a, [await a.tokens.status(), douyinHealth]);
  });
});
