import { describe, expect, it } from '@jest/globals';
import { fillRandom } from './random-pool.js';

describe('fillRandom', () => {
  it('hands out fresh bytes each call, across pool refills, only into the range asked for', () => {
    const seen = new Set<string>();
    // 600 prefixes of 16 bytes: more than two pools of 4096 bytes.
    for (let i = 0; i < 600; i++) {
      const target = Buffer.alloc(20, 0xee);
      fillRandom(target, 2, 16);
      expect(target.subarray(0, 2)).toEqual(Buffer.from([0xee, 0xee]));
      expect(target.subarray(18)).toEqual(Buffer.from([0xee, 0xee]));
      seen.add(target.subarray(2, 18).toString('hex'));
    }
    expect(seen.size).toBe(600);
  });

  it('serves a request longer than what is left in the pool from a fresh fill', () => {
    const a = Buffer.alloc(4000);
    const b = Buffer.alloc(4000);
    fillRandom(a, 0, 4000);
    fillRandom(b, 0, 4000);
    expect(a.equals(b)).toBe(false);
    // Not all zeros: the zeroed, handed-out part of the pool is never handed out again.
    expect(b.some((x) => x !== 0)).toBe(true);
  });
});
