import { describe, expect, it } from '@jest/globals';
import { hashAdminPassword, scryptHashProblem, verifyAdminPassword } from './password-hash.js';

describe('admin password hashes (scrypt)', () => {
  it('a hash verifies its password only', async () => {
    const hash = await hashAdminPassword('pass phrase', { N: 1024 });
    expect(hash).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
    expect(scryptHashProblem(hash)).toBeUndefined();
    await expect(verifyAdminPassword('pass phrase', hash)).resolves.toBe(true);
    await expect(verifyAdminPassword('pass phrasE', hash)).resolves.toBe(false);
    await expect(verifyAdminPassword('', hash)).resolves.toBe(false);
  });

  it('two hashes of one password differ (random salt)', async () => {
    expect(await hashAdminPassword('x', { N: 1024 })).not.toBe(await hashAdminPassword('x', { N: 1024 }));
  });

  it.each([
    ['not a hash', /must be scrypt/],
    ['scrypt$1000$8$1$c2FsdHNhbHRzYWx0c2FsdA==$' + 'A'.repeat(44), /power of two/],
    ['scrypt$1024$0$1$c2FsdHNhbHRzYWx0c2FsdA==$' + 'A'.repeat(44), /r must be/],
    ['scrypt$1024$8$99$c2FsdHNhbHRzYWx0c2FsdA==$' + 'A'.repeat(44), /p must be/],
    ['scrypt$1024$8$1$c2FsdA==$' + 'A'.repeat(44), /salt/],
    ['scrypt$1024$8$1$c2FsdHNhbHRzYWx0c2FsdA==$AAAA', /hash must be/],
  ])('refuses %s', async (text, problem) => {
    expect(scryptHashProblem(text)).toMatch(problem);
    await expect(verifyAdminPassword('x', text)).resolves.toBe(false);
  });
});
