import { describe, it, expect } from '@jest/globals';
import { MemoryLockService } from './lock.service.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Wraps work so the test can observe how many run at once. */
function tracker() {
  let active = 0;
  let max = 0;
  const order: number[] = [];
  return {
    get max() {
      return max;
    },
    order,
    task:
      <T>(id: number, value: T, ms = 1) =>
      async (): Promise<T> => {
        active++;
        max = Math.max(max, active);
        try {
          await sleep(ms);
          order.push(id);
          return value;
        } finally {
          active--;
        }
      },
  };
}

describe('MemoryLockService', () => {
  it('runs work on one key one at a time, in call order, each caller getting its own value', async () => {
    const lock = new MemoryLockService();
    const t = tracker();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => lock.runExclusive('k', t.task(i, `v${i}`, i % 3))),
    );
    expect(t.max).toBe(1);
    expect(results).toEqual(Array.from({ length: 30 }, (_, i) => `v${i}`));
    expect(t.order).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('runs different keys concurrently', async () => {
    const lock = new MemoryLockService();
    const t = tracker();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const started: string[] = [];
    const a = lock.runExclusive('a', async () => {
      started.push('a');
      await gate;
      return 'A';
    });
    // b must be able to run to completion while a holds its lock.
    const b = await lock.runExclusive('b', async () => {
      started.push('b');
      return 'B';
    });
    expect(b).toBe('B');
    expect(started).toEqual(['a', 'b']);
    release();
    await expect(a).resolves.toBe('A');

    await Promise.all(['x', 'y', 'z'].map((k, i) => lock.runExclusive(k, t.task(i, k, 20))));
    expect(t.max).toBe(3);
  });

  it('does not let a throwing fn block the next holder, and reports the error to its own caller only', async () => {
    const lock = new MemoryLockService();
    const t = tracker();
    const boom = new Error('refresh failed');
    const first = lock.runExclusive('k', async () => {
      await sleep(5);
      throw boom;
    });
    const second = lock.runExclusive('k', t.task(2, 'second'));
    const third = lock.runExclusive('k', (): Promise<string> => {
      throw new Error('sync throw');
    });
    const fourth = lock.runExclusive('k', t.task(4, 'fourth'));
    await expect(first).rejects.toBe(boom);
    await expect(second).resolves.toBe('second');
    await expect(third).rejects.toThrow('sync throw');
    await expect(fourth).resolves.toBe('fourth');
    expect(t.max).toBe(1);
    await expect(lock.runExclusive('k', async () => 'after')).resolves.toBe('after');
  });

  it('does not start the next holder before the previous one has settled', async () => {
    const lock = new MemoryLockService();
    const events: string[] = [];
    const first = lock.runExclusive('k', async () => {
      events.push('first:start');
      await sleep(10);
      events.push('first:end');
    });
    const second = lock.runExclusive('k', async () => {
      events.push('second:start');
    });
    await Promise.all([first, second]);
    expect(events).toEqual(['first:start', 'first:end', 'second:start']);
  });

  it('releases its bookkeeping once a key is idle', async () => {
    const lock = new MemoryLockService();
    await Promise.all([lock.runExclusive('k', async () => 1), lock.runExclusive('k', async () => 2)]);
    await lock
      .runExclusive('j', async () => {
        throw new Error('x');
      })
      .catch(() => undefined);
    expect((lock as unknown as { tails: Map<string, unknown> }).tails.size).toBe(0);
  });

  it('says a key is idle only while nobody holds or waits for it', async () => {
    const lock = new MemoryLockService();
    let release!: () => void;
    expect(lock.idle('k')).toBe(true);
    const holder = lock.runExclusive('k', () => new Promise<void>((r) => (release = r)));
    expect(lock.idle('k')).toBe(false);
    expect(lock.idle('other')).toBe(true);
    await Promise.resolve();
    release();
    await holder;
    await new Promise((r) => setImmediate(r));
    expect(lock.idle('k')).toBe(true);
  });

  it('lets a waiter give up through its signal without running its work or freeing the key early', async () => {
    const lock = new MemoryLockService();
    const events: string[] = [];
    let release!: () => void;
    const holder = lock.runExclusive('k', () =>
      new Promise<void>((r) => (release = r)).then(() => void events.push('holder:end')),
    );
    const gaveUp = new AbortController();
    const waiter = lock.runExclusive('k', async () => void events.push('waiter:ran'), gaveUp.signal);
    const next = lock.runExclusive('k', async () => void events.push('next:ran'));
    gaveUp.abort(new Error('gave up'));
    await expect(waiter).rejects.toThrow('gave up');
    release();
    await Promise.all([holder, next]);
    expect(events).toEqual(['holder:end', 'next:ran']);
  });
});
