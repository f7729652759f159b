import { describe, expect, it } from '@jest/globals';
import type { AuthorizerStore } from '../authorizers/authorizer.store.js';
import { Clock } from '../clock/clock.js';
import type { ComponentsService } from '../components/components.service.js';
import type { ResolvedComponent, ResolvedOptions } from '../options/resolved-options.js';
import { MemoryDurableStore } from '../store/durable-store.js';
import { StoreKeys } from '../store/store-keys.js';
import { AuthorizerDirectory, lowerBound, SHARED_DIRECTORY_MAX_AGE_MS } from './authorizer-directory.js';

class TestClock extends Clock {
  t = 1_000_000;
  now(): number {
    return this.t;
  }
}

const component = { platform: 'wechat', appId: 'wx_component' } as ResolvedComponent;
const key = (id: string) => StoreKeys.authorizer('wechat', component.appId, id);

/** A durable store whose listing waits until released, to write while it runs. */
class SlowListing extends MemoryDurableStore {
  release?: () => void;
  override async keys(prefix: string): Promise<string[]> {
    const keys = await super.keys(prefix);
    await new Promise<void>((r) => (this.release = r));
    return keys;
  }
}

function directory(store: MemoryDurableStore, shared: boolean) {
  const listeners: Array<(c: ResolvedComponent, id: string) => void> = [];
  const authorizers = {
    onCreated: (l: (c: ResolvedComponent, id: string) => void) => {
      listeners.push(l);
      return () => undefined;
    },
  } as unknown as AuthorizerStore;
  const clock = new TestClock();
  const components = { all: () => [component] } as unknown as ComponentsService;
  const options = { admin: { enabled: true } } as ResolvedOptions;
  const dir = new AuthorizerDirectory(store, authorizers, clock, components, options, shared);
  /** What AuthorizerStore does when it writes a first record. */
  const create = async (id: string) => {
    await store.set(key(id), { authorizerAppId: id });
    for (const l of listeners) l(component, id);
  };
  return { dir, clock, create };
}

describe('lowerBound', () => {
  const ids = ['a', 'b', 'b2', 'c'];
  it('finds the first element after a value, or at it when inclusive', () => {
    expect(lowerBound(ids, 'b')).toBe(2);
    expect(lowerBound(ids, 'b', true)).toBe(1);
    expect(lowerBound(ids, '0')).toBe(0);
    expect(lowerBound(ids, 'z')).toBe(4);
    expect(lowerBound([], 'a')).toBe(0);
  });
});

describe('AuthorizerDirectory', () => {
  it('lists in code-point order and inserts this process’s new records at once', async () => {
    const store = new MemoryDurableStore();
    for (const id of ['wx_b', 'wx_B', 'wx_a']) await store.set(key(id), {});
    await store.set(StoreKeys.authorizerToken('wechat', component.appId, 'wx_t'), {}); // not a record
    const { dir, create } = directory(store, false);
    expect(await dir.appIds(component)).toEqual(['wx_B', 'wx_a', 'wx_b']);
    await create('wx_ab');
    expect(await dir.appIds(component)).toEqual(['wx_B', 'wx_a', 'wx_ab', 'wx_b']);
    await create('wx_ab'); // written again: listed once
    expect(await dir.appIds(component)).toEqual(['wx_B', 'wx_a', 'wx_ab', 'wx_b']);
  });

  it('keeps a record created while the listing is read', async () => {
    const store = new SlowListing();
    await store.set(key('wx_a'), {});
    const { dir, create } = directory(store, false);
    const listing = dir.appIds(component);
    await new Promise((r) => setTimeout(r, 5));
    await create('wx_c'); // after the listing read the keys
    store.release!();
    expect(await listing).toEqual(['wx_a', 'wx_c']);
  });

  it('alone on its store, never lists again: records only this process writes', async () => {
    const store = new MemoryDurableStore();
    const { dir, clock } = directory(store, false);
    expect(await dir.appIds(component)).toEqual([]);
    await store.set(key('wx_other'), {});
    clock.t += 10 * SHARED_DIRECTORY_MAX_AGE_MS;
    await dir.appIds(component);
    await new Promise((r) => setTimeout(r, 5));
    expect(await dir.appIds(component)).toEqual([]);
  });

  it("on a shared store, another process's records appear once the listing is older than its max age", async () => {
    const store = new MemoryDurableStore();
    const { dir, clock } = directory(store, true);
    expect(await dir.appIds(component)).toEqual([]);
    await store.set(key('wx_other'), {});
    clock.t += SHARED_DIRECTORY_MAX_AGE_MS - 1;
    expect(await dir.appIds(component)).toEqual([]);
    clock.t += 1;
    expect(await dir.appIds(component)).toEqual([]); // the old listing answers; a new one is read
    await new Promise((r) => setTimeout(r, 5));
    expect(await dir.appIds(component)).toEqual(['wx_other']);
  });

  it('a failed listing fails the list; a failed refresh keeps the old listing', async () => {
    const store = new MemoryDurableStore();
    const { dir, clock } = directory(store, true);
    const keys = store.keys.bind(store);
    store.keys = () => Promise.reject(new Error('down'));
    await expect(dir.appIds(component)).rejects.toThrow('down');
    store.keys = keys;
    await store.set(key('wx_a'), {});
    expect(await dir.appIds(component)).toEqual(['wx_a']);
    store.keys = () => Promise.reject(new Error('down'));
    clock.t += SHARED_DIRECTORY_MAX_AGE_MS;
    expect(await dir.appIds(component)).toEqual(['wx_a']);
    await new Promise((r) => setTimeout(r, 5));
    expect(await dir.appIds(component)).toEqual(['wx_a']);
  });
});
