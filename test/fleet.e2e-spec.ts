import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RedisClientType } from '@keyv/redis';
import { deleteUnder, rawClient, REDIS_URL, uniquePrefix } from '../lib/store/redis/spec-helpers.js';
import { FakeDouyinPlatform, FakeWeChatPlatform } from '../lib/testing/index.js';
import { FleetProcess, type FleetAppConfig } from './fleet/fleet-process.js';
import { RecordingProxy, type RecordedCall } from './fleet/recording-proxy.js';
import { DOUYIN_COMPONENT } from './support/douyin-harness.js';
import { COMPONENT_A } from './support/fixtures.js';

// Three Node processes, each a Nest app with the module (the built package) in fleet mode on one
// Redis, both platforms, the scheduler on (1 s ticks) and short-lived tokens; the emulators run
// here, behind one recording proxy per process, so the suite knows which process made which call
// and every token the platforms issued. Real time throughout: the children have their own clocks.

const WX = COMPONENT_A.appId;
const TT = DOUYIN_COMPONENT.appId;
const WX_SHOPS = ['wx_fleet_1', 'wx_fleet_2'];
const TT_SHOPS = ['tt_fleet_1', 'tt_fleet_2'];
const SHOPS = [...WX_SHOPS, ...TT_SHOPS];
/** Lifetime of every token in the load phase (s): short, so the run spans several. */
const LIFE_S = 5;
/** The load phase: a little over three lifetimes. */
const LOAD_MS = 3 * LIFE_S * 1000 + 1500;
const INTERVAL_MS = 1000;
/** In fleet mode a tick starts up to half an interval after its timer, at random (RenewalSweep.spreadMs). */
const SPREAD_MS = INTERVAL_MS / 2;
const LEASE_MS = 1000;
const PROCESSES = 3;

/** Polls `condition` (a safety-net bound, never a speed assertion). */
async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A token the platforms issued, as the proxies saw it. */
interface Issue {
  key: string;
  token: string;
  lifeS: number;
  call: RecordedCall;
  kind: 'refresh' | 'exchange';
}

/**
 * Every token issue in the recorded calls, per token (`wechat component`, `douyin tt_fleet_1`, …),
 * in order. Douyin refresh answers omit the appid: a refresh token's owner is learned from the
 * answer that issued it.
 */
function issues(calls: RecordedCall[]): Map<string, Issue[]> {
  const byKey = new Map<string, Issue[]>();
  const owners = new Map<string, string>();
  const add = (issue: Issue) => byKey.set(issue.key, [...(byKey.get(issue.key) ?? []), issue]);
  const answered = calls.filter((c) => c.answer).sort((a, b) => a.responseAt! - b.responseAt!);
  for (const call of answered) {
    const a = call.answer;
    const d = a.data ?? a;
    if (call.pathname.endsWith('/api_component_token') && a.component_access_token)
      add({ key: 'wechat component', token: a.component_access_token, lifeS: a.expires_in, call, kind: 'refresh' });
    else if (call.pathname.endsWith('/api_authorizer_token') && a.authorizer_access_token)
      add({
        key: `wechat ${call.body.authorizer_appid}`,
        token: a.authorizer_access_token,
        lifeS: a.expires_in,
        call,
        kind: 'refresh',
      });
    else if (call.pathname.endsWith('/api_query_auth') && a.authorization_info?.authorizer_access_token)
      add({
        key: `wechat ${a.authorization_info.authorizer_appid}`,
        token: a.authorization_info.authorizer_access_token,
        lifeS: a.authorization_info.expires_in,
        call,
        kind: 'exchange',
      });
    else if (call.pathname.includes('/auth/tp/token') && d.component_access_token)
      add({ key: 'douyin component', token: d.component_access_token, lifeS: d.expires_in, call, kind: 'refresh' });
    else if (call.pathname.endsWith('/get_auth_token/') && d?.authorizer_access_token) {
      const refresh = call.query.get('grant_type') === 'app_to_tp_refresh_token';
      const owner = d.authorizer_appid ?? owners.get(call.query.get('authorizer_refresh_token') ?? '');
      owners.set(d.authorizer_refresh_token, owner);
      add({
        key: `douyin ${owner}`,
        token: d.authorizer_access_token,
        lifeS: d.expires_in,
        call,
        kind: refresh ? 'refresh' : 'exchange',
      });
    }
  }
  return byKey;
}

/**
 * Refreshes of a token made before the renewal rule allowed it, i.e. a token replaced a second
 * time within one lifetime. The rule renews at the earliest 70% into a lifetime (the 20% margin
 * and up to 10% jitter), and a tick works what falls due before the next tick can start (an interval
 * and the fleet's random start later): so the next refresh can reach the platform no sooner than
 * 0.7 × lifetime − interval − spread after the previous answer left it. Two processes refreshing
 * the same token are milliseconds apart.
 */
function earlyRefreshes(list: Issue[]): number {
  let early = 0;
  for (let i = 1; i < list.length; i++) {
    const previous = list[i - 1];
    const earliest = previous.call.responseAt! + 0.7 * previous.lifeS * 1000 - INTERVAL_MS - SPREAD_MS;
    if (list[i].kind === 'refresh' && list[i].call.requestAt < earliest) early++;
  }
  return early;
}

describe('fleet: three processes on one Redis, both platforms, scheduler on (e2e, child processes)', () => {
  const keyPrefix = uniquePrefix('fleet');
  const wechat = new FakeWeChatPlatform({
    components: [COMPONENT_A],
    componentTokenExpiresIn: LIFE_S,
    authorizerTokenExpiresIn: LIFE_S,
  });
  const douyin = new FakeDouyinPlatform({
    apiVersion: 'v2',
    components: [DOUYIN_COMPONENT],
    componentTokenExpiresIn: LIFE_S,
    authorizerTokenExpiresIn: LIFE_S,
  });
  const calls: RecordedCall[] = [];
  const output: string[] = [];
  const tickets: string[] = [];
  const proxies: Array<{ wechat: RecordingProxy; douyin: RecordingProxy }> = [];
  let fleet: FleetProcess[] = [];
  let raw: RedisClientType;

  const configOf = (slot: number): FleetAppConfig => ({
    redisUrl: REDIS_URL,
    keyPrefix,
    lockLeaseMs: LEASE_MS,
    wechat: { component: COMPONENT_A, baseUrl: proxies[slot].wechat.url },
    douyin: {
      component: DOUYIN_COMPONENT,
      baseUrl: proxies[slot].douyin.url,
      authorizePageUrl: douyin.authorizePageUrl,
    },
  });
  const startFleet = () =>
    Promise.all(Array.from({ length: PROCESSES }, (_, slot) => FleetProcess.start(slot, configOf(slot), output)));
  const pushesTo = (p: FleetProcess) => {
    wechat.setEventsUrl(WX, p.eventsUrl(WX));
    douyin.setEventsUrl(TT, p.eventsUrl(TT));
  };
  const upstream = (endpoint: string, from: number) => calls.slice(from).filter((c) => c.pathname.endsWith(endpoint));
  /** The authorizer record as stored in Redis (Keyv's JSON envelope), refresh token included. */
  const storedRecord = async (platform: string, component: string, shop: string) =>
    JSON.parse((await raw.get(`${keyPrefix}:${platform}:${component}:authorizer:${shop}`)) ?? 'null')?.value;

  beforeAll(async () => {
    raw = await rawClient();
    await Promise.all([wechat.start(), douyin.start()]);
    for (let slot = 0; slot < PROCESSES; slot++) {
      const pair = {
        wechat: new RecordingProxy(slot, wechat.baseUrl, calls),
        douyin: new RecordingProxy(slot, douyin.baseUrl, calls),
      };
      await Promise.all([pair.wechat.start(), pair.douyin.start()]);
      proxies.push(pair);
    }
    fleet = await startFleet();
    pushesTo(fleet[0]);
    tickets.push((await wechat.pushTicket(fleet[0].eventsUrl(WX), WX)).ticket);
    tickets.push((await douyin.pushTicket(fleet[0].eventsUrl(TT), TT)).ticket);
    // Merchants authorize; the pushes go to process 0, which exchanges the codes.
    for (const shop of WX_SHOPS) await wechat.authorize({ componentAppId: WX, authorizerAppId: shop, push: true });
    for (const shop of TT_SHOPS) await douyin.authorize({ componentAppId: TT, authorizerAppId: shop, push: true });
    await Promise.all([wechat.settle(), douyin.settle()]);
  }, 60_000);

  afterAll(async () => {
    await FleetProcess.killAll();
    for (const pair of proxies) await Promise.all([pair.wechat.stop(), pair.douyin.stop()]);
    await Promise.all([wechat.stop(), douyin.stop()]);
    if (raw) {
      await deleteUnder(raw, keyPrefix);
      raw.destroy();
    }
  });

  it('concurrent callers in every process for three token lifetimes: at most one refresh per token per lifetime, no failed call, no refresh-token reuse', async () => {
    const start = calls.length;
    const results = await Promise.all(
      fleet.map((p) => p.request('load', { authorizers: SHOPS, concurrency: 8, durationMs: LOAD_MS })),
    );

    // Every call succeeded, in every process.
    for (const r of results) {
      expect(r.failures).toEqual({});
      expect(r.failed).toBe(0);
      expect(r.business).toBeGreaterThan(0);
      expect(r.lookups).toBeGreaterThan(0);
    }
    expect(douyin.refreshTokenReuses()).toBe(0);
    expect(douyin.calls('retrieve_auth_code')).toBe(0);

    // Every token, on both platforms, was renewed lifetime after lifetime, and never twice in one.
    const issued = issues(calls);
    const keys = [
      'wechat component',
      'douyin component',
      ...SHOPS.map((s) => `${s.slice(0, 2) === 'wx' ? 'wechat' : 'douyin'} ${s}`),
    ];
    const seen: Record<string, { refreshes: number; early: number; by: number[] }> = {};
    for (const key of keys) {
      const list = issued.get(key) ?? [];
      const inLoad = list.filter((i) => i.kind === 'refresh' && calls.indexOf(i.call) >= start);
      seen[key] = {
        refreshes: inLoad.length,
        early: earlyRefreshes(list),
        by: [...new Set(inLoad.map((i) => i.call.process))].sort(),
      };
      // Three lifetimes: renewed at least twice (70–80% into each), at most once per lifetime.
      expect(inLoad.length).toBeGreaterThanOrEqual(2);
      // At most one early refresh per token: the single retry after an invalidation.
      expect(seen[key].early).toBeLessThanOrEqual(1);
    }
    // The work was spread over the fleet: each process ticks, each tick starts at a random point of
    // the first half of its interval, and whoever claims a token first renews it.
    expect(new Set(Object.values(seen).flatMap((s) => s.by)).size).toBeGreaterThan(1);
    // What the token endpoints saw in total is exactly the issues counted above (none failed).
    const refreshCalls = upstream('/api_authorizer_token', start).filter((c) => c.answer).length;
    expect(refreshCalls).toBe(WX_SHOPS.reduce((n, s) => n + seen[`wechat ${s}`].refreshes, 0));
    if (process.env.FLEET_REPORT) console.log(JSON.stringify({ results, seen }, null, 1));
  }, 60_000);

  it('one message delivered 4 times across the 3 processes runs its handler once in the fleet; every delivery gets the same reply', async () => {
    const msg = { msgType: 'text', content: 'fleet hello', msgId: '880001', createTime: Math.floor(Date.now() / 1000) };
    // Each delivery to another process, at once, as retries may land anywhere behind a load balancer.
    const answers = await Promise.all(
      [0, 1, 2, 0].map((slot) => {
        wechat.setMessagesUrl(WX, fleet[slot].messagesUrl(WX));
        return wechat.sendMessage(WX_SHOPS[0], msg);
      }),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const replies = new Set(answers.map((a) => a.reply?.content));
    expect(replies.size).toBe(1);
    expect([...replies][0]).toMatch(/^answered by process \d+$/);
    const runs = await Promise.all(fleet.map((p) => p.request<number>('messageRuns', { msgId: '880001' })));
    expect(runs.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('kill -9 of the process holding a refresh lock mid-refresh: another takes over after the lease, nothing lost, no reuse', async () => {
    // Quiet first: long-lived tokens everywhere, so the only refresh in flight is the one made slow.
    for (const f of [wechat, douyin]) {
      f.componentTokenExpiresIn = 3600;
      f.authorizerTokenExpiresIn = 3600;
    }
    const [p0, p1, p2] = fleet;
    expect(await p0.request('forceComponent', { componentAppId: WX })).toEqual({ ok: true });
    expect(await p0.request('forceComponent', { componentAppId: TT })).toEqual({ ok: true });
    for (const shop of SHOPS) expect(await p0.request('forceRefresh', { authorizerAppId: shop })).toEqual({ ok: true });
    // Let a tick that read the index before the long tokens were issued finish its work.
    await new Promise((r) => setTimeout(r, 2 * INTERVAL_MS));
    const mark = calls.length;
    const before = {
      retrieve: douyin.calls('retrieve_auth_code'),
      wxRefresh: wechat.calls('api_authorizer_token'),
    };

    // Process 1's refreshes of one authorizer per platform reach the platforms, which answer slowly.
    wechat.delayNext('api_authorizer_token', 4000);
    douyin.delayNext('auth_token', 4000);
    const doomed = [
      p1.request('forceRefresh', { authorizerAppId: 'wx_fleet_1' }),
      p1.request('forceRefresh', { authorizerAppId: 'tt_fleet_1' }),
    ].map((r) => r.catch((e: Error) => e));
    const reached = (endpoint: string) => upstream(endpoint, mark);
    await until(
      () => reached('/api_authorizer_token').length > 0 && reached('/get_auth_token/').length > 0,
      'the refreshes of process 1 reach the platforms',
    );
    // The holder: the process whose refresh reached the platform (nobody else's did).
    expect(reached('/api_authorizer_token').map((c) => c.process)).toEqual([1]);
    expect(reached('/get_auth_token/').map((c) => c.process)).toEqual([1]);
    const lockKeys = [
      `${keyPrefix}:wechat:${WX}:authorizer-token:wx_fleet_1:lock`,
      `${keyPrefix}:douyin:${TT}:authorizer-token:tt_fleet_1:lock`,
    ];
    for (const key of lockKeys) expect(await raw.exists(key)).toBe(1);
    // The survivors want the same tokens renewed too: they wait on process 1's locks.
    const survivors = [p0, p2].flatMap((p) => [
      p.request('forceRefresh', { authorizerAppId: 'wx_fleet_1' }),
      p.request('forceRefresh', { authorizerAppId: 'tt_fleet_1' }),
    ]);

    await p1.kill(); // mid-refresh: both answers are still on their way
    expect(reached('/get_auth_token/')[0].responseAt).toBeUndefined();
    expect(await Promise.all(doomed)).toEqual([expect.any(Error), expect.any(Error)]);

    // After the lease (WeChat) — for Douyin's single-use token, after the lease and the longest call
    // the dead holder could still be waiting for (its attempt mark) — one survivor per token does
    // the work; both survivors get a token.
    expect(await Promise.all(survivors)).toEqual([{ ok: true }, { ok: true }, { ok: true }, { ok: true }]);
    // The killed process's calls were still processed by the platforms (the requests were on the wire).
    await until(() => calls.slice(mark).every((c) => c.responseAt), 'the slow answers are sent');

    // WeChat: the refresh token is reusable, so a survivor simply refreshed again — once.
    const wxTakeover = reached('/api_authorizer_token').filter((c) => c.process !== 1);
    expect(wxTakeover).toHaveLength(1);
    expect(wechat.calls('api_authorizer_token')).toBe(before.wxRefresh + 2);
    // Douyin: the dead holder may have spent the single-use refresh token (here the platform
    // processed it after the takeover): the survivor repaired the chain with a new authorization
    // code instead of presenting the token again, so no token was ever presented twice.
    expect(douyin.refreshTokenReuses()).toBe(0);
    expect(douyin.calls('retrieve_auth_code')).toBe(before.retrieve + 1);

    // Nothing lost: the stored records hold the refresh tokens the platforms now hold.
    const ttRecord = await storedRecord('douyin', TT, 'tt_fleet_1');
    expect(ttRecord.status).toBe('active');
    expect(ttRecord.refreshToken).toBe(douyin.authorizerState(TT, 'tt_fleet_1')!.refreshToken);
    const wxRecord = await storedRecord('wechat', WX, 'wx_fleet_1');
    expect(wxRecord.status).toBe('active');
    expect(wxRecord.refreshToken).toBe(wechat.authorizerState(WX, 'wx_fleet_1')!.refreshToken);
    for (const p of [p0, p2]) {
      expect(await p.request('calls', { authorizers: SHOPS })).toEqual({ ok: SHOPS.length, failures: [] });
      expect(await p.request('authorizer', { authorizerAppId: 'tt_fleet_1' })).toMatchObject({ status: 'active' });
    }
    expect(douyin.refreshTokenReuses()).toBe(0);
  }, 60_000);

  it('a restart of every process on the same Redis keeps tickets, records and refresh tokens', async () => {
    await FleetProcess.killAll(); // the rest of the fleet crashes too
    const mark = calls.length;
    const before = {
      wxExchanges: wechat.calls('api_query_auth'),
      ttCalls: douyin.calls('auth_token'),
      retrieve: douyin.calls('retrieve_auth_code'),
      wxPushes: wechat.authorizationPushes().length,
      ttPushes: douyin.authorizationPushes().length,
    };
    fleet = await startFleet();
    pushesTo(fleet[0]);

    // No ticket push, no authorization: the first calls in every new process succeed.
    for (const p of fleet)
      expect(await p.request('calls', { authorizers: SHOPS })).toEqual({ ok: SHOPS.length, failures: [] });
    // The tickets are still there: new component tokens are obtained with them.
    expect(await fleet[1].request('forceComponent', { componentAppId: WX })).toEqual({ ok: true });
    expect(await fleet[2].request('forceComponent', { componentAppId: TT })).toEqual({ ok: true });
    // The refresh tokens are still there: every authorizer refreshes with its stored one.
    for (const shop of SHOPS)
      expect(await fleet[SHOPS.indexOf(shop) % PROCESSES].request('forceRefresh', { authorizerAppId: shop })).toEqual({
        ok: true,
      });
    expect(upstream('/api_authorizer_token', mark).filter((c) => c.answer?.authorizer_access_token)).toHaveLength(2);
    expect(upstream('/get_auth_token/', mark).map((c) => c.query.get('grant_type'))).toEqual([
      'app_to_tp_refresh_token',
      'app_to_tp_refresh_token',
    ]);
    expect(wechat.calls('api_query_auth')).toBe(before.wxExchanges);
    expect(douyin.calls('retrieve_auth_code')).toBe(before.retrieve);
    expect(douyin.calls('auth_token')).toBe(before.ttCalls + 2);
    expect(wechat.authorizationPushes()).toHaveLength(before.wxPushes);
    expect(douyin.authorizationPushes()).toHaveLength(before.ttPushes);
    expect(douyin.refreshTokenReuses()).toBe(0);
    for (const p of fleet)
      expect(await p.request('calls', { authorizers: SHOPS })).toEqual({ ok: SHOPS.length, failures: [] });
  }, 60_000);

  it('no token, ticket or secret in any log line or event of any process', async () => {
    await until(() => output.length > 0, 'output');
    const printed = output.join('');
    expect(printed).toContain('event {"type":"token.refreshed"');
    const secrets = new Set<string>([COMPONENT_A.appSecret, DOUYIN_COMPONENT.appSecret, ...tickets]);
    for (const list of issues(calls).values()) for (const i of list) secrets.add(i.token);
    for (const c of calls) {
      const d = c.answer?.data ?? c.answer;
      if (d?.authorizer_refresh_token) secrets.add(d.authorizer_refresh_token);
      if (c.answer?.authorization_info?.authorizer_refresh_token)
        secrets.add(c.answer.authorization_info.authorizer_refresh_token);
    }
    expect(secrets.size).toBeGreaterThan(20);
    const leaked = [...secrets].filter((s) => printed.includes(s));
    expect(leaked).toEqual([]);
  });
});
