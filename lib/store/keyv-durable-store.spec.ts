import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import KeyvPostgres from '@keyv/postgres';
import { Keyv } from 'keyv';
import { OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { KeyvDurableStore } from './keyv-durable-store.js';
import { freePort } from './redis/spec-helpers.js';

/** The local PostgreSQL of the project's machines (trust auth, database `test`); `.ci/run` starts it. */
const POSTGRES_URI = process.env.POSTGRES_URI ?? 'postgresql://postgres@127.0.0.1:5432/test';

const record = { authorizerAppId: 'wx_shop', refreshToken: 'rt-1', permissions: [1, 2] };

describe('KeyvDurableStore on a Map (any Keyv store)', () => {
  it('stores records, lists a prefix and refuses what it cannot honour', async () => {
    const store = new KeyvDurableStore(new Map());
    await store.set('wechat:wx1:authorizer:a', record);
    await store.set('wechat:wx1:authorizer-token:a', { other: true });
    expect(await store.get('wechat:wx1:authorizer:a')).toEqual(record);
    expect(await store.keys('wechat:wx1:authorizer:')).toEqual(['wechat:wx1:authorizer:a']);
    await store.delete('wechat:wx1:authorizer:a');
    expect(await store.get('wechat:wx1:authorizer:a')).toBeUndefined();
    expect(() => new KeyvDurableStore(new Map(), { namespace: 'a:b' })).toThrow('colon');
    expect(() => new KeyvDurableStore(new Keyv({ ttl: 1000 }))).toThrow('ttl');
  });
});

describe('KeyvDurableStore on PostgreSQL (@keyv/postgres, integration)', () => {
  const table = `op_durable_${process.pid}_${Date.now()}`;
  let adapter: KeyvPostgres;
  let store: KeyvDurableStore;

  beforeAll(() => {
    adapter = new KeyvPostgres({ uri: POSTGRES_URI, table, max: 2 });
    store = new KeyvDurableStore(adapter, { namespace: 'op' });
  });
  // @keyv/postgres 2 keeps one pg pool per process (module level): the suite ends it once, and
  // only then opens the unreachable one.
  let disconnected = false;
  const dropAndDisconnect = async () => {
    if (disconnected) return;
    disconnected = true;
    await adapter.query(`DROP TABLE IF EXISTS ${table}`);
    await adapter.disconnect();
  };
  afterAll(dropAndDisconnect);

  it('keeps records without a TTL and lists them by prefix across pages', async () => {
    for (let i = 0; i < 25; i++) await store.set(`wechat:wx1:authorizer:shop${i}`, { ...record, i });
    await store.set('wechat:wx1:ticket', { ticket: 't' });
    await store.set('douyin:tt1:authorizer:x', record);
    expect(await store.get('wechat:wx1:authorizer:shop3')).toEqual({ ...record, i: 3 });
    const keys = await store.keys('wechat:wx1:authorizer:');
    expect(keys.sort()).toEqual(Array.from({ length: 25 }, (_, i) => `wechat:wx1:authorizer:shop${i}`).sort());
    // As stored: the namespaced key, and no expiry in Keyv's envelope.
    const rows = (await adapter.query(`SELECT key, value FROM ${table} WHERE key = $1`, [
      'op:wechat:wx1:ticket',
    ])) as Array<{ value: string }>;
    expect(rows).toHaveLength(1);
    expect((JSON.parse(rows[0].value) as { expires?: unknown }).expires ?? null).toBeNull();
    await store.delete('wechat:wx1:ticket');
    expect(await store.get('wechat:wx1:ticket')).toBeUndefined();
  });

  it('a database that cannot be reached is a retryable STORE_UNAVAILABLE without the value', async () => {
    await dropAndDisconnect();
    const down = new KeyvPostgres({
      uri: `postgresql://postgres@127.0.0.1:${await freePort()}/test`,
      table,
      connectionTimeoutMillis: 1000,
    });
    const broken = new KeyvDurableStore(down, { namespace: 'op' });
    const unavailable = { code: OpenPlatformErrorCode.STORE_UNAVAILABLE, retryable: true };
    const err = await broken.set('wechat:wx1:authorizer:x', { refreshToken: 'rt-secret' }).catch((e: unknown) => e);
    expect(err).toMatchObject(unavailable);
    expect(JSON.stringify(err) + String(err)).not.toContain('rt-secret');
    await expect(broken.get('wechat:wx1:authorizer:x')).rejects.toMatchObject(unavailable);
    await expect(broken.keys('wechat:wx1:')).rejects.toMatchObject(unavailable);
    await down.disconnect();
  });
});
