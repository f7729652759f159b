import { describe, expect, it } from '@jest/globals';
import { Clock } from '../clock/clock.js';
import { OpenPlatformEvents } from '../events/open-platform-events.service.js';
import { MemoryLockService } from '../lock/lock.service.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import { MemoryDurableStore } from '../store/durable-store.js';
import type { AuthorizerRecord, AuthorizerStatus } from './authorizer.interface.js';
import { AuthorizerStore, SHARED_COUNTS_MAX_AGE_MS } from './authorizer.store.js';

const COMPONENT = { platform: 'wechat', appId: 'wx_c' } as ResolvedComponent;

class HandClock extends Clock {
  t = 1_700_000_000_000;
  now(): number {
    return this.t;
  }
}

function record(authorizerAppId: string, status: AuthorizerStatus): AuthorizerRecord {
  return {
    componentAppId: COMPONENT.appId,
    authorizerAppId,
    platform: 'wechat',
    status,
    permissions: [],
    authorizedAt: 1,
    updatedAt: 1,
  };
}

const settle = () => new Promise((r) => setImmediate(r));

// Two processes on one durable store: each sees only its own writes between rebuilds.
describe('AuthorizerStore counts on a store other processes write', () => {
  it('are rebuilt from the store once they are a minute old, in the background, and stay exact', async () => {
    const durable = new MemoryDurableStore();
    const clock = new HandClock();
    const events = new OpenPlatformEvents();
    const a = new AuthorizerStore(durable, new MemoryLockService(), events, clock, true);
    const b = new AuthorizerStore(durable, new MemoryLockService(), events, clock, true);
    for (const id of ['x1', 'x2', 'x3']) await a.update(COMPONENT, id, () => record(id, 'active'));
    expect((await b.counts(COMPONENT)).active).toBe(3);

    // Process A writes more; B's counts follow only its own writes until they are rebuilt.
    await a.update(COMPONENT, 'x4', () => record('x4', 'active'));
    await a.update(COMPONENT, 'x1', (c) => ({ ...c!, status: 'revoked' }));
    await b.update(COMPONENT, 'x5', () => record('x5', 'active'));
    expect(await b.counts(COMPONENT)).toMatchObject({ active: 4, revoked: 0 });

    clock.t += SHARED_COUNTS_MAX_AGE_MS;
    // The stale counts answer while the rebuild runs; B writes during it and is not lost.
    const during = b.counts(COMPONENT);
    await b.update(COMPONENT, 'x6', () => record('x6', 'reauthorization_required'));
    expect(await during).toMatchObject({ active: 4, revoked: 0 });
    await settle();
    expect(await b.counts(COMPONENT)).toEqual({
      active: 4,
      revoked: 1,
      reauthorization_required: 1,
      no_api_permission: 0,
    });
  });

  it('never rebuild on a store only this process writes (its own writes are the whole picture)', async () => {
    const durable = new MemoryDurableStore();
    const clock = new HandClock();
    const a = new AuthorizerStore(durable, new MemoryLockService(), new OpenPlatformEvents(), clock);
    await a.update(COMPONENT, 'x1', () => record('x1', 'active'));
    expect((await a.counts(COMPONENT)).active).toBe(1);
    // Written behind the store's back: not seen, and no rebuild however old the counts are.
    await durable.set('wechat:wx_c:authorizer:x2', record('x2', 'active'));
    clock.t += 10 * SHARED_COUNTS_MAX_AGE_MS;
    await a.counts(COMPONENT);
    await settle();
    expect((await a.counts(COMPONENT)).active).toBe(1);
  });
});
