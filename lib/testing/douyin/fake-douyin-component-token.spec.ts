import { afterEach, describe, expect, it } from '@jest/globals';
import type { FakeDouyinPlatform } from './fake-douyin-platform.js';
import { codeOf, component, dataOf, startDouyin } from './spec-helpers.js';

describe('FakeDouyinPlatform component token', () => {
  let fake: FakeDouyinPlatform;
  afterEach(() => fake.stop());

  it.each(['v1', 'v2'] as const)(
    '%s checks appid 40003, secret 40038, ticket 40037 (flat {errno, message})',
    async (v) => {
      const started = await startDouyin(v);
      fake = started.fake;
      const { componentToken } = started.client;
      const ticket = fake.latestTicket(component.appId) as string;
      const unknown = await componentToken(ticket, { ...component, appId: 'tt_nope' });
      expect(unknown).toEqual({ errno: 40003, message: expect.any(String) });
      expect(codeOf(await componentToken(ticket, { ...component, appSecret: 'wrong' }))).toBe(40038);
      expect(codeOf(await componentToken('ticket.forged'))).toBe(40037);
      started.clock.now += 3 * 3600 * 1000; // the default ticket lifetime
      expect(codeOf(await componentToken(ticket))).toBe(40037);
      expect(fake.calls('tp_token')).toBe(5);
    },
  );

  it('V1 returns the same token until its last 30 minutes, then a new one while the old stays valid', async () => {
    const started = await startDouyin('v1');
    fake = started.fake;
    const first = started.token();
    started.clock.now += 60 * 60 * 1000;
    const again = dataOf(await started.client.componentToken());
    expect(again).toEqual({ component_access_token: first, expires_in: 3600 });
    started.clock.now += 31 * 60 * 1000;
    const renewed = dataOf(await started.client.componentToken());
    expect(renewed.component_access_token).not.toBe(first);
    expect(renewed.expires_in).toBe(7200);
    expect([
      fake.isComponentTokenValid(first),
      fake.isComponentTokenValid(renewed.component_access_token as string),
    ]).toEqual([true, true]);
    started.clock.now += 29 * 60 * 1000;
    expect(fake.isComponentTokenValid(first)).toBe(false);
  });

  it('V2 issues a new token per fetch; the previous one lives for the grace period, older ones die', async () => {
    const started = await startDouyin('v2', { componentTokenGraceSeconds: 60, componentTokenExpiresIn: 3600 });
    fake = started.fake;
    const first = started.token();
    expect(first.startsWith('clt.')).toBe(true);
    const second = dataOf(await started.client.componentToken());
    expect(second).toEqual({ component_access_token: expect.any(String), expires_in: 3600 });
    expect(second.component_access_token).not.toBe(first);
    expect(fake.isComponentTokenValid(first)).toBe(true);
    started.clock.now += 60 * 1000;
    expect(fake.isComponentTokenValid(first)).toBe(false);
    const third = dataOf(await started.client.componentToken()).component_access_token as string;
    await started.client.componentToken();
    // Only the latest two are valid: a third fetch kills the first at once, grace or not.
    expect([
      fake.isComponentTokenValid(second.component_access_token as string),
      fake.isComponentTokenValid(third),
    ]).toEqual([false, true]);
  });

  it.each(['v1', 'v2'] as const)(
    '%s refuses an unknown component token with 40010 and an expired one with 40009',
    async (v) => {
      const started = await startDouyin(v);
      fake = started.fake;
      expect(codeOf(await started.client.preAuthCode())).toBeUndefined();
      expect(codeOf(await started.client.preAuthCode('forged'))).toBe(40010);
      started.clock.now += 7200 * 1000;
      expect(codeOf(await started.client.preAuthCode())).toBe(40009);
    },
  );
});
