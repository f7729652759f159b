import { describe, expect, it } from '@jest/globals';
import { exponentialBackoffMs } from './backoff.js';

describe('exponentialBackoffMs', () => {
  it('doubles from the base for each retry and never exceeds the cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => exponentialBackoffMs(200, 2000, n))).toEqual([200, 400, 800, 1600, 2000]);
    expect(exponentialBackoffMs(50, Number.POSITIVE_INFINITY, 3)).toBe(200);
    expect(exponentialBackoffMs(10, 250, 1000)).toBe(250); // no overflow to Infinity/NaN
    expect(exponentialBackoffMs(0, 2000, 4)).toBe(0);
  });
});
