import { describe, expect, it } from '@jest/globals';
import { Clock } from '../clock/clock.js';
import { UnknownAuthorizerMemo } from './unknown-authorizer-memo.js';

class TestClock extends Clock {
  t = 1_700_000_000_000;
  now(): number {
    return this.t;
  }
}

const TTL = 60_000;

describe('UnknownAuthorizerMemo', () => {
  it('after a complete walk, any appid outside the list is known missing until the TTL ends', () => {
    const clock = new TestClock();
    const memo = new UnknownAuthorizerMemo(clock, TTL);
    expect(memo.isKnownMissing('wx_nobody')).toBe(false); // nothing walked yet
    memo.rememberCompleteWalk(new Set(['wx_a', 'wx_b']), ['wx_nobody']);
    expect(memo.isKnownMissing('wx_nobody')).toBe(true);
    expect(memo.isKnownMissing('wx_never_asked')).toBe(true);
    expect(memo.isKnownMissing('wx_a')).toBe(false); // listed: its record is worth a walk
    clock.t += TTL - 1;
    expect(memo.isKnownMissing('wx_nobody')).toBe(true);
    clock.t += 1;
    expect(memo.isKnownMissing('wx_nobody')).toBe(false);
    expect(memo.isKnownMissing('wx_never_asked')).toBe(false);
  });

  it('forget: an appid that authorized is no longer taken for missing', () => {
    const memo = new UnknownAuthorizerMemo(new TestClock(), TTL);
    memo.rememberCompleteWalk(new Set(['wx_a']), ['wx_new']);
    memo.forget('wx_new');
    expect(memo.isKnownMissing('wx_new')).toBe(false);
    expect(memo.isKnownMissing('wx_other')).toBe(true);

    const fallback = new UnknownAuthorizerMemo(new TestClock(), TTL);
    fallback.rememberCompleteWalk(undefined, ['wx_new']);
    fallback.forget('wx_new');
    expect(fallback.isKnownMissing('wx_new')).toBe(false);
  });

  it('an authorization during a running walk is not recorded as missing when that walk ends', () => {
    for (const listed of [new Set(['wx_a']), undefined]) {
      const memo = new UnknownAuthorizerMemo(new TestClock(), TTL);
      memo.walkStarted();
      memo.forget('wx_new'); // authorized after the walk passed (or before it reached) its place
      memo.rememberCompleteWalk(listed, ['wx_new', 'wx_nobody']);
      expect(memo.isKnownMissing('wx_new')).toBe(false);
      expect(memo.isKnownMissing('wx_nobody')).toBe(true);
      // The next walk starts after the authorization: it sees the list as it is.
      memo.walkStarted();
      memo.rememberCompleteWalk(listed, ['wx_new']);
      expect(memo.isKnownMissing('wx_new')).toBe(true);
    }
  });

  it('a TTL of 0 remembers nothing', () => {
    const memo = new UnknownAuthorizerMemo(new TestClock(), 0);
    memo.rememberCompleteWalk(new Set(['wx_a']), ['wx_nobody']);
    memo.rememberCompleteWalk(undefined, ['wx_nobody']);
    expect(memo.isKnownMissing('wx_nobody')).toBe(false);
    expect(memo.size).toBe(0);
  });

  it('a list too long to keep falls back to the missed appids themselves', () => {
    const memo = new UnknownAuthorizerMemo(new TestClock(), TTL, { listedMax: 2, missesMax: 100 });
    memo.rememberCompleteWalk(new Set(['wx_a', 'wx_b', 'wx_c']), ['wx_nobody']);
    expect(memo.isKnownMissing('wx_nobody')).toBe(true);
    expect(memo.isKnownMissing('wx_never_asked')).toBe(false); // not covered without the whole list
    expect(memo.size).toBe(1);
  });

  it('stays bounded whatever appids are sent: the oldest single misses go first', () => {
    const clock = new TestClock();
    const memo = new UnknownAuthorizerMemo(clock, TTL, { listedMax: 10, missesMax: 1000 });
    for (let i = 0; i < 50_000; i++) {
      memo.rememberCompleteWalk(undefined, [`wx_attack_${i}`]);
      if (i % 10_000 === 0) clock.t += 1;
    }
    expect(memo.size).toBeLessThanOrEqual(1000);
    expect(memo.isKnownMissing('wx_attack_49999')).toBe(true);
    expect(memo.isKnownMissing('wx_attack_0')).toBe(false);
  });

  it('expired single misses are dropped before live ones when full', () => {
    const clock = new TestClock();
    const memo = new UnknownAuthorizerMemo(clock, TTL, { listedMax: 10, missesMax: 3 });
    memo.rememberCompleteWalk(undefined, ['old_1', 'old_2']);
    clock.t += TTL;
    memo.rememberCompleteWalk(undefined, ['live_1']);
    memo.rememberCompleteWalk(undefined, ['live_2']); // full: both expired entries go, live_1 stays
    expect(memo.size).toBe(2);
    expect(memo.isKnownMissing('live_1')).toBe(true);
    expect(memo.isKnownMissing('live_2')).toBe(true);
  });

  it('the whole list replaces single misses, so they do not pile up next to it', () => {
    const memo = new UnknownAuthorizerMemo(new TestClock(), TTL, { listedMax: 10, missesMax: 100 });
    memo.rememberCompleteWalk(undefined, ['wx_x', 'wx_y']);
    memo.rememberCompleteWalk(new Set(['wx_a']), ['wx_z']);
    expect(memo.size).toBe(1);
    expect(memo.isKnownMissing('wx_x')).toBe(true);
  });
});
