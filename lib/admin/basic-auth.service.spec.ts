import { beforeAll, describe, expect, it } from '@jest/globals';
import { Clock } from '../clock/clock.js';
import { hashAdminPassword } from '../crypto/password-hash.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { BasicAuthService, MAX_TRACKED_CLIENTS } from './basic-auth.service.js';

class TestClock extends Clock {
  t = 1_000_000;
  now(): number {
    return this.t;
  }
}

let passwordHash: string;
beforeAll(async () => {
  passwordHash = await hashAdminPassword('secret', { N: 1024 });
});

function service(maxFailures = 3, lockoutMs = 10_000) {
  const clock = new TestClock();
  const options = { admin: { enabled: true, basicAuth: { username: 'ops', passwordHash, maxFailures, lockoutMs } } };
  return { auth: new BasicAuthService(options as unknown as ResolvedOptions, clock), clock };
}
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('BasicAuthService', () => {
  it('accepts the right pair only; a missing or malformed header is refused', async () => {
    const { auth } = service(100);
    await expect(auth.check(basic('ops', 'secret'), 'c')).resolves.toEqual({ ok: true, username: 'ops' });
    for (const header of [basic('ops', 'Secret'), basic('op', 'secret'), basic('ops:secret', ''), 'Basic', 'x'])
      await expect(auth.check(header, 'c')).resolves.toMatchObject({ ok: false, reason: 'invalid' });
    await expect(auth.check(undefined, 'c')).resolves.toMatchObject({ ok: false, reason: 'missing' });
    await expect(auth.check('Basic ' + 'A'.repeat(5000), 'c')).resolves.toMatchObject({ ok: false });
  });

  it('locks a client out after maxFailures, per client, until lockoutMs passed; success resets the count', async () => {
    const { auth, clock } = service(3, 10_000);
    await auth.check(basic('ops', 'x'), 'a');
    await auth.check(basic('ops', 'x'), 'a');
    await expect(auth.check(basic('ops', 'secret'), 'a')).resolves.toMatchObject({ ok: true });
    for (let i = 0; i < 3; i++) await auth.check(basic('ops', 'x'), 'a');
    await expect(auth.check(basic('ops', 'secret'), 'a')).resolves.toEqual({ ok: false, reason: 'locked' });
    await expect(auth.check(basic('ops', 'secret'), 'b')).resolves.toMatchObject({ ok: true });
    clock.t += 9_999;
    await expect(auth.check(basic('ops', 'secret'), 'a')).resolves.toEqual({ ok: false, reason: 'locked' });
    clock.t += 1;
    await expect(auth.check(basic('ops', 'secret'), 'a')).resolves.toMatchObject({ ok: true });
  });

  it(`remembers at most ${MAX_TRACKED_CLIENTS} clients`, async () => {
    const { auth } = service(100);
    // Malformed headers fail before scrypt: cheap, and counted like any failure.
    for (let i = 0; i < MAX_TRACKED_CLIENTS + 50; i++) await auth.check('Bearer x', `client-${i}`);
    expect(auth.trackedClients).toBe(MAX_TRACKED_CLIENTS);
  });
});
