import { describe, it, expect } from '@jest/globals';
import { SingleFlight } from './single-flight.js';

/** A promise whose settlement the test controls. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('SingleFlight', () => {
  it('runs fn once for 1000 concurrent calls on one key, and every caller gets the value', async () => {
    const sf = new SingleFlight();
    const gate = deferred<string>();
    let calls = 0;
    const fn = () => {
      calls++;
      return gate.promise;
    };
    const results = Array.from({ length: 1000 }, () => sf.run('token:wx1', fn));
    await tick();
    expect(calls).toBe(1);
    gate.resolve('the-token');
    const values = await Promise.all(results);
    expect(calls).toBe(1);
    expect(values).toHaveLength(1000);
    expect(new Set(values)).toEqual(new Set(['the-token']));
  });

  it('does not call fn synchronously (the entry is registered first)', async () => {
    const sf = new SingleFlight();
    let calls = 0;
    const p = sf.run('k', async () => ++calls);
    expect(calls).toBe(0);
    await expect(p).resolves.toBe(1);
  });

  it('runs different keys independently and concurrently', async () => {
    const sf = new SingleFlight();
    const gateA = deferred<string>();
    const gateB = deferred<string>();
    const started: string[] = [];
    const a = sf.run('a', () => (started.push('a'), gateA.promise));
    const b = sf.run('b', () => (started.push('b'), gateB.promise));
    const a2 = sf.run('a', () => (started.push('a2'), Promise.resolve('wrong')));
    await tick();
    expect(started.sort()).toEqual(['a', 'b']);
    gateB.resolve('B');
    await expect(b).resolves.toBe('B'); // b settles while a is still pending
    gateA.resolve('A');
    await expect(a).resolves.toBe('A');
    await expect(a2).resolves.toBe('A');
  });

  it('runs fn again for a call made after the previous one completed', async () => {
    const sf = new SingleFlight();
    let calls = 0;
    const fn = async () => ++calls;
    await expect(sf.run('k', fn)).resolves.toBe(1);
    await expect(sf.run('k', fn)).resolves.toBe(2);
    await expect(Promise.all([sf.run('k', fn), sf.run('k', fn)])).resolves.toEqual([3, 3]);
    expect(calls).toBe(3);
  });

  it('delivers a rejection to every waiter, then the next call runs fresh', async () => {
    const sf = new SingleFlight();
    const gate = deferred<string>();
    let calls = 0;
    const failing = () => {
      calls++;
      return gate.promise;
    };
    const waiters = Array.from({ length: 50 }, () => sf.run('k', failing));
    await tick();
    const boom = new Error('upstream down');
    gate.reject(boom);
    const settled = await Promise.allSettled(waiters);
    expect(calls).toBe(1);
    for (const s of settled) expect(s).toEqual({ status: 'rejected', reason: boom });

    await expect(sf.run('k', async () => 'recovered')).resolves.toBe('recovered');
  });

  it('does not let a synchronously throwing fn poison the key', async () => {
    const sf = new SingleFlight();
    const boom = new Error('sync throw');
    const throwing = (): Promise<string> => {
      throw boom;
    };
    const first = sf.run('k', throwing);
    const second = sf.run('k', async () => 'not-run');
    await expect(first).rejects.toBe(boom);
    await expect(second).rejects.toBe(boom); // joined the failing flight
    await expect(sf.run('k', async () => 'fresh')).resolves.toBe('fresh');
  });
});
