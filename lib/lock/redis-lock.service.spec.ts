import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RedisClientType } from '@keyv/redis';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { deleteUnder, rawClient, uniquePrefix } from '../store/redis/spec-helpers.js';
import { RedisLockService } from './redis-lock.service.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A promise and its resolver. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('RedisLockService (integration, real Redis)', () => {
  const prefix = uniquePrefix('lock');
  let a: RedisClientType;
  let b: RedisClientType;
  let raw: RedisClientType;

  beforeAll(async () => {
    [a, b, raw] = await Promise.all([rawClient(), rawClient(), rawClient()]);
  });
  afterAll(async () => {
    await deleteUnder(raw, prefix);
    for (const c of [a, b, raw]) if (c.isOpen) c.destroy();
  });

  it('is exclusive across two clients (two processes): no overlap, no lost update', async () => {
    const first = new RedisLockService(a, prefix);
    const second = new RedisLockService(b, prefix);
    let counter = 0;
    let inside = 0;
    let maxInside = 0;
    const work = async () => {
      inside++;
      maxInside = Math.max(maxInside, inside);
      const read = counter;
      await sleep(1);
      counter = read + 1;
      inside--;
    };
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? first : second).runExclusive('wechat:c:counter', work)),
    );
    expect(counter).toBe(40);
    expect(maxInside).toBe(1);
    expect(await raw.exists(`${prefix}:wechat:c:counter:lock`)).toBe(0); // released
  });

  it('releases only its own lock: a holder whose lease was lost does not delete the next holder’s', async () => {
    const first = new RedisLockService(a, prefix);
    const second = new RedisLockService(b, prefix);
    const lockKey = `${prefix}:k-release:lock`;
    const secondInside = deferred();
    const secondMayLeave = deferred();
    let secondRun: Promise<void> | undefined;
    await first.runExclusive('k-release', async () => {
      await raw.del(lockKey); // the lease is gone (as after a long pause)
      secondRun = second.runExclusive('k-release', async () => {
        secondInside.resolve();
        await secondMayLeave.promise;
      });
      await secondInside.promise;
    });
    // The first holder has released: the second one's lock is still there.
    expect(await raw.exists(lockKey)).toBe(1);
    secondMayLeave.resolve();
    await secondRun;
    expect(await raw.exists(lockKey)).toBe(0);
  });

  it('renews the lease while the holder works: a holder slower than its lease is not taken over', async () => {
    const leaseMs = 200;
    const first = new RedisLockService(a, prefix, { leaseMs });
    const second = new RedisLockService(b, prefix, { leaseMs, minBackoffMs: 5, maxBackoffMs: 20 });
    const order: string[] = [];
    const firstInside = deferred();
    const firstRun = first.runExclusive('k-extend', async () => {
      order.push('first in');
      firstInside.resolve();
      await sleep(leaseMs * 5); // five leases long
      order.push('first out');
    });
    await firstInside.promise;
    await second.runExclusive('k-extend', async () => void order.push('second in'));
    await firstRun;
    expect(order).toEqual(['first in', 'first out', 'second in']);
  });

  it('is taken over after its holder stops renewing (a dead process), one lease later', async () => {
    const dying = await rawClient();
    const leaseMs = 300;
    const holder = new RedisLockService(dying, prefix, { leaseMs });
    const taker = new RedisLockService(b, prefix, { leaseMs, minBackoffMs: 5, maxBackoffMs: 30 });
    const holderInside = deferred();
    const never = deferred();
    void holder
      .runExclusive('k-takeover', async () => {
        holderInside.resolve();
        await never.promise; // hangs like a process that died mid-work
      })
      .catch(() => undefined);
    await holderInside.promise;
    dying.destroy(); // no renewal, no release from now on
    let holderStillInside = true;
    await taker.runExclusive('k-takeover', async () => {
      expect(holderStillInside).toBe(true); // taken over while the dead holder never finished
    });
    holderStillInside = false;
    never.resolve();
  });

  it('gives up waiting with a retryable LOCK_TIMEOUT when the holder keeps it too long', async () => {
    const first = new RedisLockService(a, prefix);
    const second = new RedisLockService(b, prefix, { waitTimeoutMs: 100, minBackoffMs: 5, maxBackoffMs: 20 });
    const release = deferred();
    const inside = deferred();
    const held = first.runExclusive('k-timeout', async () => {
      inside.resolve();
      await release.promise;
    });
    await inside.promise;
    const err = await second.runExclusive('k-timeout', async () => 'ran').catch((e: unknown) => e);
    release.resolve();
    await held;
    expect(err).toBeInstanceOf(OpenPlatformError);
    expect(err).toMatchObject({ code: OpenPlatformErrorCode.LOCK_TIMEOUT, retryable: true });
  });

  it('stops waiting as soon as its signal is aborted, and runs nothing', async () => {
    const first = new RedisLockService(a, prefix);
    const second = new RedisLockService(b, prefix, { minBackoffMs: 5, maxBackoffMs: 20 });
    const release = deferred();
    const inside = deferred();
    const held = first.runExclusive('k-abort', async () => {
      inside.resolve();
      await release.promise;
    });
    await inside.promise;
    const stop = new AbortController();
    let ran = false;
    const waiting = second.runExclusive('k-abort', async () => void (ran = true), stop.signal).catch((e: unknown) => e);
    stop.abort(new Error('shutting down'));
    expect(await waiting).toMatchObject({ message: 'shutting down' });
    release.resolve();
    await held;
    expect(ran).toBe(false);
  });

  it('fails fast with a retryable STORE_UNAVAILABLE when Redis cannot be reached, and runs nothing', async () => {
    const closed = await rawClient();
    closed.destroy();
    const lock = new RedisLockService(closed, prefix);
    let ran = false;
    const err = await lock.runExclusive('k-down', async () => void (ran = true)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: OpenPlatformErrorCode.STORE_UNAVAILABLE, retryable: true });
    expect(ran).toBe(false);
  });
});
