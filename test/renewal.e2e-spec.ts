import { describe, expect, it } from '@jest/globals';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import { firstValueFrom } from 'rxjs';
import { AuthorizerRenewals } from '../lib/authorizers/authorizer-renewals.js';
import { MemoryDurableStore, OpenPlatformHttpService, OpenPlatformModule } from '../lib/index.js';
import { RENEWAL_INTERVAL_NAME } from '../lib/refresh/renewal.scheduler.js';
import { DOUYIN_COMPONENT } from './support/douyin-harness.js';
import { COMPONENT_A, wechatComponent } from './support/fixtures.js';
import { ManualClock } from './support/manual-clock.js';
import { onboard, refreshed, SHOPS, startWorld, TT_SHOP } from './support/renewal-world.js';

const MIN = 60_000;

/**
 * Authorizers a tick renews when 7000 s pass: the WeChat shops. The Douyin one's 1 h token is due
 * too, but nobody used it (onboard never does), so only its refresh-token keepalive is scheduled:
 * renewing an idle Douyin token ahead would rotate its chain for nothing.
 */
const ALL = SHOPS.length;

describe('scheduled renewal (e2e over loopback HTTP, time driven by hand)', () => {
  it('renews component and authorizer tokens before they expire, with no caller at all', async () => {
    const w = await startWorld();
    await onboard(w);
    const component = w.wechat.calls('api_component_token');
    const authorizer = w.wechat.calls('api_authorizer_token');
    const oldTokens = await Promise.all(SHOPS.map((s) => w.tokens.getAuthorizerAccessToken(s)));

    // Nothing is due yet: a tick renews nothing and calls nothing.
    expect(await w.tick()).toMatchObject({ components: 0, authorizers: 0, failed: 0 });
    expect(w.wechat.calls('api_component_token')).toBe(component);

    // 2 h tokens, 300 s margin: 7000 s in, everything is inside its renewal window (not expired).
    w.clock.advance(7000 * 1000);
    const report = await w.tick();
    expect(report).toMatchObject({ components: 2, authorizers: ALL, failed: 0 });
    expect((await w.tokens.status()).renewal).toEqual({
      scheduled: true,
      intervalMs: 60_000,
      lastTick: { ...report },
    });
    expect(w.wechat.calls('api_component_token')).toBe(component + 1);
    expect(w.wechat.calls('api_authorizer_token')).toBe(authorizer + SHOPS.length);

    // Callers now get the renewed tokens without any upstream call, and the platform accepts them.
    const calls = w.wechat.calls('api_authorizer_token') + w.wechat.calls('api_component_token');
    const fresh = await Promise.all(SHOPS.map((s) => w.tokens.getAuthorizerAccessToken(s)));
    fresh.forEach((t, i) => {
      expect(t).not.toBe(oldTokens[i]);
      expect(w.wechat.isAuthorizerTokenValid(t)).toBe(true);
    });
    const http = w.app.get(OpenPlatformHttpService);
    const answer = await firstValueFrom(
      http.get<{ errcode: number }>(`${w.wechat.baseUrl}/cgi-bin/account/getaccountbasicinfo`, {
        authorizerAppId: SHOPS[0],
      }),
    );
    expect(answer.data.errcode).toBe(0);
    expect(w.wechat.calls('api_authorizer_token') + w.wechat.calls('api_component_token')).toBe(calls);

    // A second tick right away finds nothing due.
    expect(await w.tick()).toMatchObject({ components: 0, authorizers: 0, failed: 0 });
    expect(w.wechat.calls('api_authorizer_token')).toBe(authorizer + SHOPS.length);
  });

  it('keeps a Douyin refresh token alive before it expires, unused, with no repair and no reuse', async () => {
    const w = await startWorld({ douyinRefreshSeconds: 20 });
    await onboard(w);
    const before = await w.tokens.getAuthorizer(TT_SHOP);
    const exchanges = w.douyin.calls('auth_token');
    // The access token lives an hour; the refresh token 20 s. 17 s in, the refresh token is 85% used.
    w.clock.advance(17_000);
    expect((await w.tick()).authorizers).toBe(1);
    expect(w.douyin.calls('auth_token')).toBe(exchanges + 1);
    const after = await w.tokens.getAuthorizer(TT_SHOP);
    expect(after?.refreshTokenExpiresAt).toBeGreaterThan(w.clock.now() + 19_000);
    expect(after?.refreshTokenExpiresAt).toBeGreaterThan(before!.refreshTokenExpiresAt!);
    // Four more refresh-token lifetimes: the chain never breaks.
    for (let i = 0; i < 4; i++) {
      w.clock.advance(17_000);
      expect((await w.tick()).failed).toBe(0);
    }
    expect(w.douyin.calls('retrieve_auth_code')).toBe(0);
    expect(w.douyin.refreshTokenReuses(TT_SHOP)).toBe(0);
    const token = await w.tokens.getAuthorizerAccessToken(TT_SHOP);
    expect(w.douyin.isAuthorizerTokenValid(token)).toBe(true);
    expect((await w.tokens.getAuthorizer(TT_SHOP))?.status).toBe('active');
  });

  it('renews nothing for revoked or re-authorization-required authorizers', async () => {
    const w = await startWorld();
    await onboard(w);
    const renewals = w.app.get(AuthorizerRenewals);
    const component = { appId: COMPONENT_A.appId, platform: 'wechat' } as never;
    expect(await renewals.size(component)).toBe(3);

    await w.wechat.revoke(COMPONENT_A.appId, SHOPS[1], { push: true });
    await w.wechat.settle();
    // The third one's chain breaks beyond repair: its refresh token changed and the list hides it.
    w.wechat.rotateRefreshToken(COMPONENT_A.appId, SHOPS[2]);
    w.wechat.hideRefreshTokenInList(COMPONENT_A.appId, SHOPS[2]);
    expect(await renewals.size(component)).toBe(2);

    w.clock.advance(7000 * 1000);
    const first = await w.tick();
    expect(first.authorizers).toBe(1); // the first WeChat shop (the Douyin one is idle)
    expect(first.failed).toBe(1);
    expect((await w.tokens.getAuthorizer(SHOPS[2]))?.status).toBe('reauthorization_required');
    expect(await renewals.size(component)).toBe(1);

    const calls = w.wechat.calls('api_authorizer_token');
    w.clock.advance(7000 * 1000);
    w.wechat.pushTicket(`${w.url}/open-platform/${COMPONENT_A.appId}/events`, COMPONENT_A.appId).catch(() => {});
    await w.wechat.settle();
    expect((await w.tick()).authorizers).toBe(1);
    // Only the active WeChat one was renewed: one call.
    expect(w.wechat.calls('api_authorizer_token')).toBe(calls + 1);
  });

  it('a failure on one authorizer never stops the others; it is reported and retried at the next tick', async () => {
    // One send per call: with call retries, the one injected fault would be absorbed by a retry
    // (test/faults.e2e-spec.ts covers those).
    const w = await startWorld({ retry: { attempts: 1 } });
    await onboard(w);
    w.clock.advance(7000 * 1000);
    w.wechat.failNext('api_authorizer_token', { errcode: -1 });
    const first = await w.tick();
    expect(first).toMatchObject({ authorizers: ALL - 1, failed: 1 });
    const failed = w.events.filter((e) => e.type === 'token.refresh_failed' && e.tokenKind === 'authorizer');
    expect(failed).toHaveLength(1);
    expect(w.logger.at('warn', /renewal tick: .* 1 failed/)).toHaveLength(1);
    // Next tick (an interval later): only the one that failed is still due.
    w.clock.advance(MIN);
    const second = await w.tick();
    expect(second).toMatchObject({ authorizers: 1, failed: 0 });
    for (const shop of SHOPS) expect(refreshed(w, shop)).toHaveLength(1); // each renewed exactly once
  });

  it('a platform that looks down pauses the authorizers of its component until the next tick', async () => {
    const shops = Array.from({ length: 12 }, (_, i) => `wx_renew_down_${i}`);
    const w = await startWorld({
      refresh: { enabled: true, intervalMs: 60_000, concurrency: 2 },
      retry: { attempts: 1 },
    });
    await onboard(w, shops);
    w.clock.advance(7000 * 1000);
    // The component token is renewed first (while the platform answers), then every refresh fails.
    await w.tick();
    // The Douyin shop's token is used, so it is renewed ahead of time from now on.
    await w.tokens.getAuthorizerAccessToken(TT_SHOP);
    w.clock.advance(7000 * 1000);
    w.wechat.failNext('api_authorizer_token', { errcode: -1, times: 1000 });
    const calls = w.wechat.calls('api_authorizer_token');
    const down = await w.tick();
    // Four transient failures in a row (max(4, concurrency)) pause the pass; one more may have
    // been in flight on the other worker.
    expect(down.failed).toBeGreaterThanOrEqual(4);
    expect(down.failed).toBeLessThanOrEqual(5);
    expect(down.authorizers).toBe(1); // the Douyin shop: another platform, not paused
    expect(down.deferred).toBe(shops.length - down.failed);
    expect(w.wechat.calls('api_authorizer_token') - calls).toBe(down.failed);
    expect(w.logger.at('warn', /scheduled renewal of the authorizers of wx_component_a paused/)).toHaveLength(1);

    // The platform is back: the next tick (an interval later) renews every one of them.
    w.wechat.clearFaults();
    w.clock.advance(MIN);
    const back = await w.tick();
    expect(back).toMatchObject({ authorizers: shops.length, failed: 0, deferred: 0 });
  });

  it('ticks never overlap: a tick asked for while one runs is skipped', async () => {
    const w = await startWorld();
    await onboard(w);
    w.clock.advance(7000 * 1000);
    w.wechat.delayNext('api_authorizer_token', 300, SHOPS.length);
    const calls = w.wechat.calls('api_authorizer_token');
    const running = w.tick();
    await new Promise((r) => setTimeout(r, 50));
    expect(await w.sweep.tick()).toBeUndefined();
    expect((await running).authorizers).toBe(ALL);
    expect(w.wechat.calls('api_authorizer_token')).toBe(calls + SHOPS.length);
  });

  it('renews at most refresh.concurrency authorizers at a time', async () => {
    const shops = Array.from({ length: 12 }, (_, i) => `wx_renew_many_${i}`);
    const w = await startWorld({ refresh: { enabled: true, intervalMs: 60_000, concurrency: 3 } });
    await onboard(w, shops);
    w.clock.advance(7000 * 1000);
    w.wechat.delayNext('api_authorizer_token', 40, shops.length);
    // The emulator counts a call when it arrives; a renewal is done when its event is out.
    const started = w.wechat.calls('api_authorizer_token');
    const done = refreshed(w).length;
    let peak = 0;
    const sampler = setInterval(() => {
      const inFlight = w.wechat.calls('api_authorizer_token') - started - (refreshed(w).length - done);
      peak = Math.max(peak, inFlight);
    }, 2);
    const report = await w.tick();
    clearInterval(sampler);
    expect(report.authorizers).toBe(shops.length);
    expect(peak).toBe(3);
  });

  it('after a restart on the same durable store, every active WeChat authorizer is renewed at the first tick', async () => {
    const clock = new ManualClock();
    const durable = new MemoryDurableStore();
    const first = await startWorld({ clock, durable });
    await onboard(first);
    await first.app.close();
    const calls = first.wechat.calls('api_authorizer_token');
    // The token cache did not survive (process memory); the records did.
    const second = await startWorld({ clock, durable, wechat: first.wechat, douyin: first.douyin });
    // The boot tick, or ours: together they renew each authorizer once.
    await second.tick();
    expect(first.wechat.calls('api_authorizer_token')).toBe(calls + SHOPS.length);
    expect(first.douyin.refreshTokenReuses(TT_SHOP)).toBe(0);
    const http = second.app.get(OpenPlatformHttpService);
    const answer = await firstValueFrom(
      http.get<{ errcode: number }>(`${first.wechat.baseUrl}/cgi-bin/account/getaccountbasicinfo`, {
        authorizerAppId: SHOPS[0],
      }),
    );
    expect(answer.data.errcode).toBe(0);
    expect(first.wechat.calls('api_authorizer_token')).toBe(calls + SHOPS.length);
  });
});

describe('missed ticket pushes are loud', () => {
  it('warns once when no push arrived for 20 minutes, errs once when the ticket is about to expire', async () => {
    const w = await startWorld();
    await onboard(w, SHOPS.slice(0, 1));
    await w.tick();
    expect(w.logger.at('warn', /verify ticket/)).toHaveLength(0);

    w.clock.advance(21 * MIN);
    await w.tick();
    await w.tick();
    // One warning per component (both stopped pushing), not per tick.
    expect(w.logger.at('warn', /no verify ticket push for component/)).toHaveLength(2);
    const overdue = w.events.filter((e) => e.type === 'ticket.overdue');
    expect(overdue.map((e) => e.componentAppId).sort()).toEqual([DOUYIN_COMPONENT.appId, COMPONENT_A.appId].sort());

    // A new push resets the watch for that component.
    await w.wechat.pushTicket(`${w.url}/open-platform/${COMPONENT_A.appId}/events`, COMPONENT_A.appId);
    w.clock.advance(10 * MIN);
    await w.tick();
    expect(w.logger.at('warn', /no verify ticket push for component/)).toHaveLength(2);

    // Douyin tickets live 3 h: with less than a quarter left (~2 h 16 min in) it is an error, once.
    w.clock.advance(105 * MIN);
    await w.tick();
    await w.tick();
    const errors = w.logger.at('error', /verify ticket of component tt_component_a expires in/);
    expect(errors).toHaveLength(1);
    expect(w.events.filter((e) => e.type === 'ticket.expiring').map((e) => e.componentAppId)).toEqual([
      DOUYIN_COMPONENT.appId,
    ]);
    // The WeChat ticket (12 h) is only overdue again: one more warning for it.
    expect(w.logger.at('warn', /no verify ticket push for component wx_component_a/)).toHaveLength(2);
  });

  it('warns when no ticket arrived at all in the 20 minutes after start', async () => {
    const w = await startWorld();
    await w.tick();
    w.clock.advance(21 * MIN);
    await w.tick();
    expect(w.logger.at('warn', /no verify ticket has arrived for component .* since the app started/)).toHaveLength(2);
    expect(w.events.filter((e) => e.type === 'ticket.overdue' && e.lastReceivedAt === undefined)).toHaveLength(2);
  });
});

describe('refresh.enabled', () => {
  it("'auto' with the app's scheduler: one named interval in the app's registry, gone after close", async () => {
    const w = await startWorld({ refresh: { intervalMs: 60_000 }, schedule: true });
    expect(w.logger.at('log', /scheduled renewal is on: every 60s/)).toHaveLength(1);
    // startWorld takes the interval out to drive time by hand: a fresh app shows it registered.
    const moduleRef = await Test.createTestingModule({
      imports: [
        ScheduleModule.forRoot(),
        OpenPlatformModule.forRoot({ components: [wechatComponent(COMPONENT_A, w.wechat.baseUrl)] }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const own = app.get(SchedulerRegistry);
    expect(own.getIntervals()).toEqual([RENEWAL_INTERVAL_NAME]);
    await app.close();
    expect(own.doesExist('interval', RENEWAL_INTERVAL_NAME)).toBe(false);
  });

  it("'auto' without the scheduler: off, said once at boot with how to turn it on", async () => {
    const w = await startWorld({ refresh: { enabled: 'auto' }, schedule: false });
    const lines = [...w.logger.at('log', /scheduled renewal/), ...w.logger.at('warn', /scheduled renewal/)];
    expect(lines).toHaveLength(1);
    expect(lines[0].message).toContain('ScheduleModule.forRoot()');
    // A Douyin component is configured: the 30-day risk is named, as a warning.
    expect(w.logger.at('warn', /Douyin authorizer unused for 30 days/)).toHaveLength(1);
  });

  it('true without the scheduler: the app refuses to start, saying why', async () => {
    const err = await startWorld({ refresh: { enabled: true }, schedule: false }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toContain('refresh.enabled: true requires');
    expect(err?.message).toContain('ScheduleModule.forRoot()');
  });

  it('false: off, said at boot, and no interval even with the scheduler', async () => {
    const w = await startWorld({ refresh: { enabled: false }, schedule: true });
    expect(w.logger.at('log', /scheduled renewal is off \(refresh.enabled: false\)/)).toHaveLength(1);
    expect((await w.tokens.status()).renewal).toEqual({ scheduled: false, intervalMs: 60_000 });
    expect(w.app.get(SchedulerRegistry).getIntervals()).toEqual([]);
  });
});
