import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RedisClientType } from '@keyv/redis';
import { SCAN_BUDGET } from '../lib/admin/admin-query.service.js';
import { SHARED_DIRECTORY_MAX_AGE_MS } from '../lib/admin/authorizer-directory.js';
import { DurableStore, hashAdminPassword } from '../lib/index.js';
import { keysUnder, rawClient, REDIS_URL, uniquePrefix } from '../lib/store/redis/spec-helpers.js';
import { StoreKeys } from '../lib/store/store-keys.js';
import { merchantAuthorizes } from './support/authorize-flow.js';
import { eventually } from './support/eventually.js';
import { COMPONENT_A } from './support/fixtures.js';
import { startHarness, type Harness } from './support/harness.js';

// The admin list at 100,000 authorizers in fleet mode (real Redis, the emulator behind the app):
// pages stay small reads (a sorted appid list, a scan budget per page), and a cursor walk answers
// every record once while the module onboards and revokes merchants between pages. The records
// are written straight into the durable store, as another process of the fleet would: the
// emulator would take minutes to authorize that many, and the list reads the store only.

const A = COMPONENT_A.appId;
const COUNT = 100_000;
const REVOKED_EVERY = 97;
const id = (i: number) => `wx_s${String(i).padStart(7, '0')}`;
const auth = { authorization: `Basic ${Buffer.from('ops:scale-password').toString('base64')}` };
const ACTION = { ...auth, 'x-requested-with': 'fetch' };

interface Page {
  items: Array<{ componentAppId: string; authorizerAppId: string; status: string }>;
  nextCursor?: string;
  scanned: number;
}

/** The record of the i-th seeded authorizer (every 97th revoked, without a refresh token). */
function recordOf(i: number) {
  return {
    componentAppId: A,
    authorizerAppId: id(i),
    platform: 'wechat',
    status: i % REVOKED_EVERY === 0 ? 'revoked' : 'active',
    permissions: [1],
    authorizedAt: 1_700_000_000_000 + i,
    updatedAt: 1_700_000_000_000 + i,
    ...(i % REVOKED_EVERY === 0 ? {} : { refreshToken: `scale-refresh-${i}-never-shown` }),
  };
}

let h: Harness;
let redis: RedisClientType;
const prefix = uniquePrefix('admin-scale');
const rawKey = (i: number) => `${prefix}:${StoreKeys.authorizer('wechat', A, id(i))}`;
/** A record as the Redis durable store encodes it (Keyv's JSON envelope). */
const encoded = (i: number) => JSON.stringify({ value: recordOf(i) });
/** Answers read so far, each scanned for a refresh token as it arrives (the texts are not kept). */
let answers = 0;
const leaks: string[] = [];

async function list(query: string): Promise<Page> {
  const res = await fetch(`${h.routesUrl}/admin/authorizers?${query}`, { headers: auth });
  const text = await res.text();
  answers++;
  if (/scale-refresh|refreshToken/.test(text)) leaks.push(query);
  expect(res.status).toBe(200);
  return JSON.parse(text) as Page;
}

/** Every item of a query, page by page; checks each page's scan bound on the way. */
async function walk(query: string, between?: (page: number) => Promise<void>): Promise<Page['items']> {
  const items: Page['items'] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const p = await list(`${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(p.scanned).toBeLessThanOrEqual(SCAN_BUDGET);
    items.push(...p.items);
    cursor = p.nextCursor;
    if (cursor) await between?.(pages++);
  } while (cursor);
  return items;
}

beforeAll(async () => {
  redis = await rawClient();
  const passwordHash = await hashAdminPassword('scale-password', { N: 1024 });
  h = await startHarness({
    singleComponent: true,
    options: {
      redis: { url: REDIS_URL, keyPrefix: prefix },
      admin: { enabled: true, basicAuth: { username: 'ops', passwordHash } },
    },
  });
  await h.fake.pushTicket(h.eventsUrl(), A);
  // A real onboarding before the bulk: this process's own records are listed at once.
  expect((await merchantAuthorizes(h, 'wx_real_0')).status).toBe(200);
  // The first list waits for the listing started at boot (before the bulk write below).
  expect((await list('limit=50')).items.map((i) => i.authorizerAppId)).toEqual(['wx_real_0']);
  // One record through the store, which shows its exact encoding in Redis; the rest are written
  // raw in that encoding, pipelined (100,000 awaited Keyv writes took most of the suite's time).
  await h.app.get(DurableStore).set(StoreKeys.authorizer('wechat', A, id(0)), recordOf(0));
  const stored = await redis.get(rawKey(0));
  expect(stored).toBe(encoded(0));
  for (let i = 1; i < COUNT; i += 2000) {
    const batch: Array<[string, string]> = [];
    for (let j = i; j < Math.min(i + 2000, COUNT); j++) batch.push([rawKey(j), encoded(j)]);
    await redis.mSet(batch);
  }
}, 120_000);

afterAll(async () => {
  await h?.fake.settle();
  await h?.close();
  const keys = await keysUnder(redis, prefix);
  for (let i = 0; i < keys.length; i += 1000) await redis.del(keys.slice(i, i + 1000));
  await redis.quit();
});

describe('admin API at 100,000 authorizers (Redis)', () => {
  it("another process's records appear once the listing is older than its max age; this process's at once", async () => {
    // Listed before the bulk write: only the merchant this process onboarded.
    const first = await list('limit=50');
    expect(first.items.map((i) => i.authorizerAppId)).toEqual(['wx_real_0']);
    h.clock.advance(SHARED_DIRECTORY_MAX_AGE_MS);
    // The stale listing answers while the store is listed again in the background.
    await eventually(async () => (await list('limit=50')).items.length === 50, 'the bulk listed', 3000);
    const page = await list('limit=50');
    expect(page.scanned).toBe(50);
    // wx_real_0 sorts before wx_s…
    expect(page.items.map((i) => i.authorizerAppId)).toEqual([
      'wx_real_0',
      ...Array.from({ length: 49 }, (_, i) => id(i)),
    ]);
  }, 60_000);

  it('a cursor walk answers every record once, in order, while merchants are onboarded and revoked between pages', async () => {
    const revokedDuring: string[] = [];
    let onboarded = 0;
    const items = await walk('limit=200', async (page) => {
      if (page % 50 !== 0) return;
      // Between pages, through the module: a new merchant (sorts before the cursor, or after it),
      // and a revocation of a record not yet seen.
      const merchant = ++onboarded % 2 ? `wx_real_${onboarded}` : `wx_zz_${onboarded}`;
      expect((await merchantAuthorizes(h, merchant)).status).toBe(200);
      const target = id(COUNT - 1 - page);
      const res = await fetch(`${h.routesUrl}/admin/components/${A}/authorizers/${target}/revoke`, {
        method: 'POST',
        headers: ACTION,
      });
      expect(res.status).toBe(200);
      revokedDuring.push(target);
    });
    const ids = items.map((i) => i.authorizerAppId);
    expect(new Set(ids).size).toBe(ids.length); // never twice
    const seeded = ids.filter((x) => x.startsWith('wx_s'));
    expect(seeded).toEqual(Array.from({ length: COUNT }, (_, i) => id(i))); // every one, in order
    expect([...ids].sort()).toEqual(ids);
    // Revoked between pages and read after it: the list shows the new status.
    const byId = new Map(items.map((i) => [i.authorizerAppId, i.status]));
    for (const r of revokedDuring) expect([r, byId.get(r)]).toEqual([r, 'revoked']);
    // Onboarded by this process between pages: those whose place the cursor had passed (wx_real_…
    // sorts before wx_s…) are not listed; those ahead of it (wx_zz_…) are, once: this process
    // inserts its own new records in the listing at once.
    expect(onboarded).toBeGreaterThan(5);
    const late = Array.from({ length: onboarded }, (_, i) => i + 1).filter((n) => n % 2 === 0);
    for (const n of late) expect(ids).toContain(`wx_zz_${n}`);
    expect(ids.filter((x) => x.startsWith('wx_real_') && x !== 'wx_real_0')).toEqual([]);
  }, 300_000);

  it('a filter that matches few answers pages bounded by the scan budget, and finds every match', async () => {
    // Over 10,000 records (wx_s001…): five pages of at most 2,000 examined records each.
    const revoked = await walk('limit=200&status=revoked&appIdPrefix=wx_s001');
    const expected = Array.from({ length: 10_000 }, (_, i) => 10_000 + i).filter((i) => i % REVOKED_EVERY === 0);
    expect(revoked.map((i) => i.authorizerAppId)).toEqual(expected.map(id));
    expect(revoked.every((i) => i.status === 'revoked')).toBe(true);
    const none = await list('limit=50&status=reauthorization_required');
    expect(none.items).toEqual([]);
    expect(none.scanned).toBe(SCAN_BUDGET);
    expect(none.nextCursor).toBeDefined();
  }, 120_000);

  it('an appid prefix reads only its range', async () => {
    const p = await list('limit=200&appIdPrefix=wx_s00420');
    expect(p.items.map((i) => i.authorizerAppId)).toEqual(Array.from({ length: 100 }, (_, i) => id(42_000 + i)));
    expect(p.scanned).toBe(100);
    expect(p.nextCursor).toBeUndefined();
  });

  it('no refresh token in any answer', () => {
    expect(answers).toBeGreaterThan(500);
    expect(leaks).toEqual([]);
  });
});
