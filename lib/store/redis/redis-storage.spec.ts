import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RedisClientType } from '@keyv/redis';
import { SystemClock } from '../../clock/clock.js';
import { OpenPlatformErrorCode } from '../../errors/open-platform.error.js';
import type { ResolvedComponent } from '../../options/resolved-options.js';
import type { PlatformRegistry } from '../../platforms/platform-registry.js';
import { TicketStore } from '../../tickets/ticket.store.js';
import { MemoryDueIndex, type DueEntry, type DueIndex } from '../due-index.js';
import { OpenPlatformStorage } from '../storage.js';
import { StoreKeys } from '../store-keys.js';
import { RedisConnection } from './redis-connection.js';
import type { RedisTokenCache } from './redis-token-cache.js';
import { deleteUnder, freePort, OwnRedisServer, rawClient, REDIS_URL, uniquePrefix } from './spec-helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with the next key another process invalidates in `cache`. */
function nextInvalidation(cache: RedisTokenCache): Promise<string> {
  return new Promise((resolve) => {
    const off = cache.onInvalidated((key) => {
      off();
      resolve(key);
    });
  });
}

/** Waits (bounded) until `condition` holds; a state change, not a speed assertion. */
async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await condition()) return;
    await sleep(25);
  }
  throw new Error(`never happened: ${what}`);
}

const COMPONENT = { platform: 'wechat', appId: 'wx_cas' } as ResolvedComponent;

describe('OpenPlatformStorage in fleet mode (integration, real Redis)', () => {
  const prefix = uniquePrefix('storage');
  let raw: RedisClientType;
  // Two storages on one Redis: two processes of a fleet.
  let a: OpenPlatformStorage;
  let b: OpenPlatformStorage;
  const cacheOf = (s: OpenPlatformStorage) => s.cache as RedisTokenCache;

  beforeAll(async () => {
    raw = await rawClient();
    [a, b] = await Promise.all([
      OpenPlatformStorage.open({ redis: { url: REDIS_URL, keyPrefix: prefix } }),
      OpenPlatformStorage.open({ redis: { url: REDIS_URL, keyPrefix: prefix } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.onApplicationShutdown(), b?.onApplicationShutdown()]);
    await deleteUnder(raw, prefix);
    raw.destroy();
  });

  it('owns its connection and reports Redis healthy', async () => {
    expect(a.ownedResources).toBe(1);
    expect(a.redisHealthy()).toBe(true);
    expect(await a.pingRedis()).toBe(true);
    expect(OpenPlatformStorage.create({}).redisHealthy()).toBeUndefined();
  });

  it('keeps every key under {keyPrefix}:{platform}:{componentAppId}:…, durable data without a TTL', async () => {
    const record = { authorizerAppId: 'wx_shop', refreshToken: 'rt-1' };
    await a.durable.set(StoreKeys.authorizer('wechat', 'wx1', 'wx_shop'), record);
    await a.durable.set(StoreKeys.ticket('wechat', 'wx1'), { ticket: 't' });
    await a.cache.set(StoreKeys.authorizerToken('wechat', 'wx1', 'wx_shop'), { accessToken: 'at' }, 60_000);
    await a.dueIndex.schedule(StoreKeys.renewalIndex('wechat', 'wx1'), 'wx_shop', 1000);

    expect(await b.durable.get(StoreKeys.authorizer('wechat', 'wx1', 'wx_shop'))).toEqual(record);
    expect(await raw.pTTL(`${prefix}:wechat:wx1:authorizer:wx_shop`)).toBe(-1);
    expect(await raw.pTTL(`${prefix}:wechat:wx1:ticket`)).toBe(-1);
    expect(await raw.pTTL(`${prefix}:wechat:wx1:authorizer-token:wx_shop`)).toBeGreaterThan(0);
    expect(await raw.type(`${prefix}:wechat:wx1:renewal-due`)).toBe('zset');
    // Listing a prefix finds records only (not the token key that shares the start of its name).
    expect(await b.durable.keys(StoreKeys.authorizers('wechat', 'wx1'))).toEqual(['wechat:wx1:authorizer:wx_shop']);
    expect(await b.durable.keys('wechat:nope:')).toEqual([]);
    await b.durable.delete(StoreKeys.authorizer('wechat', 'wx1', 'wx_shop'));
    expect(await a.durable.get(StoreKeys.authorizer('wechat', 'wx1', 'wx_shop'))).toBeUndefined();
  });

  it('due index: a sorted set shared by the fleet, matching the in-memory index under random operations', async () => {
    const reference = new MemoryDueIndex();
    const index = 'wechat:wx1:renewal-random';
    let seed = 11;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let step = 0; step < 300; step++) {
      const member = `m${rand(40)}`;
      const process = step % 2 ? a : b;
      if (rand(4) === 0) {
        await process.dueIndex.remove(index, member);
        await reference.remove(index, member);
      } else {
        const dueAt = rand(10_000) * 10 + rand(2); // distinct scores: no tie order to compare
        await process.dueIndex.schedule(index, member, dueAt);
        await reference.schedule(index, member, dueAt);
      }
      if (step % 30 === 0) {
        const until = rand(100_000);
        expect(await (step % 4 ? a : b).dueIndex.due(index, until, 7)).toEqual(await reference.due(index, until, 7));
        expect(await (step % 4 ? b : a).dueIndex.countDue(index, until)).toBe(await reference.countDue(index, until));
      }
    }
    expect(await a.dueIndex.size(index)).toBe(await reference.size(index));
    expect(await a.dueIndex.due(index, 100_000, 0)).toEqual([]);
    // Ties, the cursor, and the conditional writes: the same answers as the reference, page by page.
    for (let step = 0; step < 200; step++) {
      const member = `t${rand(30)}`;
      const dueAt = rand(5) * 100; // few scores: many ties, ordered by member
      const op = rand(3);
      const target = step % 2 ? a : b;
      if (op === 0)
        await Promise.all([target.dueIndex.schedule(index, member, dueAt), reference.schedule(index, member, dueAt)]);
      else if (op === 1)
        await Promise.all([
          target.dueIndex.scheduleIfAbsent(index, member, dueAt),
          reference.scheduleIfAbsent(index, member, dueAt),
        ]);
      else {
        const onlyEarlier = rand(2) === 0;
        await target.dueIndex.move(index, member, dueAt, { onlyEarlier });
        await reference.move(index, member, dueAt, { onlyEarlier });
      }
    }
    const pages = async (due: DueIndex) => {
      const read: DueEntry[] = [];
      for (let cursor: DueEntry | undefined; ;) {
        const page = await due.due(index, 1_000_000, 4, cursor);
        if (!page.length) return read;
        read.push(...page);
        cursor = page[page.length - 1];
      }
    };
    const expected = await pages(reference);
    expect(expected.length).toBe(await reference.size(index));
    expect(await pages(a.dueIndex)).toEqual(expected);
    expect(await a.dueIndex.size('wechat:wx1:none')).toBe(0);
  });

  it('ticket saves are a compare-and-set across processes: the newest ticket wins whatever the order', async () => {
    const platforms = { get: () => ({ ticketLifetimeMs: 12 * 3600_000 }) } as unknown as PlatformRegistry;
    const stores = [a, b].map((s) => new TicketStore(s.durable, platforms, new SystemClock(), s.lock));
    const createdAts = Array.from({ length: 30 }, (_, i) => 1_000 + i);
    for (let i = createdAts.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [createdAts[i], createdAts[j]] = [createdAts[j], createdAts[i]];
    }
    const results = await Promise.all(
      createdAts.map((createdAt, i) => stores[i % 2].save(COMPONENT, `ticket-${createdAt}`, createdAt)),
    );
    expect(results).not.toContain('duplicate');
    expect((await stores[1].get(COMPONENT))?.ticket).toBe('ticket-1029');
    expect(await stores[0].save(COMPONENT, 'ticket-1029', 1029)).toBe('duplicate');
    expect(await stores[1].save(COMPONENT, 'ticket-1028', 1028)).toBe('older');
    expect(await raw.pTTL(`${prefix}:${StoreKeys.ticket('wechat', 'wx_cas')}`)).toBe(-1);
  });

  describe('hot cache', () => {
    const key = StoreKeys.authorizerToken('wechat', 'wx1', 'wx_hot');

    // Each read below waits for the writer's message first: a read that overlaps an invalidation
    // of its key (deliberately) keeps no copy.
    it('serves a warm token from process memory: no round trip', async () => {
      const announced = nextInvalidation(cacheOf(b));
      await a.cache.set(key, { accessToken: 'v1' }, 60_000);
      await announced;
      expect(await b.cache.get(key)).toEqual({ accessToken: 'v1' });
      // Removed behind the module's back (no message): the warm copy is what B still answers,
      // which shows that peek never asked Redis.
      await raw.del(`${prefix}:${key}`);
      expect(b.cache.peek(key)).toEqual({ accessToken: 'v1' });
      expect(await b.cache.get(key)).toBeUndefined(); // get always reads Redis
      expect(b.cache.peek(key)).toBeUndefined();
    });

    it("a set or delete in one process drops the other's copy when the message arrives", async () => {
      const announced = nextInvalidation(cacheOf(b));
      await a.cache.set(key, { accessToken: 'v1' }, 60_000);
      await announced;
      expect(await b.cache.get(key)).toEqual({ accessToken: 'v1' });
      expect(b.cache.peek(key)).toEqual({ accessToken: 'v1' });

      const replaced = nextInvalidation(cacheOf(b));
      await a.cache.set(key, { accessToken: 'v2' }, 60_000);
      expect(await replaced).toBe(key);
      expect(b.cache.peek(key)).toBeUndefined();
      expect(await b.cache.get(key)).toEqual({ accessToken: 'v2' });
      expect(a.cache.peek(key)).toEqual({ accessToken: 'v2' }); // the writer keeps its own copy

      const deleted = nextInvalidation(cacheOf(a));
      await b.cache.delete(key);
      expect(await deleted).toBe(key);
      expect(a.cache.peek(key)).toBeUndefined();
      expect(await a.cache.get(key)).toBeUndefined();
    });

    it('bounds the age of a local copy while Redis is reachable (safety net for a lost message)', async () => {
      const c = await OpenPlatformStorage.open({
        redis: { url: REDIS_URL, keyPrefix: prefix, localCacheMaxAgeMs: 50 },
      });
      try {
        const announced = nextInvalidation(c.cache as RedisTokenCache);
        await a.cache.set(key, { accessToken: 'v3' }, 60_000);
        await announced;
        expect(await c.cache.get(key)).toEqual({ accessToken: 'v3' });
        expect(c.cache.peek(key)).toEqual({ accessToken: 'v3' });
        await sleep(120);
        expect(c.cache.peek(key)).toBeUndefined();
      } finally {
        await c.onApplicationShutdown();
      }
    });
  });

  it('fails the boot with a retryable STORE_UNAVAILABLE naming host:port, never the password', async () => {
    const port = await freePort();
    const err = await RedisConnection.open({
      url: `redis://user:hunter2-secret@127.0.0.1:${port}`,
      keyPrefix: prefix,
      connectTimeoutMs: 300,
    }).catch((e: unknown) => e as Error);
    expect(err).toMatchObject({ code: OpenPlatformErrorCode.STORE_UNAVAILABLE, retryable: true });
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    expect((err as Error).message).not.toContain('hunter2');
  });

  it('refuses work after shutdown instead of reconnecting', async () => {
    const c = await OpenPlatformStorage.open({ redis: { url: REDIS_URL, keyPrefix: prefix } });
    await c.onApplicationShutdown();
    expect(c.ownedResources).toBe(0);
    expect(c.redisHealthy()).toBe(false);
    await expect(c.durable.get('x')).rejects.toMatchObject({ code: OpenPlatformErrorCode.STORE_UNAVAILABLE });
    await expect(c.cache.get('x')).rejects.toMatchObject({ code: OpenPlatformErrorCode.STORE_UNAVAILABLE });
  });
});

describe('OpenPlatformStorage in fleet mode when Redis goes away (own redis-server, stopped and restarted)', () => {
  let server: OwnRedisServer;
  let storage: OpenPlatformStorage;
  const key = StoreKeys.componentToken('wechat', 'wx_outage');

  beforeAll(async () => {
    server = await OwnRedisServer.start();
    storage = await OpenPlatformStorage.open({ redis: { url: server.url, keyPrefix: 'outage' } });
  });
  afterAll(async () => {
    await storage?.onApplicationShutdown();
    await server?.stop();
  });

  it('serves held tokens, fails fast on everything else, and resumes by itself', async () => {
    await storage.cache.set(key, { accessToken: 'held' }, 60_000);
    await server.stop();
    // Both connections must have noticed: with only the pub/sub one down, copies are not trusted
    // while the command connection still looks up (the copy may have been replaced unseen).
    const connection = (storage as unknown as { redis: RedisConnection }).redis;
    await until(() => !connection.client.isReady && !connection.subscriber.isReady, 'the module notices the outage');

    expect(storage.cache.peek(key)).toEqual({ accessToken: 'held' });
    expect(await storage.cache.get(key)).toEqual({ accessToken: 'held' }); // Redis unreadable: the held copy
    const unavailable = { code: OpenPlatformErrorCode.STORE_UNAVAILABLE, retryable: true };
    await expect(storage.cache.get('wechat:wx_outage:other')).rejects.toMatchObject(unavailable);
    await expect(storage.cache.set(key, { accessToken: 'new' }, 1000)).rejects.toMatchObject(unavailable);
    await expect(storage.durable.get('wechat:wx_outage:ticket')).rejects.toMatchObject(unavailable);
    await expect(storage.durable.keys('wechat:wx_outage:')).rejects.toMatchObject(unavailable);
    await expect(storage.dueIndex.due('wechat:wx_outage:renewal-due', 1, 1)).rejects.toMatchObject(unavailable);
    await expect(storage.lock.runExclusive('wechat:wx_outage:x', async () => 1)).rejects.toMatchObject(unavailable);
    expect(await storage.pingRedis()).toBe(false);

    await server.restart();
    await until(() => storage.redisHealthy() === true, 'the module reconnects');
    // The restarted Redis is empty, and copies held through the outage are dropped with it.
    expect(storage.cache.peek(key)).toBeUndefined();
    await storage.durable.set('wechat:wx_outage:ticket', { ticket: 'again' });
    expect(await storage.durable.get('wechat:wx_outage:ticket')).toEqual({ ticket: 'again' });
    expect(await storage.lock.runExclusive('wechat:wx_outage:x', async () => 'locked')).toBe('locked');
    expect(await storage.pingRedis()).toBe(true);
  });
});
