import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { COARSE_CLOCK_MAX_REUSES, COARSE_CLOCK_RESOLUTION_MS, CoarseWallClock } from './coarse-wall-clock.js';

describe('CoarseWallClock', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('reads Date.now() once, then reuses the reading until its timer forgets it', () => {
    const clock = new CoarseWallClock();
    expect(clock.now()).toBe(1_000_000);
    jest.setSystemTime(1_000_000 + 5); // the reading is kept while no timer ran
    expect(clock.now()).toBe(1_000_000);
    jest.advanceTimersByTime(COARSE_CLOCK_RESOLUTION_MS);
    expect(clock.now()).toBe(1_000_000 + 5 + COARSE_CLOCK_RESOLUTION_MS);
  });

  it('reads the clock again after a bounded number of reuses, even when no timer can run', () => {
    const clock = new CoarseWallClock();
    const first = clock.now();
    jest.setSystemTime(first + 60_000); // an event loop blocked for a minute: the timer never fired
    const readings = Array.from({ length: COARSE_CLOCK_MAX_REUSES }, () => clock.now());
    expect(readings.filter((r) => r === first)).toHaveLength(COARSE_CLOCK_MAX_REUSES - 1);
    expect(readings.at(-1)).toBe(first + 60_000);
  });

  it('keeps at most one timer pending, and none once idle', () => {
    const clock = new CoarseWallClock();
    for (let i = 0; i < 10 * COARSE_CLOCK_MAX_REUSES; i++) clock.now();
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(COARSE_CLOCK_RESOLUTION_MS);
    expect(jest.getTimerCount()).toBe(0);
  });
});
