import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { ResolvedComponent } from '../options/resolved-options.js';
import { heldEntries } from '../store/spec-helpers.js';
import { OpenPlatformStorage } from '../store/storage.js';
import { RecentPushes } from './recent-pushes.js';

const component = { platform: 'wechat', appId: 'wx_component_a' } as ResolvedComponent;
/** Longer than a push is remembered (twice the 5 min replay window and a minute) plus a sweep. */
const PAST_MEMORY_MS = 13 * 60_000;

describe('RecentPushes', () => {
  let storage: OpenPlatformStorage;
  beforeEach(() => {
    // Date and timers (the store's sweep) move by hand; promises and I/O stay real.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    storage = OpenPlatformStorage.create({});
  });
  afterEach(async () => {
    await storage.onApplicationShutdown();
    jest.useRealTimers();
  });

  it('handles a push once, and a repeat within the replay window not again', async () => {
    const recent = new RecentPushes(storage.cache, storage.lock);
    const handled: string[] = [];
    const handle = (s: string) => () => Promise.resolve(void handled.push(s));
    expect(await recent.once(component, 'sig-1', handle('sig-1'))).toBe(true);
    jest.advanceTimersByTime(10 * 60_000);
    expect(await recent.once(component, 'sig-1', handle('sig-1'))).toBe(false);
    expect(handled).toEqual(['sig-1']);
  });

  it('forgets handled pushes once they can no longer be replayed: memory stays bounded by one window', async () => {
    const recent = new RecentPushes(storage.cache, storage.lock);
    const perWindow = 1_500;
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < perWindow; i++) await recent.once(component, `sig-${round}-${i}`, () => Promise.resolve());
      jest.advanceTimersByTime(PAST_MEMORY_MS);
    }
    // 9,000 distinct pushes were handled; only about the last window's may still be held.
    const held = heldEntries(storage.cache);
    expect(held.stored).toBeLessThanOrEqual(perWindow);
    expect(held.local).toBeLessThanOrEqual(2 * perWindow);
  });
});
