import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { ResolvedComponent } from '../options/resolved-options.js';
import { heldEntries } from '../store/spec-helpers.js';
import { OpenPlatformStorage } from '../store/storage.js';
import { ExchangedCodes } from './exchanged-codes.js';

const component = { platform: 'douyin', appId: 'tt_component_a' } as ResolvedComponent;
/** Longer than an exchanged code is remembered (2 h) plus a sweep. */
const PAST_MEMORY_MS = 2 * 60 * 60_000 + 2 * 60_000;

describe('ExchangedCodes', () => {
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

  it('tells a later turn who exchanged the code', async () => {
    const codes = new ExchangedCodes(storage.cache, storage.lock);
    expect(await codes.exclusive(component, 'code-1', (t) => t.remember('tt_shop').then(() => t.exchangedBy))).toBe(
      undefined,
    );
    jest.advanceTimersByTime(60 * 60_000);
    expect(await codes.exclusive(component, 'code-1', (t) => Promise.resolve(t.exchangedBy))).toBe('tt_shop');
  });

  it('forgets exchanged codes once no code can still be valid: memory stays bounded by one lifetime', async () => {
    const codes = new ExchangedCodes(storage.cache, storage.lock);
    const perLifetime = 1_500;
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < perLifetime; i++)
        await codes.exclusive(component, `code-${round}-${i}`, (t) => t.remember(`tt_shop_${i}`));
      jest.advanceTimersByTime(PAST_MEMORY_MS);
    }
    const held = heldEntries(storage.cache);
    expect(held.stored).toBeLessThanOrEqual(perLifetime);
    expect(held.local).toBeLessThanOrEqual(2 * perLifetime);
  });
});
