import { describe, expect, it } from '@jest/globals';
import { SweptMap } from './swept-map.js';

describe('SweptMap', () => {
  it('drops stale entries as it grows: at most about twice the live ones', () => {
    const map = new SweptMap<number>((expiresAt, now) => expiresAt <= now);
    const live = Date.now() + 3_600_000;
    for (let i = 0; i < 1_500; i++) map.set(`live-${i}`, live);
    // Written once, already expired, never read again: only a sweep removes them.
    for (let i = 0; i < 20_000; i++) map.set(`stale-${i}`, 0);
    expect(map.size).toBeLessThanOrEqual(2 * 1_500);
    for (let i = 0; i < 1_500; i++) expect(map.get(`live-${i}`)).toBe(live);
    map.sweep();
    expect(map.size).toBe(1_500);
  });

  it('keeps live entries however many there are', () => {
    const map = new SweptMap<number>(() => false);
    for (let i = 0; i < 5_000; i++) map.set(String(i), i);
    expect(map.size).toBe(5_000);
    expect(map.get('4999')).toBe(4_999);
  });
});
