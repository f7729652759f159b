import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import KeyvPostgres from '@keyv/postgres';
import type { RedisClientType } from '@keyv/redis';
import { AuthorizerRenewals } from '../lib/authorizers/authorizer-renewals.js';
import { KeyvDurableStore, MemoryDurableStore, type OpenPlatformEvent } from '../lib/index.js';
import type { ResolvedComponent } from '../lib/options/resolved-options.js';
import { DueIndex, type DueEntry } from '../lib/store/due-index.js';
import { rawClient, REDIS_URL, uniquePrefix } from '../lib/store/redis/spec-helpers.js';
import { StoreKeys } from '../lib/store/store-keys.js';
import { DOUYIN_COMPONENT } from './support/douyin-harness.js';
import { eventually } from './support/eventually.js';
import { COMPONENT_A } from './support/fixtures.js';
import { ManualClock } from './support/manual-clock.js';
import { onboard, refreshed, startWorld, TT_SHOP, type World } from './support/renewal-world.js';

// Issue #16 items 14, 15 and 19: the scheduler under partial failure. Real emulators over loopback,
// real Redis and PostgreSQL where the sequence involves them; time driven by hand.

const MIN = 60_000;
const POSTGRES_URI = process.env.POSTGRES_URI ?? 'postgresql://postgres@127.0.0.1:5432/test';
const WECHAT = { appId: COMPONENT_A.appId, platform: 'wechat' } as ResolvedComponent;

/** Failed authorizer renewals reported, per authorizer. */
function failures(w: World, authorizerAppId: string): OpenPlatformEvent[] {
  return w.events.filter(
    (e) => e.type === 'token.refresh_failed' && e.tokenKind === 'authorizer' && e.authorizerAppId === authorizerAppId,
  );
}

const shops = (name: string, n: number) => Array.from({ length: n }, (_, i) => `wx_${name}_${i}`);

describe('item 14: failures never starve a component, and a component that cannot renew is skipped', () => {
  it('always-failing authorizers that sort first are put off with a backoff: the others are renewed', async () => {
    const failing = shops('always_fails', 4);
    const good = shops('healthy', 8);
    const w = await startWorld({ refresh: { enabled: true, intervalMs: MIN, concurrency: 2 }, retry: { attempts: 1 } });
    // The failing ones are authorized 10 minutes earlier: their renewal is due first, beyond any jitter.
    await onboard(w, failing);
    w.clock.advance(10 * MIN);
    for (const shop of good)
      await w.wechat.authorize({ componentAppId: COMPONENT_A.appId, authorizerAppId: shop, push: true });
    await w.wechat.settle();
    for (const shop of failing) w.wechat.failAuthorizerRefresh(COMPONENT_A.appId, shop, -1);
    // 7500 s after the first ones: every token is inside its renewal window, none expired.
    w.clock.advance(7500 * 1000 - 10 * MIN);

    // Four transient failures in a row pause the pass (the platform looks down; one healthy renewal
    // may have started on the other worker before the fourth failure came back)...
    const first = await w.tick();
    expect(first.failed).toBe(failing.length);
    expect(first.authorizers).toBeLessThanOrEqual(1);
    expect(first.deferred).toBe(good.length - first.authorizers);
    // ...but the failing ones are put off, so the next tick starts with the others.
    w.clock.advance(MIN);
    const second = await w.tick();
    expect(second.authorizers).toBe(good.length - first.authorizers);
    for (const shop of good) expect(refreshed(w, shop)).toHaveLength(1);

    // Six ticks in all: each failing one is tried at the 1st, 2nd and 4th (then the 8th …), not at every tick.
    for (let i = 0; i < 4; i++) {
      w.clock.advance(MIN);
      await w.tick();
    }
    for (const shop of failing) expect(failures(w, shop).length).toBeLessThanOrEqual(3);
    // The platform answers again: the next attempt renews them, and they are no longer put off.
    for (const shop of failing) w.wechat.failAuthorizerRefresh(COMPONENT_A.appId, shop, undefined);
    for (let i = 0; i < 5 && failing.some((s) => refreshed(w, s).length === 0); i++) {
      w.clock.advance(MIN);
      await w.tick();
    }
    for (const shop of failing) expect(refreshed(w, shop)).toHaveLength(1);
  });

  it('61004 (IP not whitelisted) on authorizer renewals stops the component at the first one, every tick', async () => {
    const many = shops('ip_blocked', 10);
    const w = await startWorld({ refresh: { enabled: true, intervalMs: MIN, concurrency: 2 }, retry: { attempts: 1 } });
    await onboard(w, many);
    w.clock.advance(7000 * 1000);
    // The component token is renewed while the platform still answers it; then the whitelist bites.
    w.wechat.failNext('api_authorizer_token', { errcode: 61004, times: 1000 });
    for (let tick = 0; tick < 3; tick++) {
      const calls = w.wechat.calls('api_authorizer_token');
      const report = await w.tick();
      // At most one per worker was in flight when the first answer came: not every due authorizer.
      expect(w.wechat.calls('api_authorizer_token') - calls).toBeLessThanOrEqual(2);
      expect(report.deferred).toBeGreaterThanOrEqual(many.length - 2);
      w.clock.advance(MIN);
    }
    // They kept their due time (not their fault): renewed at the first tick once the IP is allowed.
    w.wechat.clearFaults();
    expect((await w.tick()).authorizers).toBe(many.length);
  });

  it('a component token that cannot be obtained (40125 after a secret rotation) skips its authorizers, said once', async () => {
    const many = shops('secret_rotated', 6);
    const w = await startWorld({ refresh: { enabled: true, intervalMs: MIN }, retry: { attempts: 1 } });
    await onboard(w, many);
    // Past the component token's life: it must be fetched again, and the secret is refused.
    w.clock.advance(7300 * 1000);
    w.wechat.failNext('api_component_token', { errcode: 40125, times: 1000 });
    const calls = () => w.wechat.calls('api_component_token') + w.wechat.calls('api_authorizer_token');
    for (let tick = 0; tick < 3; tick++) {
      const before = calls();
      const report = await w.tick();
      // One attempt at the component token per tick; no authorizer is tried.
      expect(calls() - before).toBe(1);
      expect(report).toMatchObject({ authorizers: 0, deferred: many.length });
      w.clock.advance(MIN);
    }
    expect(
      w.logger.at('warn', /authorizers of wx_component_a is skipped while its token cannot be obtained/),
    ).toHaveLength(1);
    w.wechat.clearFaults();
    const back = await w.tick();
    expect(back).toMatchObject({ components: 1, authorizers: many.length, deferred: 0 });
    expect(w.logger.at('log', /token of wx_component_a can be obtained again/)).toHaveLength(1);
  });

  it('a tick reads each due entry once: the index is paged with a cursor, not re-read from the start', async () => {
    const many = shops('paged', 23);
    const w = await startWorld({ refresh: { enabled: true, intervalMs: MIN, concurrency: 3 }, retry: { attempts: 1 } });
    await onboard(w, many);
    // Three of them fail (spread out, never four in a row): failed entries stay due within the tick.
    for (const shop of [many[2], many[11], many[19]]) w.wechat.failAuthorizerRefresh(COMPONENT_A.appId, shop, -1);
    w.clock.advance(7000 * 1000);
    w.sweep.pageSize = 5;
    const index = w.app.get(DueIndex);
    const read = { calls: 0, entries: 0 };
    const due = index.due.bind(index);
    index.due = async (key: string, until: number, limit: number, after?: DueEntry) => {
      const page = await due(key, until, limit, after);
      if (key === StoreKeys.renewalIndex('wechat', COMPONENT_A.appId)) {
        read.calls++;
        read.entries += page.length;
      }
      return page;
    };
    const report = await w.tick();
    expect(report).toMatchObject({ authorizers: many.length - 3, failed: 3 });
    // 23 entries in pages of 5: five pages and the empty read that ends the pass. Read from the
    // start each time, the pages would hold 5 + 10 + 15 + …: quadratic in the index size.
    expect(read.entries).toBeLessThanOrEqual(many.length + 3);
    expect(read.calls).toBeLessThanOrEqual(Math.ceil(many.length / 5) + 2);
  });
});

describe('item 15: the due index is rebuilt when it is lost (Redis with the records in PostgreSQL)', () => {
  const table = `op_sched_${process.pid}_${Date.now()}`;
  let postgres: KeyvPostgres;
  let redis: RedisClientType;
  beforeAll(async () => {
    postgres = new KeyvPostgres({ uri: POSTGRES_URI, table, max: 2 });
    redis = await rawClient();
  });
  afterAll(async () => {
    await postgres.query(`DROP TABLE IF EXISTS ${table}`);
    await postgres.disconnect();
    await redis.quit();
  });

  /** An app on Redis whose durable store is PostgreSQL; a key prefix of its own. */
  async function fleetWorld(name: string): Promise<{ w: World; prefix: string }> {
    const prefix = uniquePrefix(`pf-sched-${name}`);
    const w = await startWorld({
      storage: {
        redis: { url: REDIS_URL, keyPrefix: prefix },
        storage: { durable: new KeyvDurableStore(postgres, { namespace: prefix }) },
      },
    });
    return { w, prefix };
  }

  /** Every key of the app in Redis goes, as when an ephemeral Redis restarts empty. */
  async function wipeRedis(prefix: string): Promise<number> {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(keys);
    return keys.length;
  }

  it('a tick that finds fewer scheduled than active authorizers rebuilds the index; they are renewed', async () => {
    const many = shops('lost_index', 3);
    const { w, prefix } = await fleetWorld('tick');
    await onboard(w, many);
    const renewals = w.app.get(AuthorizerRenewals);
    expect(await renewals.size(WECHAT)).toBe(many.length);
    expect(await wipeRedis(prefix)).toBeGreaterThan(0);
    expect(await renewals.size(WECHAT)).toBe(0);
    // The ticket went with Redis: the platform pushes the next one. Minutes later, a tick notices.
    await w.wechat.pushTicket(`${w.url}/open-platform/${COMPONENT_A.appId}/events`, COMPONENT_A.appId);
    w.clock.advance(6 * MIN);
    await w.tick();
    await eventually(async () => (await renewals.size(WECHAT)) === many.length, 'the index rebuilt');
    // The records survived in PostgreSQL; the tokens did not: renewed at the next tick.
    const calls = w.wechat.calls('api_authorizer_token');
    expect((await w.tick()).authorizers).toBe(many.length);
    expect(w.wechat.calls('api_authorizer_token')).toBe(calls + many.length);
    for (const shop of many) expect((await w.tokens.getAuthorizer(shop))?.status).toBe('active');
  });

  it('Redis lost and back (its connections cut): the index is rebuilt at reconnect, no tick needed', async () => {
    const many = shops('reconnect', 3);
    const { w, prefix } = await fleetWorld('reconnect');
    await onboard(w, many);
    const renewals = w.app.get(AuthorizerRenewals);
    await wipeRedis(prefix);
    // A restart of Redis, as the app sees it: both of its connections (named after its prefix) are cut.
    const ids = (await redis.clientList())
      .filter((c) => c.name === `nest-open-platform:${prefix}`)
      .map((c) => String(c.id));
    expect(ids).toHaveLength(2);
    for (const id of ids) await redis.sendCommand(['CLIENT', 'KILL', 'ID', id]);
    await eventually(
      async () => (await renewals.size(WECHAT).catch(() => -1)) === many.length,
      'the index rebuilt at reconnect',
      1000,
    );
    // The line comes once every component is rebuilt, after the WeChat entries counted above.
    await eventually(
      () => w.logger.at('log', /renewal schedule rebuilt \(the store was unreachable/).length > 0,
      'the rebuild logged with its reason',
      1000,
    );
    await eventually(() => w.logger.at('log', /Redis is reachable again/).length > 0, 'reconnected');
  });
});

describe('item 15: the boot rebuild runs in the background and never fails the boot', () => {
  it('a durable store that cannot list at boot: the app starts, says so, and indexes later', async () => {
    const clock = new ManualClock();
    const durable = new (class extends MemoryDurableStore {
      failKeys = false;
      override async keys(prefix: string): Promise<string[]> {
        if (this.failKeys) throw new Error('store unavailable');
        return super.keys(prefix);
      }
    })();
    const many = shops('boot_rebuild', 3);
    const first = await startWorld({ clock, durable });
    await onboard(first, many);
    await first.app.close();
    durable.failKeys = true;
    const second = await startWorld({ clock, durable, wechat: first.wechat, douyin: first.douyin });
    // Booted and serving although the records could not be listed.
    expect((await second.tokens.getAuthorizer(many[0]))?.status).toBe('active');
    expect(second.logger.at('warn', /rebuilding the renewal schedule of wx_component_a failed/)).toHaveLength(1);
    const renewals = second.app.get(AuthorizerRenewals);
    expect(await renewals.size(WECHAT)).toBe(0);
    // The store is back: within minutes (a tick's check), the index is rebuilt.
    durable.failKeys = false;
    clock.advance(6 * MIN);
    await second.tick();
    await eventually(async () => (await renewals.size(WECHAT)) === many.length, 'the index rebuilt later');
  });
});

describe('item 19: an idle Douyin chain rotates only for its keepalive', () => {
  it('idle: no renewal ahead for 30 days but the keepalive; used: renewed ahead of time', async () => {
    const w = await startWorld({ refresh: { enabled: true, intervalMs: MIN } });
    await onboard(w, []);
    const component = { appId: DOUYIN_COMPONENT.appId, platform: 'douyin' } as ResolvedComponent;
    const rotations = () => w.douyin.calls('auth_token');
    const start = rotations();
    // 30 days with nobody calling, a tick every 6 hours (the 1 h access token is due at each); the
    // platform pushes tickets all along (a Douyin ticket lives 3 h).
    for (let hours = 6; hours <= 30 * 24; hours += 6) {
      w.clock.advance(6 * 60 * MIN);
      await w.wechat.pushTicket(`${w.url}/open-platform/${COMPONENT_A.appId}/events`, COMPONENT_A.appId);
      await w.douyin.pushTicket(`${w.url}/open-platform/${DOUYIN_COMPONENT.appId}/events`, DOUYIN_COMPONENT.appId);
      expect((await w.tick()).failed).toBe(0);
    }
    // The refresh token lives 30 days and is kept alive at 80% of its life: one rotation per 24 days.
    expect(rotations() - start).toBe(1);
    expect((await w.tokens.getAuthorizer(TT_SHOP))?.status).toBe('active');
    expect(w.douyin.refreshTokenReuses(TT_SHOP)).toBe(0);

    // Now it is used: its entry moves to the access token's renewal time, and the scheduler renews it ahead.
    const token = await w.tokens.getAuthorizerAccessToken(TT_SHOP);
    const renewals = w.app.get(AuthorizerRenewals);
    await eventually(
      async () => ((await renewals.due(component, w.clock.now() + 3600 * 1000, 10))[0]?.member ?? '') === TT_SHOP,
      'the used token scheduled at its renewal time',
    );
    const used = rotations();
    w.clock.advance(3400 * 1000); // inside the 1 h token's renewal window, before it expires
    expect((await w.tick()).authorizers).toBe(1);
    expect(rotations()).toBe(used + 1);
    expect(await w.tokens.getAuthorizerAccessToken(TT_SHOP)).not.toBe(token);
  });

  it('fleet mode: a use in another process moves the shared entry, and the ticking process renews ahead', async () => {
    const clock = new ManualClock();
    const storage = { redis: { url: REDIS_URL, keyPrefix: uniquePrefix('pf-sched-use') } };
    const ticking = await startWorld({ clock, storage, refresh: { enabled: true, intervalMs: MIN } });
    await onboard(ticking, []);
    const serving = await startWorld({
      clock,
      storage,
      wechat: ticking.wechat,
      douyin: ticking.douyin,
      refresh: { enabled: true, intervalMs: MIN },
    });
    const rotations = () => ticking.douyin.calls('auth_token');
    const before = rotations();
    // Only the other process serves the merchant; the ticking one never sees a call for it.
    await serving.tokens.getAuthorizerAccessToken(TT_SHOP);
    const component = { appId: DOUYIN_COMPONENT.appId, platform: 'douyin' } as ResolvedComponent;
    const renewals = ticking.app.get(AuthorizerRenewals);
    await eventually(
      async () => (await renewals.due(component, clock.now() + 3600 * 1000, 10)).some((e) => e.member === TT_SHOP),
      'the use seen in the shared index',
    );
    // The serving process's boot tick is over (it would renew the merchant itself after the advance).
    await serving.tick();
    clock.advance(3400 * 1000);
    expect((await ticking.tick()).authorizers).toBe(1);
    expect(rotations()).toBe(before + 1);
    expect(ticking.douyin.refreshTokenReuses(TT_SHOP)).toBe(0);
  });
});
