import { describe, expect, it, jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { MemoryDurableStore } from './durable-store.js';
import { encryptionKeyProblem, SEAL_CHECK_KEY, SealedDurableStore } from './sealed-durable-store.js';
import { OpenPlatformStorage } from './storage.js';

const key = () => randomBytes(32).toString('base64');
const RECORD = 'wechat:wx_c:authorizer:wx_shop';
const OTHER = 'wechat:wx_c:authorizer:wx_other';
const record = { authorizerAppId: 'wx_shop', status: 'active', refreshToken: 'refresh-token-plain' };
const unreadable = { code: OpenPlatformErrorCode.SEALED_VALUE_UNREADABLE };

describe('SealedDurableStore', () => {
  it('seals refresh tokens and tickets at rest, and reads them back', async () => {
    const inner = new MemoryDurableStore();
    const secret = key();
    const store = new SealedDurableStore(inner, secret);
    await store.set(RECORD, record);
    await store.set('wechat:wx_c:ticket', { ticket: 'ticket-plain', createdAt: 1 });
    expect(await store.get(RECORD)).toEqual(record);
    expect(await store.get('wechat:wx_c:ticket')).toEqual({ ticket: 'ticket-plain', createdAt: 1 });
    const raw = JSON.stringify([await inner.get(RECORD), await inner.get('wechat:wx_c:ticket')]);
    expect(raw).not.toContain('refresh-token-plain');
    expect(raw).not.toContain('ticket-plain');
    expect(raw).toContain('"status":"active"'); // only the credentials are sealed
    // A fresh IV per seal: another process sealing the same token writes other bytes.
    const first = ((await inner.get(RECORD)) as typeof record).refreshToken;
    await new SealedDurableStore(inner, secret).set(RECORD, record);
    expect(((await inner.get(RECORD)) as typeof record).refreshToken).not.toBe(first);
  });

  it('an unchanged credential is written back as the sealed value already stored; a changed one is sealed afresh', async () => {
    const inner = new MemoryDurableStore();
    const secret = key();
    const store = new SealedDurableStore(inner, secret);
    const seal = jest.spyOn(store as unknown as { seal: () => string }, 'seal');
    const decrypt = jest.spyOn(store as unknown as { decrypt: () => string }, 'decrypt');
    const stored = async () => ((await inner.get(RECORD)) as typeof record).refreshToken;
    await store.set(RECORD, record);
    const first = await stored();
    // A write that leaves the credential as it was (a status change, a Douyin attempt mark).
    await store.set(RECORD, { ...(await store.get<typeof record>(RECORD))!, status: 'active' });
    expect(await stored()).toBe(first);
    expect(seal).toHaveBeenCalledTimes(1);
    // Another process, after opening it once, writes back the same string: nobody decrypts again.
    const other = new SealedDurableStore(inner, secret);
    await other.set(RECORD, (await other.get(RECORD))!);
    expect(await stored()).toBe(first);
    expect(await store.get(RECORD)).toEqual(record);
    expect(decrypt).not.toHaveBeenCalled();
    // A rotated token (Douyin at every refresh) is sealed with a fresh IV, and still reads back.
    await store.set(RECORD, { ...record, refreshToken: 'rotated' });
    expect(await stored()).not.toBe(first);
    expect(seal).toHaveBeenCalledTimes(2);
    expect(await other.get(RECORD)).toEqual({ ...record, refreshToken: 'rotated' });
    // Back to the first token: a new seal, never the old string from before the change.
    await store.set(RECORD, record);
    expect(await stored()).not.toBe(first);
    expect(seal).toHaveBeenCalledTimes(3);
    // The reuse is per record: the same token at another record is sealed under that record's key.
    await store.set(OTHER, { ...record, authorizerAppId: 'wx_other' });
    expect(seal).toHaveBeenCalledTimes(4);
    expect(await new SealedDurableStore(inner, secret).get(OTHER)).toEqual({ ...record, authorizerAppId: 'wx_other' });
  });

  it('a tag cut short does not open (Node would accept a 4-byte GCM tag unless told its length)', async () => {
    const inner = new MemoryDurableStore();
    const secret = key();
    // An empty value: iv ‖ tag and no ciphertext, so a shortened value is read as a short tag.
    await new SealedDurableStore(inner, secret).set(RECORD, { ...record, refreshToken: '' });
    const sealed = ((await inner.get(RECORD)) as typeof record).refreshToken;
    const [, , id, body] = sealed.split(':');
    const short = Buffer.from(body, 'base64url').subarray(0, 12 + 4);
    await inner.set(RECORD, { ...record, refreshToken: `sealed:v1:${id}:${short.toString('base64url')}` });
    await expect(new SealedDurableStore(inner, secret).get(RECORD)).rejects.toMatchObject(unreadable);
  });

  it('a sealed value copied into another record, or altered, does not open', async () => {
    const inner = new MemoryDurableStore();
    const store = new SealedDurableStore(inner, key());
    await store.set(RECORD, record);
    const sealed = ((await inner.get(RECORD)) as typeof record).refreshToken;
    await inner.set(OTHER, { ...record, authorizerAppId: 'wx_other', refreshToken: sealed });
    await expect(store.get(OTHER)).rejects.toMatchObject(unreadable);
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    await inner.set(RECORD, { ...record, refreshToken: tampered });
    await expect(store.get(RECORD)).rejects.toMatchObject(unreadable);
  });

  it('the sealed value this process wrote or opened last is read back without decrypting; any other is decrypted and checked', async () => {
    const inner = new MemoryDurableStore();
    const secret = key();
    const store = new SealedDurableStore(inner, secret);
    const decrypt = jest.spyOn(store as unknown as { decrypt: () => string }, 'decrypt');
    await store.set(RECORD, record);
    expect(await store.get(RECORD)).toEqual(record);
    expect(decrypt).not.toHaveBeenCalled();
    // Another process (same key, same store) rotated the token: its value is decrypted once, then known.
    await new SealedDurableStore(inner, secret).set(RECORD, { ...record, refreshToken: 'rotated' });
    expect(await store.get(RECORD)).toEqual({ ...record, refreshToken: 'rotated' });
    expect(await store.get(RECORD)).toEqual({ ...record, refreshToken: 'rotated' });
    expect(decrypt).toHaveBeenCalledTimes(1);
    // That value copied into another record is decrypted under the other record's key, and refused.
    const sealed = ((await inner.get(RECORD)) as typeof record).refreshToken;
    await inner.set(OTHER, { ...record, authorizerAppId: 'wx_other', refreshToken: sealed });
    await expect(store.get(OTHER)).rejects.toMatchObject(unreadable);
    expect(decrypt).toHaveBeenCalledTimes(2);
  });

  it('rotation: a previous key opens what it sealed; the next write seals under the current key', async () => {
    const inner = new MemoryDurableStore();
    const [old, current] = [key(), key()];
    await new SealedDurableStore(inner, old).set(RECORD, record);
    await expect(new SealedDurableStore(inner, current).get(RECORD)).rejects.toMatchObject(unreadable);
    const rotated = new SealedDurableStore(inner, current, [old]);
    expect(await rotated.get(RECORD)).toEqual(record);
    await rotated.set(RECORD, await rotated.get(RECORD));
    expect(await new SealedDurableStore(inner, current).get(RECORD)).toEqual(record);
  });

  it('records written before sealing are read as they are and sealed at their next write', async () => {
    const inner = new MemoryDurableStore();
    await inner.set(RECORD, record);
    const store = new SealedDurableStore(inner, key());
    expect(await store.get(RECORD)).toEqual(record);
    await store.set(RECORD, { ...record, status: 'active' });
    expect(JSON.stringify(await inner.get(RECORD))).not.toContain('refresh-token-plain');
  });

  it('checks keys: 32 bytes in base64, never echoed', () => {
    expect(encryptionKeyProblem(key())).toBeUndefined();
    for (const bad of [undefined, 42, '', 'short', randomBytes(16).toString('base64'), `${key().slice(0, 43)}!`])
      expect(encryptionKeyProblem(bad)).toMatch(/32 bytes|string/);
    const secret = randomBytes(31).toString('base64');
    expect(encryptionKeyProblem(secret)).not.toContain(secret);
  });
});

describe('the seal check at boot', () => {
  it('a store sealed under another key, or sealed with no key set, refuses to open', async () => {
    const durable = new MemoryDurableStore();
    const good = key();
    const first = await OpenPlatformStorage.open({ durable, encryptionKey: good });
    await first.durable.set(RECORD, record);
    await first.onApplicationShutdown();
    expect(await durable.get(SEAL_CHECK_KEY)).toBeDefined();

    await expect(OpenPlatformStorage.open({ durable, encryptionKey: key() })).rejects.toMatchObject(unreadable);
    await expect(OpenPlatformStorage.open({ durable })).rejects.toMatchObject(unreadable);
    // The right key, and a rotation that still has it, open.
    const again = await OpenPlatformStorage.open({ durable, encryptionKey: good });
    expect(await again.durable.get(RECORD)).toEqual(record);
    const next = key();
    const rotated = await OpenPlatformStorage.open({ durable, encryptionKey: next, previousEncryptionKeys: [good] });
    expect(await rotated.durable.get(RECORD)).toEqual(record);
    // Dropping the previous key before a reseal: the boot refuses (records are still under it).
    await expect(OpenPlatformStorage.open({ durable, encryptionKey: next })).rejects.toMatchObject(unreadable);
    // After a reseal, every record (and the check) is under the new key: the old one may go.
    expect(await (rotated.durable as SealedDurableStore).reseal()).toBe(2);
    expect(await (rotated.durable as SealedDurableStore).reseal()).toBe(0);
    const onlyNext = await OpenPlatformStorage.open({ durable, encryptionKey: next });
    expect(await onlyNext.durable.get(RECORD)).toEqual(record);
  });
});
