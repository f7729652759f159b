import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { ModuleRef } from '@nestjs/core';
import type { DueIndex } from '../store/due-index.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { RenewalSweep } from './renewal-sweep.service.js';
import { RENEWAL_INTERVAL_NAME, RenewalScheduler } from './renewal.scheduler.js';
import type { IntervalRegistry } from './scheduler-registry.js';

const INTERVAL_MS = 1000;

class FakeRegistry implements IntervalRegistry {
  readonly intervals = new Map<string, ReturnType<typeof setInterval>>();
  addInterval(name: string, id: ReturnType<typeof setInterval>): void {
    this.intervals.set(name, id);
  }
  deleteInterval(name: string): void {
    clearInterval(this.intervals.get(name));
    this.intervals.delete(name);
  }
  doesExist(_type: 'interval', name: string): boolean {
    return this.intervals.has(name);
  }
}

/** The part of the resolved options the scheduler and the sweep's constructor read. */
function options(): ResolvedOptions {
  return {
    components: new Map(),
    refresh: { enabled: true, intervalMs: INTERVAL_MS, marginSeconds: 300, concurrency: 8 },
  } as unknown as ResolvedOptions;
}

/** A scheduler over a sweep that only counts its ticks. */
async function scheduler(spreadMs: number) {
  const registry = new FakeRegistry();
  const moduleRef = { get: () => registry } as unknown as ModuleRef;
  const ticks: number[] = [];
  const sweep = {
    spreadMs,
    start: () => undefined,
    stop: async () => undefined,
    tick: async () => {
      ticks.push(Date.now());
      return undefined;
    },
  } as unknown as RenewalSweep;
  const s = new RenewalScheduler(moduleRef, sweep, options());
  await s.onModuleInit();
  await s.onApplicationBootstrap();
  return { s, ticks, registry };
}

describe('RenewalScheduler', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 0, doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  it('one process: a tick at boot and one at every interval, on the timer', async () => {
    const { s, ticks, registry } = await scheduler(0);
    expect(registry.doesExist('interval', RENEWAL_INTERVAL_NAME)).toBe(true);
    jest.advanceTimersByTime(3 * INTERVAL_MS);
    expect(ticks).toEqual([0, 1000, 2000, 3000]);
    await s.onModuleDestroy();
    expect(registry.doesExist('interval', RENEWAL_INTERVAL_NAME)).toBe(false);
  });

  it('fleet mode: each tick starts at its own random point of the spread after the timer', async () => {
    const draws = [0.9, 0.1, 0.5];
    jest.spyOn(Math, 'random').mockImplementation(() => draws.shift() ?? 0);
    const { s, ticks } = await scheduler(500);
    jest.advanceTimersByTime(3 * INTERVAL_MS + 499);
    // The boot tick at once; then 1000 + 450, 2000 + 50, 3000 + 250.
    expect(ticks).toEqual([0, 1450, 2050, 3250]);
    await s.onModuleDestroy();
  });

  it('fleet mode: a tick still waiting for its start is cancelled at shutdown', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.8);
    const { s, ticks } = await scheduler(500);
    jest.advanceTimersByTime(INTERVAL_MS + 100); // the timer fired; its tick waits until 1400
    expect(ticks).toEqual([0]);
    await s.onModuleDestroy();
    jest.advanceTimersByTime(5 * INTERVAL_MS);
    expect(ticks).toEqual([0]);
  });
});

describe('RenewalSweep.spreadMs', () => {
  const sweepOver = (shared: boolean) => {
    const index = { shared } as DueIndex;
    // Only the index and the options are read at construction.
    const args: unknown[] = [...Array(9).fill(undefined), index, options()];
    return new (RenewalSweep as unknown as new (...a: unknown[]) => RenewalSweep)(...args);
  };

  it('is half the interval when the due index is shared by a fleet, 0 in one process', () => {
    expect(sweepOver(true).spreadMs).toBe(INTERVAL_MS / 2);
    expect(sweepOver(false).spreadMs).toBe(0);
  });
});
