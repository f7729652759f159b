import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';
import { createCache } from 'cache-manager';
import { AuthorizerStore } from '../authorizers/authorizer.store.js';
import type { AuthorizerRecord } from '../authorizers/authorizer.interface.js';
import { Clock } from '../clock/clock.js';
import { ComponentsService } from '../components/components.service.js';
import { OpenPlatformError } from '../errors/open-platform.error.js';
import { OpenPlatformEvents } from '../events/open-platform-events.service.js';
import { MemoryLockService } from '../lock/lock.service.js';
import type { ResolvedComponent, ResolvedOptions } from '../options/resolved-options.js';
import type { ComponentToken } from '../platforms/platform-adapter.js';
import type { PlatformRegistry } from '../platforms/platform-registry.js';
import { MemoryDurableStore } from '../store/durable-store.js';
import { CacheManagerTokenCache } from '../store/token-cache.js';
import { TicketStore } from '../tickets/ticket.store.js';
import { ComponentTokenService } from '../tokens/component-token.service.js';
import { HEALTH_TOKEN_RETRY_MS, OpenPlatformHealthIndicator } from './open-platform.health-indicator.js';
import { RenewalFailureLog } from './renewal-failure.log.js';
import type { RenewalScheduler } from '../refresh/renewal.scheduler.js';
import type { RenewalSweep } from '../refresh/renewal-sweep.service.js';
import { OpenPlatformStorage } from '../store/storage.js';
import { StatusService } from './status.service.js';

const HOUR = 3600_000;
const SECRET = 'component-secret-must-not-leak';
const A = { platform: 'wechat', appId: 'wx_a', appSecret: SECRET } as ResolvedComponent;
const B = { platform: 'douyin', appId: 'tt_b', appSecret: SECRET } as ResolvedComponent;

class ManualClock extends Clock {
  t = 1_700_000_000_000;
  now(): number {
    return this.t;
  }
}

/** The platform's component-token endpoint, as the adapter sees it: scripted answers, counted calls. */
class FakeTokenEndpoint {
  calls = 0;
  issued: string[] = [];
  failWith: OpenPlatformError | undefined;
  async fetch(_component: ResolvedComponent, _ticket: string): Promise<ComponentToken> {
    this.calls++;
    await new Promise((r) => setImmediate(r));
    if (this.failWith) throw this.failWith;
    const accessToken = `component-token-${this.calls}-${Math.random().toString(36).slice(2)}`;
    this.issued.push(accessToken);
    return { accessToken, expiresIn: 7200 };
  }
}

function setup() {
  const clock = new ManualClock();
  const store = new MemoryDurableStore();
  const lock = new MemoryLockService();
  const events = new OpenPlatformEvents();
  const endpoint = new FakeTokenEndpoint();
  const adapter = {
    ticketLifetimeMs: 12 * HOUR,
    fetchComponentToken: (c: ResolvedComponent, t: string) => endpoint.fetch(c, t),
    failureKind: () => undefined,
  };
  const platforms = { get: () => adapter } as unknown as PlatformRegistry;
  const options = {
    components: new Map([
      [A.appId, A],
      [B.appId, B],
    ]),
    routePrefix: 'open-platform',
    refresh: { marginSeconds: 300 },
  } as unknown as ResolvedOptions;
  const tickets = new TicketStore(store, platforms, clock, lock);
  const cache = new CacheManagerTokenCache(createCache());
  const componentTokens = new ComponentTokenService(platforms, tickets, cache, lock, events, clock, options);
  const authorizers = new AuthorizerStore(store, lock, events, clock);
  const failures = new RenewalFailureLog(events);
  // Process memory: no Redis, so no `redis` section.
  const storage = OpenPlatformStorage.create({});
  const statuses = new StatusService(
    new ComponentsService(options),
    tickets,
    componentTokens,
    authorizers,
    failures,
    { active: false } as RenewalScheduler,
    { last: undefined } as RenewalSweep,
    clock,
    { ...options, refresh: { marginSeconds: 300, intervalMs: 60_000 } } as ResolvedOptions,
    storage,
  );
  const indicator = new OpenPlatformHealthIndicator(statuses, componentTokens, failures, clock, storage);
  return { clock, store, tickets, endpoint, authorizers, statuses, indicator, componentTokens, events };
}

function authorizer(component: ResolvedComponent, authorizerAppId: string, status: AuthorizerRecord['status']) {
  return (): AuthorizerRecord => ({
    componentAppId: component.appId,
    authorizerAppId,
    platform: component.platform,
    status,
    permissions: [1],
    authorizedAt: 1,
    refreshToken: `refresh-${authorizerAppId}-must-not-leak`,
    updatedAt: 1,
  });
}

describe('OpenPlatformHealthIndicator and StatusService', () => {
  let s: ReturnType<typeof setup>;
  let logged: string[];
  beforeEach(() => {
    s = setup();
    logged = [];
    const logger: LoggerService = {
      log: () => {},
      warn: (m) => void logged.push(String(m)),
      error: (m) => void logged.push(String(m)),
    };
    Logger.overrideLogger(logger);
  });
  afterEach(() => Logger.overrideLogger(new ConsoleLogger()));

  /** Everything that must never appear in a result. */
  function expectNoCredential(value: unknown): void {
    const text = JSON.stringify(value);
    for (const secret of [SECRET, 'ticket-a', 'ticket-b', 'must-not-leak', ...s.endpoint.issued])
      expect(text).not.toContain(secret);
  }

  it('no ticket yet → down with NO_TICKET, and the platform is not called', async () => {
    const result = await s.indicator.isHealthy();
    expect(result['open-platform'].status).toBe('down');
    expect(result['open-platform'].components[A.appId]).toMatchObject({
      status: 'down',
      reason: { code: 'NO_TICKET' },
      ticket: { held: false, usable: false },
      componentToken: { valid: false },
    });
    expect(s.endpoint.calls).toBe(0);
  });

  it('a usable ticket and no cached token → one token obtained for 20 concurrent checks; up, with the expiry', async () => {
    await s.tickets.save(A, 'ticket-a', s.clock.t - 60_000);
    await s.tickets.save(B, 'ticket-b', s.clock.t);
    const results = await Promise.all(Array.from({ length: 20 }, () => s.indicator.isHealthy('op')));
    expect(s.endpoint.calls).toBe(2); // one per component
    for (const r of results) expect(r.op.status).toBe('up');
    expect(results[0].op.components[A.appId]).toMatchObject({
      componentAppId: A.appId,
      platform: 'wechat',
      status: 'up',
      ticket: { held: true, usable: true, ageMs: 60_000, expiresAt: s.clock.t - 60_000 + 12 * HOUR },
      componentToken: { valid: true, expiresAt: s.clock.t + 7200_000 },
    });
    expect(results[0].op.components[A.appId]).not.toHaveProperty('reason');
    // The token obtained is the one callers get: no second call.
    await s.componentTokens.get(A);
    expect(s.endpoint.calls).toBe(2);
    for (const r of results) expectNoCredential(r);
  });

  it('an expired ticket → down with NO_TICKET naming the expiry, even while the component token is valid', async () => {
    await s.tickets.save(A, 'ticket-a', s.clock.t - 12 * HOUR + 60_000); // one minute of life left
    await s.tickets.save(B, 'ticket-b', s.clock.t);
    expect((await s.indicator.isHealthy())['open-platform'].status).toBe('up');
    s.clock.t += 60_000;
    const result = await s.indicator.isHealthy('open-platform', A.appId);
    expect(Object.keys(result['open-platform'].components)).toEqual([A.appId]);
    expect(result['open-platform']).toMatchObject({
      status: 'down',
      components: {
        [A.appId]: {
          status: 'down',
          reason: { code: 'NO_TICKET' },
          ticket: { held: true, usable: false },
          componentToken: { valid: true },
        },
      },
    });
    expect(result['open-platform'].components[A.appId].reason?.message).toContain('expired at');
    // The other component is unaffected.
    expect((await s.indicator.isHealthy('open-platform', B.appId))['open-platform'].status).toBe('up');
  });

  it('the platform refusing the token → down with its code; probes within the retry window do not call again', async () => {
    await s.tickets.save(A, 'ticket-a', s.clock.t);
    s.endpoint.failWith = new OpenPlatformError({ platform: 'wechat', code: 61006, message: 'ticket refused' });
    const first = await s.indicator.isHealthy('h', A.appId);
    expect(first.h.components[A.appId]).toMatchObject({
      status: 'down',
      reason: { code: 61006, message: 'ticket refused' },
      lastRenewalFailure: { tokenKind: 'component', code: 61006, message: 'ticket refused', at: s.clock.t },
    });
    expect(s.endpoint.calls).toBe(1);

    s.endpoint.failWith = undefined;
    s.clock.t += HEALTH_TOKEN_RETRY_MS - 1;
    expect((await s.indicator.isHealthy('h', A.appId)).h.components[A.appId]).toMatchObject({
      status: 'down',
      reason: { code: 61006 },
    });
    expect(s.endpoint.calls).toBe(1);

    s.clock.t += 1;
    expect((await s.indicator.isHealthy('h', A.appId)).h.status).toBe('up');
    expect(s.endpoint.calls).toBe(2);
    expect(logged.some((l) => l.includes('could not obtain a component token'))).toBe(true);
  });

  it('a ticket pushed after the failure is tried at once', async () => {
    await s.tickets.save(A, 'ticket-a', s.clock.t);
    s.endpoint.failWith = new OpenPlatformError({ platform: 'wechat', code: 61006, message: 'ticket refused' });
    expect((await s.indicator.isHealthy('h', A.appId)).h.status).toBe('down');
    s.endpoint.failWith = undefined;
    s.clock.t += 1000;
    await s.tickets.save(A, 'ticket-a2', s.clock.t);
    expect((await s.indicator.isHealthy('h', A.appId)).h.status).toBe('up');
    expect(s.endpoint.calls).toBe(2);
  });

  it('a store that fails → the component is down with the error code, nothing thrown', async () => {
    s.store.get = () => Promise.reject(Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' }));
    const result = await s.indicator.isHealthy();
    expect(result['open-platform'].components[A.appId]).toEqual({
      componentAppId: A.appId,
      platform: 'wechat',
      status: 'down',
      reason: { code: 'ECONNREFUSED', message: 'unexpected Error' },
    });
  });

  it('an unknown component is a programming error: UNKNOWN_COMPONENT is thrown', async () => {
    await expect(s.indicator.isHealthy('h', 'wx_nope')).rejects.toMatchObject({ code: 'UNKNOWN_COMPONENT' });
    await expect(s.statuses.status('wx_nope')).rejects.toMatchObject({ code: 'UNKNOWN_COMPONENT' });
  });

  it('status(): every component in configuration order, authorizer counts by status, no platform call', async () => {
    await s.tickets.save(A, 'ticket-a', s.clock.t - 5000);
    await s.authorizers.update(A, 'wx_1', authorizer(A, 'wx_1', 'active'));
    await s.authorizers.update(A, 'wx_2', authorizer(A, 'wx_2', 'active'));
    await s.authorizers.update(A, 'wx_3', authorizer(A, 'wx_3', 'no_api_permission'));
    await s.authorizers.update(B, 'tt_1', authorizer(B, 'tt_1', 'reauthorization_required'));
    const status = await s.statuses.status();
    expect(status.at).toBe(s.clock.t);
    expect(status.components.map((c) => c.componentAppId)).toEqual([A.appId, B.appId]);
    expect(status.components[0]).toEqual({
      componentAppId: A.appId,
      platform: 'wechat',
      ticket: {
        held: true,
        usable: true,
        createdAt: s.clock.t - 5000,
        receivedAt: s.clock.t,
        ageMs: 5000,
        expiresAt: s.clock.t - 5000 + 12 * HOUR,
      },
      componentToken: { valid: false },
      authorizers: { active: 2, revoked: 0, reauthorization_required: 0, no_api_permission: 1, total: 3 },
    });
    expect(status.components[1].authorizers).toMatchObject({ reauthorization_required: 1, total: 1 });
    await s.authorizers.update(A, 'wx_1', (c) => ({ ...c!, status: 'revoked' }));
    expect((await s.statuses.status(A.appId)).components[0].authorizers).toMatchObject({
      active: 1,
      revoked: 1,
      total: 3,
    });
    expect(s.endpoint.calls).toBe(0);
    expectNoCredential(status);
  });

  it('status(): the last renewal failure of any token kind, with the authorizer it concerns', async () => {
    s.events.emit({
      type: 'token.refresh_failed',
      platform: 'wechat',
      componentAppId: A.appId,
      tokenKind: 'authorizer',
      authorizerAppId: 'wx_1',
      at: 42,
      error: { code: 61023, message: 'refresh token invalid' },
    });
    expect((await s.statuses.status(A.appId)).components[0].lastRenewalFailure).toEqual({
      at: 42,
      tokenKind: 'authorizer',
      authorizerAppId: 'wx_1',
      code: 61023,
      message: 'refresh token invalid',
    });
    expect((await s.statuses.status(B.appId)).components[0]).not.toHaveProperty('lastRenewalFailure');
  });
});
