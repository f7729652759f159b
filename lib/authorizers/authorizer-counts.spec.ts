import { describe, expect, it } from '@jest/globals';
import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';
import { Clock } from '../clock/clock.js';
import { OpenPlatformEvents } from '../events/open-platform-events.service.js';
import { MemoryLockService } from '../lock/lock.service.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import { MemoryDurableStore } from '../store/durable-store.js';
import { StoreKeys } from '../store/store-keys.js';
import { AuthorizerTally, zeroCounts, type ScannedRecord } from './authorizer-counts.js';
import type { AuthorizerRecord, AuthorizerStatus } from './authorizer.interface.js';
import { AuthorizerStore } from './authorizer.store.js';

const COMPONENT = { platform: 'wechat', appId: 'wx_c' } as ResolvedComponent;
const STATUSES: AuthorizerStatus[] = ['active', 'revoked', 'reauthorization_required', 'no_api_permission'];

/** A scan the test releases by hand, so writes can be interleaved with it. */
function manualScan(records: ScannedRecord[]) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let calls = 0;
  return {
    scan: async () => {
      calls++;
      await gate;
      return records;
    },
    release: () => release(),
    calls: () => calls,
  };
}

const rec = (authorizerAppId: string, status: AuthorizerStatus): ScannedRecord => ({ authorizerAppId, status });

describe('AuthorizerTally', () => {
  it('counts the scanned records once, then follows writes without scanning again', async () => {
    const tally = new AuthorizerTally();
    const s = manualScan([rec('a', 'active'), rec('b', 'active'), rec('c', 'revoked')]);
    const first = tally.get(s.scan);
    const second = tally.get(s.scan);
    s.release();
    expect(await first).toEqual({ ...zeroCounts(), active: 2, revoked: 1 });
    expect(await second).toEqual({ ...zeroCounts(), active: 2, revoked: 1 });
    tally.begin('a');
    tally.end('a', 'active', 'reauthorization_required');
    tally.begin('d');
    tally.end('d', undefined, 'no_api_permission');
    tally.begin('b');
    tally.end('b', 'active', undefined); // failed write: nothing changed
    expect(await tally.get(s.scan)).toEqual({
      active: 1,
      revoked: 1,
      reauthorization_required: 1,
      no_api_permission: 1,
    });
    expect(s.calls()).toBe(1);
  });

  it('ignores writes before the first scan (the scan reads what they left)', async () => {
    const tally = new AuthorizerTally();
    tally.begin('a');
    tally.end('a', undefined, 'active');
    expect(await tally.get(async () => [rec('a', 'active')])).toEqual({ ...zeroCounts(), active: 1 });
  });

  it('a write ending during the scan wins over the (possibly older) status the scan read', async () => {
    const tally = new AuthorizerTally();
    const s = manualScan([rec('a', 'active'), rec('b', 'active')]); // read before the writes landed
    const counting = tally.get(s.scan);
    tally.begin('a');
    tally.end('a', 'active', 'revoked');
    tally.begin('new');
    tally.end('new', undefined, 'active'); // created during the scan, not seen by it
    s.release();
    expect(await counting).toEqual({ ...zeroCounts(), active: 2, revoked: 1 });
  });

  it('a write started before the scan and ending during it is counted once', async () => {
    const tally = new AuthorizerTally();
    tally.begin('a');
    const s = manualScan([rec('a', 'revoked')]); // the scan already saw the new status
    const counting = tally.get(s.scan);
    tally.end('a', 'active', 'revoked');
    s.release();
    expect(await counting).toEqual({ ...zeroCounts(), revoked: 1 });
  });

  it.each([
    ['read the status before the write', 'active'],
    ['read the status after the write', 'revoked'],
  ] as const)('a write still in flight when the scan ends: the scan %s → counted once', async (_case, seen) => {
    const tally = new AuthorizerTally();
    tally.begin('a');
    const s = manualScan([rec('a', seen), rec('b', 'active')]);
    const counting = tally.get(s.scan);
    s.release();
    await counting;
    tally.end('a', 'active', 'revoked');
    expect(await tally.get(s.scan)).toEqual({ ...zeroCounts(), active: 1, revoked: 1 });
    // Later writes of the same record are plain transitions again.
    tally.begin('a');
    tally.end('a', 'revoked', 'active');
    expect(await tally.get(s.scan)).toEqual({ ...zeroCounts(), active: 2 });
  });

  it('a record created by a write still in flight when the scan ends is counted when it ends', async () => {
    const tally = new AuthorizerTally();
    tally.begin('new');
    const s = manualScan([]);
    const counting = tally.get(s.scan);
    s.release();
    expect(await counting).toEqual(zeroCounts());
    tally.end('new', undefined, 'active');
    expect(await tally.get(s.scan)).toEqual({ ...zeroCounts(), active: 1 });
  });

  it('an in-flight write that fails leaves what the scan counted', async () => {
    const tally = new AuthorizerTally();
    tally.begin('a');
    const s = manualScan([rec('a', 'active')]);
    const counting = tally.get(s.scan);
    s.release();
    await counting;
    tally.end('a', 'active', undefined);
    expect(await tally.get(s.scan)).toEqual({ ...zeroCounts(), active: 1 });
  });

  it('a failed scan is retried by the next call', async () => {
    const tally = new AuthorizerTally();
    await expect(tally.get(() => Promise.reject(new Error('store down')))).rejects.toThrow('store down');
    expect(await tally.get(async () => [rec('a', 'active')])).toEqual({ ...zeroCounts(), active: 1 });
  });

  it('returns copies: callers cannot change the counts', async () => {
    const tally = new AuthorizerTally();
    const counts = await tally.get(async () => [rec('a', 'active')]);
    counts.active = 99;
    expect((await tally.get(async () => [])).active).toBe(1);
  });
});

/** Deterministic pseudo-random numbers (a seeded LCG), so a failing interleaving can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** A durable store whose every read and write takes a random number of event-loop turns. */
class SlowStore extends MemoryDurableStore {
  gets = 0;
  constructor(private readonly random: () => number) {
    super();
  }
  private async turns(): Promise<void> {
    const n = Math.floor(this.random() * 4);
    for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
  }
  override async get<T>(key: string): Promise<T | undefined> {
    this.gets++;
    await this.turns();
    return super.get<T>(key);
  }
  override async set<T>(key: string, value: T): Promise<void> {
    await this.turns();
    await super.set(key, value);
    await this.turns();
  }
  override async keys(prefix: string): Promise<string[]> {
    await this.turns();
    return super.keys(prefix);
  }
}

class FixedClock extends Clock {
  now(): number {
    return 1_700_000_000_000;
  }
}

function record(authorizerAppId: string, status: AuthorizerStatus): AuthorizerRecord {
  return {
    componentAppId: COMPONENT.appId,
    authorizerAppId,
    platform: 'wechat',
    status,
    permissions: [1],
    authorizedAt: 1,
    updatedAt: 1,
  };
}

/** Counts by reading every record, the slow way the tally avoids. */
async function recount(store: MemoryDurableStore): Promise<Record<AuthorizerStatus, number>> {
  const counts = zeroCounts();
  for (const key of await store.keys(StoreKeys.authorizers('wechat', COMPONENT.appId)))
    counts[(await store.get<AuthorizerRecord>(key))!.status]++;
  return counts;
}

describe('AuthorizerStore.counts under concurrent updates', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'seed %p: 400 concurrent updates racing the first count → equal to a full recount',
    async (seed) => {
      const random = prng(seed);
      const store = new SlowStore(random);
      // Records written before this process started (e.g. by a previous run).
      for (let i = 0; i < 60; i++)
        await MemoryDurableStore.prototype.set.call(
          store,
          StoreKeys.authorizer('wechat', COMPONENT.appId, `wx_${i}`),
          record(`wx_${i}`, STATUSES[i % 4]),
        );
      const authorizers = new AuthorizerStore(
        store,
        new MemoryLockService(),
        new OpenPlatformEvents(),
        new FixedClock(),
      );
      const updates = Array.from({ length: 400 }, (_, n) => {
        const appId = `wx_${Math.floor(random() * 90)}`; // some exist, some are created
        const status = STATUSES[Math.floor(random() * 4)];
        const skip = random() < 0.1; // change() returning undefined writes nothing
        return async () => {
          for (let i = Math.floor(random() * 6); i > 0; i--) await new Promise((r) => setImmediate(r));
          await authorizers.update(COMPONENT, appId, (current) =>
            skip ? undefined : { ...(current ?? record(appId, status)), status, updatedAt: n },
          );
        };
      });
      // The first count starts while the updates are under way; more counts join later.
      const counting = Array.from({ length: 5 }, async (_, i) => {
        for (let t = i * 3; t > 0; t--) await new Promise((r) => setImmediate(r));
        return authorizers.counts(COMPONENT);
      });
      await Promise.all([...updates.map((u) => u()), ...counting]);
      expect(await authorizers.counts(COMPONENT)).toEqual(await recount(store));
    },
  );

  it('after the first count, counting reads no record', async () => {
    const store = new SlowStore(prng(9));
    const authorizers = new AuthorizerStore(store, new MemoryLockService(), new OpenPlatformEvents(), new FixedClock());
    for (let i = 0; i < 20; i++)
      await authorizers.update(COMPONENT, `wx_${i}`, () => record(`wx_${i}`, i < 15 ? 'active' : 'revoked'));
    expect(await authorizers.counts(COMPONENT)).toEqual({ ...zeroCounts(), active: 15, revoked: 5 });
    const reads = store.gets;
    for (let i = 0; i < 50; i++) await authorizers.counts(COMPONENT);
    expect(store.gets).toBe(reads);
  });

  it('a write that fails after retries changes no count', async () => {
    class FailingStore extends MemoryDurableStore {
      fail = false;
      override async set<T>(key: string, value: T): Promise<void> {
        if (this.fail) throw Object.assign(new Error('down'), { code: 'EDOWN' });
        return super.set(key, value);
      }
    }
    const lines: string[] = [];
    const logger: LoggerService = {
      log: () => {},
      warn: (m) => lines.push(String(m)),
      error: (m) => lines.push(String(m)),
    };
    Logger.overrideLogger(logger);
    const store = new FailingStore();
    const authorizers = new AuthorizerStore(store, new MemoryLockService(), new OpenPlatformEvents(), new FixedClock());
    await authorizers.update(COMPONENT, 'wx_1', () => record('wx_1', 'active'));
    expect(await authorizers.counts(COMPONENT)).toEqual({ ...zeroCounts(), active: 1 });
    store.fail = true;
    await expect(authorizers.update(COMPONENT, 'wx_1', (c) => ({ ...c!, status: 'revoked' }))).rejects.toMatchObject({
      code: 'STORE_WRITE_FAILED',
    });
    Logger.overrideLogger(new ConsoleLogger());
    expect(lines.at(-1)).toContain('CRITICAL');
    expect(await authorizers.counts(COMPONENT)).toEqual({ ...zeroCounts(), active: 1 });
  });
});
