import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import KeyvPostgres from '@keyv/postgres';
import type { RedisClientType } from '@keyv/redis';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DurableStore, exportDurableData, KeyvDurableStore } from '../lib/index.js';
import { FakeDouyinPlatform } from '../lib/testing/index.js';
import { deleteUnder, rawClient, REDIS_URL, uniquePrefix } from '../lib/store/redis/spec-helpers.js';
import { runCli } from './support/cli.js';
import { DOUYIN_COMPONENT, startDouyinHarness } from './support/douyin-harness.js';
import { COMPONENT_A } from './support/fixtures.js';
import { startHarness } from './support/harness.js';
import { ManualClock } from './support/manual-clock.js';

const POSTGRES_URI = process.env.POSTGRES_URI ?? 'postgresql://postgres@127.0.0.1:5432/test';
const dir = join(import.meta.dirname, '..', '.tmp', `durable-migration-${process.pid}`);
const file = (name: string) => join(dir, name);
const WECHAT_SHOPS = ['wx_mig_a', 'wx_mig_b'];
const DOUYIN_SHOP = 'tt_mig';

/**
 * An app that started on the in-memory store (the default) moves to PostgreSQL through Redis, as
 * docs/cli.md tells: `exportDurableData` from the running app (its data lives only in its process),
 * `import` into Redis, `migrate` Redis → PostgreSQL with equal counts; apps on PostgreSQL then
 * serve every merchant from the chains they were given, with no one authorizing again and no
 * single-use refresh token spent twice. The WeChat app seals its store: the backup stays sealed.
 */
describe('memory → Redis → PostgreSQL: a memory app moves to durable stores, no merchant lost', () => {
  const encryptionKey = randomBytes(32).toString('base64');
  const prefix = uniquePrefix('migration');
  const table = `op_mig_${process.pid}_${Date.now()}`;
  const namespace = 'migrated';
  let client: RedisClientType;
  let postgres: KeyvPostgres;

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    client = await rawClient();
    postgres = new KeyvPostgres({ uri: POSTGRES_URI, table, max: 2 });
  });

  afterAll(async () => {
    await deleteUnder(client, prefix);
    client.destroy();
    await postgres.query(`DROP TABLE IF EXISTS ${table}`);
    await postgres.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries WeChat (sealed) and Douyin authorizers over, counts equal at each step', async () => {
    // 1. The apps being left: both on the memory store, the WeChat one sealed.
    const wechatClock = new ManualClock();
    const wechat = await startHarness({
      singleComponent: true,
      clock: wechatClock,
      options: { storage: { encryptionKey } },
    });
    const douyinClock = new ManualClock();
    const douyinFake = new FakeDouyinPlatform({ components: [DOUYIN_COMPONENT], now: () => douyinClock.now() });
    await douyinFake.start();
    try {
      await wechat.fake.pushTicket(wechat.eventsUrl(), COMPONENT_A.appId);
      for (const shop of WECHAT_SHOPS) {
        const { authorizationCode } = await wechat.fake.authorize({
          componentAppId: COMPONENT_A.appId,
          authorizerAppId: shop,
          push: false,
        });
        await wechat.tokens.exchangeAuthorizationCode(authorizationCode, COMPONENT_A.appId);
      }
      const old = await startDouyinHarness('v2', { shared: { fake: douyinFake, clock: douyinClock } });
      try {
        await douyinFake.pushTicket(old.eventsUrl, DOUYIN_COMPONENT.appId);
        const { authorizationCode } = await douyinFake.authorize({
          componentAppId: DOUYIN_COMPONENT.appId,
          authorizerAppId: DOUYIN_SHOP,
          push: false,
        });
        await old.tokens.exchangeAuthorizationCode(authorizationCode, DOUYIN_COMPONENT.appId);
        // A refresh in the old app: the chain it hands over is the rotated one, not the first.
        await old.tokens.getAuthorizerAccessToken(DOUYIN_SHOP, {
          componentAppId: DOUYIN_COMPONENT.appId,
          forceRefresh: true,
        });
        const douyinBackup = await exportDurableData(old.app.get(DurableStore), file('douyin.jsonl'));
        expect(douyinBackup).toEqual({ records: 2, byKind: { authorizer: 1, ticket: 1 }, path: file('douyin.jsonl') });
      } finally {
        await old.close();
      }
      const wechatBackup = await exportDurableData(wechat.app.get(DurableStore), file('wechat.jsonl'));
      expect(wechatBackup.records).toBe(4);
      expect(wechatBackup.byKind).toEqual({ authorizer: 2, ticket: 1, 'seal-check': 1 });
    } finally {
      await wechat.app.close();
    }
    // The backups hold refresh tokens: only the owner may read them; the sealed one shows none.
    expect(statSync(file('wechat.jsonl')).mode & 0o777).toBe(0o600);
    const wechatText = readFileSync(file('wechat.jsonl'), 'utf8');
    for (const shop of WECHAT_SHOPS)
      expect(wechatText).not.toContain(wechat.fake.authorizerState(COMPONENT_A.appId, shop)!.refreshToken!);
    expect(wechatText).toContain('sealed:v1:');
    expect(readFileSync(file('douyin.jsonl'), 'utf8')).toContain(
      douyinFake.authorizerState(DOUYIN_COMPONENT.appId, DOUYIN_SHOP)!.refreshToken!,
    );

    try {
      // 2. Into Redis with the CLI, then Redis → PostgreSQL.
      const redis = ['--store', REDIS_URL, '--key-prefix', prefix];
      for (const [name, records] of [
        ['wechat.jsonl', 4],
        ['douyin.jsonl', 2],
      ] as const) {
        const imported = await runCli(['import', file(name), ...redis, '--json']);
        expect(imported.code).toBe(0);
        expect(JSON.parse(imported.stdout)).toMatchObject({ source: 'backup', written: records, refused: 0 });
      }
      const migrated = await runCli([
        'migrate',
        '--from',
        REDIS_URL,
        '--from-key-prefix',
        prefix,
        '--to',
        POSTGRES_URI,
        '--to-table',
        table,
        '--to-key-prefix',
        namespace,
        '--json',
      ]);
      expect(migrated.code).toBe(0);
      expect(JSON.parse(migrated.stdout)).toMatchObject({ source: 6, target: 6, written: 6, missing: 0, failed: 0 });
      // Nothing left the source.
      const again = await runCli(['export', ...redis, '--out', file('redis-after.jsonl'), '--json']);
      expect(JSON.parse(again.stdout)).toMatchObject({ records: 6 });

      // 3. The apps on PostgreSQL, against the same platforms: every merchant served as it was.
      const durable = () => new KeyvDurableStore(postgres, { namespace });
      const wechatAfter = await startHarness({
        singleComponent: true,
        fake: wechat.fake,
        clock: wechatClock,
        options: { storage: { durable: durable(), encryptionKey } },
      });
      try {
        wechat.fake.resetCalls();
        for (const shop of WECHAT_SHOPS) {
          const token = await wechatAfter.tokens.getAuthorizerAccessToken(shop, { componentAppId: COMPONENT_A.appId });
          expect(wechat.fake.authorizerOfToken(token)).toBe(shop);
          expect(await wechatAfter.tokens.getAuthorizer(shop, COMPONENT_A.appId)).toMatchObject({ status: 'active' });
        }
        expect(wechat.fake.calls('api_query_auth')).toBe(0); // nobody authorized again
        expect(wechat.fake.calls('api_authorizer_token')).toBe(WECHAT_SHOPS.length);
        expect(wechat.fake.calls('api_component_token')).toBe(1); // the ticket came over too
      } finally {
        await wechatAfter.close();
      }
      const douyinAfter = await startDouyinHarness('v2', {
        shared: { fake: douyinFake, clock: douyinClock },
        options: { storage: { durable: durable(), encryptionKey } },
      });
      try {
        douyinFake.resetCalls();
        const token = await douyinAfter.tokens.getAuthorizerAccessToken(DOUYIN_SHOP, {
          componentAppId: DOUYIN_COMPONENT.appId,
        });
        expect(douyinFake.isAuthorizerTokenValid(token)).toBe(true);
        expect(douyinFake.calls('auth_token')).toBe(1);
        expect(douyinFake.refreshTokenReuses(DOUYIN_SHOP)).toBe(0);
        expect(douyinFake.calls('retrieve_auth_code')).toBe(0);
      } finally {
        await douyinAfter.close();
      }
    } finally {
      await wechat.fake.stop();
      await douyinFake.stop();
    }
  });

  it('refuses a memory source with the way to move it', async () => {
    const run = await runCli(['migrate', '--from', 'memory', '--to', POSTGRES_URI, '--to-table', table]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('exportDurableData(app.get(DurableStore), file)');
  });
});
