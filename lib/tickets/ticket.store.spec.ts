import { beforeEach, describe, it, expect } from '@jest/globals';
import { Clock } from '../clock/clock.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import type { PlatformRegistry } from '../platforms/platform-registry.js';
import { MemoryLockService } from '../lock/lock.service.js';
import { MemoryDurableStore } from '../store/durable-store.js';
import { StoreKeys } from '../store/store-keys.js';
import { TicketStore, type TicketRecord } from './ticket.store.js';

const LIFETIME_MS = 43_200_000; // 12 h
const NOW = 1_700_000_000_000;

class FixedClock extends Clock {
  constructor(public time: number) {
    super();
  }
  now(): number {
    return this.time;
  }
}

function component(appId: string, platform: 'wechat' | 'douyin' = 'wechat'): ResolvedComponent {
  return {
    platform,
    appId,
    appSecret: 'secret',
    token: 'token',
    encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
    apiBaseUrl: 'http://127.0.0.1:1',
    authorizePageUrl: 'http://127.0.0.1:1/login',
  };
}

describe('TicketStore', () => {
  let durable: MemoryDurableStore;
  let clock: FixedClock;
  let tickets: TicketStore;
  const platformsAsked: string[] = [];
  const wx1 = component('wx1');

  beforeEach(() => {
    durable = new MemoryDurableStore();
    clock = new FixedClock(NOW);
    platformsAsked.length = 0;
    const registry = {
      get: (platform: string) => {
        platformsAsked.push(platform);
        return { ticketLifetimeMs: LIFETIME_MS };
      },
    } as unknown as PlatformRegistry;
    tickets = new TicketStore(durable, registry, clock, new MemoryLockService());
  });

  it('stores a first ticket with createdAt, receivedAt and expiresAt = createdAt + lifetime', async () => {
    const createdAt = NOW - 5_000;
    await expect(tickets.save(wx1, 'ticket@@@1', createdAt)).resolves.toBe('stored');
    const expected: TicketRecord = {
      ticket: 'ticket@@@1',
      createdAt,
      receivedAt: NOW,
      expiresAt: createdAt + LIFETIME_MS,
    };
    await expect(tickets.get(wx1)).resolves.toEqual(expected);
    // Durable, under the documented key.
    await expect(durable.get(StoreKeys.ticket('wechat', 'wx1'))).resolves.toEqual(expected);
    expect(platformsAsked).toEqual(['wechat']);
  });

  it('returns undefined before any ticket arrived', async () => {
    await expect(tickets.get(wx1)).resolves.toBeUndefined();
  });

  it('acknowledges a repeat of the stored ticket as a duplicate and changes nothing', async () => {
    await tickets.save(wx1, 'ticket@@@1', NOW - 1000);
    const before = await tickets.get(wx1);
    clock.time = NOW + 60_000;
    await expect(tickets.save(wx1, 'ticket@@@1', NOW - 1000)).resolves.toBe('duplicate');
    // Even with another createdAt (a retry is the same ticket): still nothing changes.
    await expect(tickets.save(wx1, 'ticket@@@1', NOW + 50_000)).resolves.toBe('duplicate');
    await expect(tickets.get(wx1)).resolves.toEqual(before);
  });

  it('never lets an older ticket replace a newer one', async () => {
    await tickets.save(wx1, 'ticket@@@new', NOW);
    await expect(tickets.save(wx1, 'ticket@@@old', NOW - 600_000)).resolves.toBe('older');
    await expect(tickets.save(wx1, 'ticket@@@old', NOW - 1)).resolves.toBe('older');
    await expect(tickets.get(wx1)).resolves.toMatchObject({
      ticket: 'ticket@@@new',
      createdAt: NOW,
      expiresAt: NOW + LIFETIME_MS,
    });
  });

  it('replaces the stored ticket with a newer one and moves its expiry', async () => {
    await tickets.save(wx1, 'ticket@@@1', NOW);
    clock.time = NOW + 600_000;
    await expect(tickets.save(wx1, 'ticket@@@2', NOW + 600_000)).resolves.toBe('stored');
    await expect(tickets.get(wx1)).resolves.toEqual({
      ticket: 'ticket@@@2',
      createdAt: NOW + 600_000,
      receivedAt: NOW + 600_000,
      expiresAt: NOW + 600_000 + LIFETIME_MS,
    });
  });

  it('accepts a different ticket with the same createdAt (not older)', async () => {
    await tickets.save(wx1, 'ticket@@@1', NOW);
    await expect(tickets.save(wx1, 'ticket@@@2', NOW)).resolves.toBe('stored');
    await expect(tickets.get(wx1)).resolves.toMatchObject({ ticket: 'ticket@@@2' });
  });

  it('bases expiresAt on createdAt, not on when the push was received', async () => {
    clock.time = NOW + 3_600_000; // received an hour after creation (a late retry)
    await tickets.save(wx1, 'ticket@@@late', NOW);
    await expect(tickets.get(wx1)).resolves.toMatchObject({
      createdAt: NOW,
      receivedAt: NOW + 3_600_000,
      expiresAt: NOW + LIFETIME_MS,
    });
  });

  it('keeps components apart (by appId and by platform)', async () => {
    const wx2 = component('wx2');
    const sameIdOnDouyin = component('wx1', 'douyin');
    await expect(tickets.save(wx1, 'ticket-wx1', NOW)).resolves.toBe('stored');
    await expect(tickets.save(wx2, 'ticket-wx2', NOW - 10_000)).resolves.toBe('stored'); // older than wx1's: irrelevant
    await expect(tickets.save(sameIdOnDouyin, 'ticket-wx1', NOW - 20_000)).resolves.toBe('stored'); // not a duplicate of wx1's
    await expect(tickets.get(wx1)).resolves.toMatchObject({ ticket: 'ticket-wx1', createdAt: NOW });
    await expect(tickets.get(wx2)).resolves.toMatchObject({ ticket: 'ticket-wx2', createdAt: NOW - 10_000 });
    await expect(tickets.get(sameIdOnDouyin)).resolves.toMatchObject({ ticket: 'ticket-wx1', createdAt: NOW - 20_000 });
    await expect(tickets.get(component('wx3'))).resolves.toBeUndefined();
    expect((await durable.keys('')).sort()).toEqual(
      [StoreKeys.ticket('douyin', 'wx1'), StoreKeys.ticket('wechat', 'wx1'), StoreKeys.ticket('wechat', 'wx2')].sort(),
    );
    expect(platformsAsked).toEqual(['wechat', 'wechat', 'douyin']);
  });

  it('never lets an older ticket win when two pushes are saved concurrently', async () => {
    const [newer, older] = await Promise.all([
      tickets.save(wx1, 'ticket@@@new', NOW),
      tickets.save(wx1, 'ticket@@@old', NOW - 600_000),
    ]);
    expect([newer, older]).toEqual(['stored', 'older']);
    await expect(tickets.get(wx1)).resolves.toMatchObject({ ticket: 'ticket@@@new', createdAt: NOW });
  });

  it('reports exactly one of two concurrent saves of the same ticket as stored', async () => {
    const results = await Promise.all([tickets.save(wx1, 'ticket@@@1', NOW), tickets.save(wx1, 'ticket@@@1', NOW)]);
    expect(results.sort()).toEqual(['duplicate', 'stored']);
  });

  it('survives a restart on the same durable store', async () => {
    await tickets.save(wx1, 'ticket@@@1', NOW);
    const registry = { get: () => ({ ticketLifetimeMs: LIFETIME_MS }) } as unknown as PlatformRegistry;
    const restarted = new TicketStore(durable, registry, new FixedClock(NOW + 1), new MemoryLockService());
    await expect(restarted.get(wx1)).resolves.toMatchObject({ ticket: 'ticket@@@1' });
    await expect(restarted.save(wx1, 'ticket@@@0', NOW - 1)).resolves.toBe('older');
  });
});
