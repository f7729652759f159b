import { describe, expect, it, jest } from '@jest/globals';
import { createCache } from 'cache-manager';
import { Clock, SystemClock } from '../clock/clock.js';
import { COARSE_CLOCK_RESOLUTION_MS } from '../clock/coarse-wall-clock.js';
import { OpenPlatformError } from '../errors/open-platform.error.js';
import { LockService, MemoryLockService } from '../lock/lock.service.js';
import { CacheManagerTokenCache } from '../store/token-cache.js';
import { REJECTED_RENEWAL_WINDOW_MS } from './rejected-renewals.js';
import { TokenKeeper, type RenewHooks } from './token-keeper.js';

class ManualClock extends Clock {
  t = 1_000_000;
  now(): number {
    return this.t;
  }
}

/** A renewal the test holds until it calls `release()`. */
interface Held {
  release(): void;
}

function setup(opts: { mayServeCurrent?: boolean; lock?: LockService } = {}) {
  const clock = new ManualClock();
  const keeper = new TokenKeeper(
    new CacheManagerTokenCache(createCache()),
    opts.lock ?? new MemoryLockService(),
    clock,
    300,
  );
  let issued = 0;
  let started = 0;
  let fail: OpenPlatformError | undefined;
  let hold = false;
  const held: Held[] = [];
  const failures: boolean[] = [];
  const hooks: RenewHooks = {
    renew: async () => {
      started++;
      if (hold) await new Promise<void>((release) => held.push({ release }));
      else await new Promise((r) => setTimeout(r, 5));
      if (fail) throw fail;
      return (await keeper.store('k', `t${++issued}`, 1000)).accessToken;
    },
    mayServeCurrent: () => opts.mayServeCurrent ?? true,
    onFailure: (_e, serving) => failures.push(serving),
  };
  return {
    clock,
    keeper,
    hooks,
    issued: () => issued,
    started: () => started,
    setFail: (e?: OpenPlatformError) => (fail = e),
    holdRenewals: (on: boolean) => (hold = on),
    held,
    failures,
  };
}

const transient = new OpenPlatformError({ platform: 'wechat', code: -1, message: 'busy', retryable: true });
const revoked = new OpenPlatformError({ platform: 'wechat', code: 'AUTHORIZER_REVOKED', message: 'gone' });

/** Lets pending promise chains (and the 5 ms renewals) run. */
const settle = () => new Promise((r) => setTimeout(r, 20));

/** Whether `promise` has settled by now (after a macrotask turn). */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((r) => setImmediate(r));
  return settled;
}

describe('TokenKeeper', () => {
  it('one renewal for any number of concurrent callers; then the hot path', async () => {
    const s = setup();
    const tokens = await Promise.all(Array.from({ length: 100 }, () => s.keeper.get('k', s.hooks)));
    expect(new Set(tokens)).toEqual(new Set(['t1']));
    expect(s.issued()).toBe(1);
    expect(s.keeper.hot('k')).toBe('t1');
  });

  it('renews by the rule: min(margin, 20% of expires_in) before expiry, in the background', async () => {
    const s = setup();
    await s.keeper.get('k', s.hooks);
    s.clock.t += 799_000; // 201 s left of 1000 s: not yet (threshold 200 s)
    expect(await s.keeper.get('k', s.hooks)).toBe('t1');
    await settle();
    expect(s.started()).toBe(1);
    s.clock.t += 2_000;
    expect(s.keeper.hot('k')).toBeUndefined();
    // Due but valid: served at once, renewed behind the caller's back; the next caller gets the new one.
    expect(await s.keeper.get('k', s.hooks)).toBe('t1');
    await settle();
    expect(s.issued()).toBe(2);
    expect(await s.keeper.get('k', s.hooks)).toBe('t2');
  });

  it('serves a due token to every caller while its one renewal is held', async () => {
    const s = setup();
    await s.keeper.get('k', s.hooks);
    s.clock.t += 900_000; // due, 100 s left
    s.holdRenewals(true);
    const tokens = await Promise.all(Array.from({ length: 100 }, () => s.keeper.get('k', s.hooks)));
    expect(new Set(tokens)).toEqual(new Set(['t1']));
    await settle();
    expect(s.held).toHaveLength(1); // one renewal started, still held
    expect(s.issued()).toBe(1);
    s.held[0].release();
    await settle();
    expect(await s.keeper.get('k', s.hooks)).toBe('t2');
    expect(s.started()).toBe(2);
  });

  it('makes callers wait only when the token is missing or expired', async () => {
    const s = setup();
    s.holdRenewals(true);
    const first = s.keeper.get('k', s.hooks);
    expect(await isSettled(first)).toBe(false);
    s.held[0].release();
    expect(await first).toBe('t1');
    s.clock.t += 1_000_000; // expired
    const waiting = s.keeper.get('k', s.hooks);
    expect(await isSettled(waiting)).toBe(false);
    s.held[1].release();
    expect(await waiting).toBe('t2');
  });

  it('after a failed background renewal, tries again only after a backoff that grows', async () => {
    const s = setup();
    await s.keeper.get('k', s.hooks);
    s.clock.t += 900_000; // due, still valid
    s.setFail(transient);
    for (let i = 0; i < 20; i++) expect(await s.keeper.get('k', s.hooks)).toBe('t1');
    await settle();
    expect(s.started()).toBe(2); // the first get, then one background attempt
    expect(s.failures).toEqual([true]);
    for (let i = 0; i < 20; i++) await s.keeper.get('k', s.hooks);
    await settle();
    expect(s.started()).toBe(2); // paused
    s.clock.t += 1_000; // first pause: 1 s
    await s.keeper.get('k', s.hooks);
    await settle();
    expect(s.started()).toBe(3);
    s.clock.t += 1_000; // the second pause is 2 s
    await s.keeper.get('k', s.hooks);
    await settle();
    expect(s.started()).toBe(3);
    s.clock.t += 1_000;
    s.setFail(undefined);
    await s.keeper.get('k', s.hooks);
    await settle();
    expect(s.started()).toBe(4);
    expect(await s.keeper.get('k', s.hooks)).toBe('t2');
    expect(s.failures).toEqual([true, true]);
  });

  it('an expired token is renewed at once despite the backoff, and its failure reaches the caller', async () => {
    const s = setup();
    await s.keeper.get('k', s.hooks);
    s.clock.t += 900_000;
    s.setFail(transient);
    await s.keeper.get('k', s.hooks);
    await settle();
    s.clock.t += 200_000; // expired, well inside the 60 s cap of any pause
    await expect(s.keeper.get('k', s.hooks)).rejects.toBe(transient);
    expect(s.started()).toBe(3);
    expect(s.failures).toEqual([true, false]);
  });

  it('a background failure that forbids serving the token drops it: the next caller sees the error', async () => {
    const s = setup({ mayServeCurrent: false });
    await s.keeper.get('k', s.hooks);
    s.clock.t += 900_000;
    s.setFail(revoked);
    expect(await s.keeper.get('k', s.hooks)).toBe('t1');
    await settle();
    expect(s.failures).toEqual([false]);
    expect(await s.keeper.cached('k')).toBeUndefined();
    await expect(s.keeper.get('k', s.hooks)).rejects.toBe(revoked);
  });

  it('a forced renewal is skipped when the rejected token was already replaced', async () => {
    const s = setup();
    await s.keeper.get('k', s.hooks);
    expect(await s.keeper.get('k', s.hooks, true, 't1')).toBe('t2');
    expect(await s.keeper.get('k', s.hooks, true, 't1')).toBe('t2'); // t1 is gone already
    expect(s.issued()).toBe(2);
  });

  it('a forced renewal waits for its own renewal and never falls back on the current token', async () => {
    const s = setup();
    await s.keeper.get('k', s.hooks);
    s.setFail(transient);
    await expect(s.keeper.get('k', s.hooks, true)).rejects.toBe(transient);
    expect(s.failures).toEqual([false]);
  });

  it('a rejected token that replaced a rejected one is not renewed again within the window', async () => {
    const s = setup();
    await s.keeper.get('k', s.hooks);
    expect(await s.keeper.get('k', s.hooks, 'rejected', 't1')).toBe('t2');
    for (let i = 0; i < 50; i++) expect(await s.keeper.get('k', s.hooks, 'rejected', 't2')).toBe('t2');
    expect(s.issued()).toBe(2);
    // A renewal asked for by name (the scheduler) is not held back.
    expect(await s.keeper.get('k', s.hooks, true, 't2')).toBe('t3');
    expect(await s.keeper.get('k', s.hooks, 'rejected', 't3')).toBe('t4');
    s.clock.t += REJECTED_RENEWAL_WINDOW_MS;
    expect(await s.keeper.get('k', s.hooks, 'rejected', 't4')).toBe('t5');
    expect(s.issued()).toBe(5);
  });

  it('close() ends a background renewal waiting for the lock and starts no more', async () => {
    const lock = new MemoryLockService();
    const s = setup({ lock });
    await s.keeper.get('k', s.hooks);
    s.clock.t += 900_000;
    let releaseLock!: () => void;
    const holding = lock.runExclusive('k', () => new Promise<void>((r) => (releaseLock = r)));
    expect(await s.keeper.get('k', s.hooks)).toBe('t1'); // its renewal now waits for the lock
    await s.keeper.close();
    releaseLock();
    await holding;
    await settle();
    expect(await s.keeper.get('k', s.hooks)).toBe('t1');
    await settle();
    expect(s.started()).toBe(1); // neither the abandoned renewal nor a new one ran
    expect(s.failures).toEqual([]); // shutting down is not a failed renewal
  });

  it('on the system clock, stops serving a token hot once it is due (the coarse reading is at most one tick old)', async () => {
    jest.useFakeTimers({ now: 1_000_000, doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    try {
      const keeper = new TokenKeeper(
        new CacheManagerTokenCache(createCache()),
        new MemoryLockService(),
        new SystemClock(),
        300,
      );
      // 1000 s of life, due at 80% of it (the margin is min(300 s, 20%)).
      await keeper.store('k', 'tok', 1000);
      expect(keeper.hot('k')).toBe('tok');
      jest.setSystemTime(1_000_000 + 800_000);
      jest.advanceTimersByTime(COARSE_CLOCK_RESOLUTION_MS);
      expect(keeper.hot('k')).toBeUndefined();
      await keeper.close();
    } finally {
      jest.useRealTimers();
    }
  });
});
