import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import KeyvPostgres from '@keyv/postgres';
import { randomBytes } from 'node:crypto';
import { KeyvDurableStore, OpenPlatformErrorCode } from '../lib/index.js';
import { DurableStore } from '../lib/store/durable-store.js';
import { StoreKeys } from '../lib/store/store-keys.js';
import { COMPONENT_A } from './support/fixtures.js';
import { DOUYIN_COMPONENT } from './support/douyin-harness.js';
import { ManualClock } from './support/manual-clock.js';
import { onboard, SHOPS, startWorld, TT_SHOP } from './support/renewal-world.js';

// Issue #20 item 2: refresh tokens and tickets sealed at rest (AES-256-GCM), on PostgreSQL.

const POSTGRES_URI = process.env.POSTGRES_URI ?? 'postgresql://postgres@127.0.0.1:5432/test';

describe('storage.encryptionKey: credentials sealed at rest (PostgreSQL through KeyvDurableStore)', () => {
  const table = `op_sealed_${process.pid}_${Date.now()}`;
  let postgres: KeyvPostgres;
  beforeAll(() => {
    postgres = new KeyvPostgres({ uri: POSTGRES_URI, table, max: 2 });
  });
  afterAll(async () => {
    await postgres.query(`DROP TABLE IF EXISTS ${table}`);
    await postgres.disconnect();
  });

  it('no refresh token or ticket in the table; a restart with the key renews with them; a wrong key refuses the boot', async () => {
    const clock = new ManualClock();
    const encryptionKey = randomBytes(32).toString('base64');
    const durable = new KeyvDurableStore(postgres, { namespace: 'sealed' });
    const first = await startWorld({ clock, storage: { storage: { durable, encryptionKey } } });
    await onboard(first);
    const store = first.app.get(DurableStore);
    const credentials: string[] = [];
    for (const shop of SHOPS)
      credentials.push(
        (await store.get<{ refreshToken: string }>(StoreKeys.authorizer('wechat', COMPONENT_A.appId, shop)))!
          .refreshToken,
      );
    credentials.push(
      (await store.get<{ refreshToken: string }>(StoreKeys.authorizer('douyin', DOUYIN_COMPONENT.appId, TT_SHOP)))!
        .refreshToken,
      (await store.get<{ ticket: string }>(StoreKeys.ticket('wechat', COMPONENT_A.appId)))!.ticket,
      (await store.get<{ ticket: string }>(StoreKeys.ticket('douyin', DOUYIN_COMPONENT.appId)))!.ticket,
    );
    expect(credentials.every((c) => typeof c === 'string' && c.length > 8)).toBe(true);
    const rows = (await postgres.query(`SELECT key, value FROM ${table}`)) as Array<{ value: string }>;
    expect(rows.length).toBeGreaterThanOrEqual(SHOPS.length + 3);
    const dump = rows.map((r) => r.value).join('\n');
    for (const c of credentials) expect(dump).not.toContain(c);
    expect(dump).toContain('sealed:v1:');
    await first.app.close();

    // The same key: the chains are intact (each authorizer renews with its stored refresh token).
    // The second app's store is the same table, with every write it makes (as stored, sealed) recorded.
    const written: Array<[string, unknown]> = [];
    const recording = new (class extends DurableStore {
      get = <T>(key: string) => durable.get<T>(key);
      set = async <T>(key: string, value: T) => {
        written.push([key, value]);
        await durable.set(key, value);
      };
      delete = (key: string) => durable.delete(key);
      keys = (prefix: string) => durable.keys(prefix);
    })();
    const second = await startWorld({
      clock,
      wechat: first.wechat,
      douyin: first.douyin,
      storage: { storage: { durable: recording, encryptionKey } },
    });
    const stored = async (platform: 'wechat' | 'douyin', componentAppId: string, shop: string) =>
      (await durable.get<{ refreshToken: string }>(StoreKeys.authorizer(platform, componentAppId, shop)))!.refreshToken;
    const before = await Promise.all(SHOPS.map((shop) => stored('wechat', COMPONENT_A.appId, shop)));
    const douyinBefore = await stored('douyin', DOUYIN_COMPONENT.appId, TT_SHOP);
    for (const shop of SHOPS)
      expect(await second.tokens.getAuthorizerAccessToken(shop, { forceRefresh: true })).toEqual(expect.any(String));
    expect(await second.tokens.getAuthorizerAccessToken(TT_SHOP, { forceRefresh: true })).toEqual(expect.any(String));
    // A WeChat refresh keeps its refresh token, and its sealed value stays as stored. Douyin's
    // rotates: sealed afresh, and still nowhere in clear.
    expect(await Promise.all(SHOPS.map((shop) => stored('wechat', COMPONENT_A.appId, shop)))).toEqual(before);
    const douyinAfter = await stored('douyin', DOUYIN_COMPONENT.appId, TT_SHOP);
    expect(douyinAfter).toMatch(/^sealed:v1:/);
    expect(douyinAfter).not.toBe(douyinBefore);
    // The Douyin refresh first marked its attempt in the record, the token unchanged: that write
    // carried the sealed value as stored (no seal); only the new chain was sealed afresh.
    const douyinWrites = written
      .filter(([key]) => key === StoreKeys.authorizer('douyin', DOUYIN_COMPONENT.appId, TT_SHOP))
      .map(([, value]) => value as { refreshToken: string; refreshAttempt?: unknown });
    expect(douyinWrites.map((w) => [w.refreshToken, w.refreshAttempt !== undefined])).toEqual([
      [douyinBefore, true],
      [douyinAfter, false],
    ]);
    const renewed = (await second.app
      .get(DurableStore)
      .get<{ refreshToken: string }>(StoreKeys.authorizer('douyin', DOUYIN_COMPONENT.appId, TT_SHOP)))!.refreshToken;
    expect(renewed).not.toBe(credentials[SHOPS.length]);
    const after = (await postgres.query(`SELECT value FROM ${table}`)) as Array<{ value: string }>;
    expect(after.map((r) => r.value).join('\n')).not.toContain(renewed);
    expect(first.douyin.refreshTokenReuses(TT_SHOP)).toBe(0);
    expect(first.douyin.calls('retrieve_auth_code')).toBe(0);
    await second.app.close();

    // Another key, or none: the boot refuses, naming the option; nothing is treated as empty.
    for (const storage of [{ durable, encryptionKey: randomBytes(32).toString('base64') }, { durable }]) {
      const boot = startWorld({ clock, wechat: first.wechat, douyin: first.douyin, storage: { storage } });
      await expect(boot).rejects.toMatchObject({ code: OpenPlatformErrorCode.SEALED_VALUE_UNREADABLE });
      await expect(boot).rejects.toThrow(/storage\.encryptionKey/);
    }
  });

  it('a malformed key refuses the boot with the field named and the key never echoed', async () => {
    const bad = randomBytes(16).toString('base64');
    const boot = startWorld({ storage: { storage: { encryptionKey: bad } } });
    await expect(boot).rejects.toThrow(/storage\.encryptionKey: must be 32 bytes in base64/);
    await expect(boot).rejects.not.toThrow(bad);
  });
});
