import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import KeyvPostgres from '@keyv/postgres';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RedisClientType } from '@keyv/redis';
import { openStore } from '../lib/cli/store/open-store.js';
import { deleteUnder, keysUnder, rawClient, REDIS_URL, uniquePrefix } from '../lib/store/redis/spec-helpers.js';
import { runCli } from './support/cli.js';

const POSTGRES_URI = process.env.POSTGRES_URI ?? 'postgresql://postgres@127.0.0.1:5432/test';
const dir = join(import.meta.dirname, '..', '.tmp', `cli-store-${process.pid}`);
const file = (name: string) => join(dir, name);
const tokenOf = (i: number) => `refresh-${i}-${randomBytes(6).toString('hex')}`;

const ROWS = [
  { platform: 'wechat', componentAppId: 'wx_cli_comp', authorizerAppId: 'wx_cli_a', refreshToken: tokenOf(1) },
  {
    platform: 'wechat',
    componentAppId: 'wx_cli_comp',
    authorizerAppId: 'wx_cli_b',
    refreshToken: tokenOf(2),
    permissions: [1, 2],
  },
  {
    platform: 'douyin',
    componentAppId: 'tt_cli_comp',
    authorizerAppId: 'tt_cli_c',
    refreshToken: tokenOf(3),
    refreshTokenExpiresAt: Date.now() + 86_400_000,
  },
];

/** The records of a backup file without its header (which carries the export time). */
function records(path: string): string[] {
  return readFileSync(path, 'utf8').trim().split('\n').slice(1);
}

describe('CLI on real stores: import, export, backup round trip, migrate, reseal', () => {
  const prefix = uniquePrefix('cli');
  const table = `op_cli_${process.pid}_${Date.now()}`;
  const redis = ['--store', REDIS_URL, '--key-prefix', prefix];
  const postgres = ['--store', POSTGRES_URI, '--table', table, '--key-prefix', 'cli'];
  let client: RedisClientType;

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file('rows.json'), JSON.stringify(ROWS));
    client = await rawClient();
  });

  afterAll(async () => {
    await deleteUnder(client, prefix);
    client.destroy();
    const pg = new KeyvPostgres({ uri: POSTGRES_URI, table, max: 1 });
    await pg.query(`DROP TABLE IF EXISTS ${table}`);
    await pg.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports JSON rows into Redis as the module writes authorizers; a re-run changes nothing', async () => {
    const first = await runCli(['import', file('rows.json'), ...redis, '--json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ rows: 3, imported: 3, refused: 0, kept: 0, failed: 0 });
    expect(first.stdout + first.stderr).not.toContain(ROWS[0].refreshToken);

    const opened = await openStore({ url: REDIS_URL, keyPrefix: prefix });
    try {
      expect(await opened.raw.get('wechat:wx_cli_comp:authorizer:wx_cli_b')).toMatchObject({
        componentAppId: 'wx_cli_comp',
        authorizerAppId: 'wx_cli_b',
        platform: 'wechat',
        status: 'active',
        permissions: [1, 2],
        refreshToken: ROWS[1].refreshToken,
      });
      // A ticket (durable) and cache data beside it, as a running module leaves them.
      await opened.raw.set('wechat:wx_cli_comp:ticket', {
        ticket: 'ticket-x',
        createdAt: 1,
        receivedAt: 2,
        expiresAt: 3,
      });
    } finally {
      await opened.close();
    }
    await client.set(`${prefix}:wechat:wx_cli_comp:component-token`, 'cached');
    await client.zAdd(`${prefix}:wechat:wx_cli_comp:renewal-due`, { score: 1, value: 'wx_cli_a' });

    const again = await runCli(['import', file('rows.json'), ...redis, '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ imported: 0, unchanged: 3 });
  });

  it('export → wipe → import → the identical store; cache data is not exported', async () => {
    const exported = await runCli(['export', ...redis, '--out', file('backup.jsonl'), '--json']);
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toEqual({
      records: 4,
      byKind: { authorizer: 3, ticket: 1 },
      out: file('backup.jsonl'),
    });
    const before = records(file('backup.jsonl'));
    expect(before.join('\n')).not.toContain('component-token');
    expect(JSON.parse(readFileSync(file('backup.jsonl'), 'utf8').split('\n')[0])).toMatchObject({
      format: 'nest-open-platform-backup',
      version: 1,
      records: 4,
    });

    await deleteUnder(client, prefix);
    expect(await keysUnder(client, prefix)).toEqual([]);
    const restored = await runCli(['import', file('backup.jsonl'), ...redis, '--json']);
    expect(restored.code).toBe(0);
    expect(JSON.parse(restored.stdout)).toMatchObject({ source: 'backup', written: 4, refused: 0 });

    const after = await runCli(['export', ...redis, '--out', file('backup-2.jsonl')]);
    expect(after.code).toBe(0);
    expect(records(file('backup-2.jsonl'))).toEqual(before);

    const rerun = await runCli(['import', file('backup.jsonl'), ...redis, '--json']);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ written: 0, unchanged: 4 });
  });

  it('migrates Redis → PostgreSQL with equal counts, leaving the source as it was', async () => {
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
      'cli',
      '--json',
    ]);
    expect(migrated.stderr).not.toContain('failed ');
    expect(migrated.code).toBe(0);
    expect(JSON.parse(migrated.stdout)).toMatchObject({ source: 4, target: 4, written: 4, missing: 0 });
    const fromPostgres = await runCli(['export', ...postgres, '--out', file('pg.jsonl')]);
    expect(fromPostgres.code).toBe(0);
    expect(records(file('pg.jsonl'))).toEqual(records(file('backup.jsonl')));
    const source = await runCli(['export', ...redis, '--out', file('redis-after.jsonl')]);
    expect(records(file('redis-after.jsonl'))).toEqual(records(file('backup.jsonl')));
    expect(source.code).toBe(0);
  });

  it('a corrupted CSV row in the middle is reported on its own line; the rest is imported; a dry run writes nothing', async () => {
    const good = (i: number) => `wechat,wx_cli_csv,wx_csv_${i},${tokenOf(10 + i)}`;
    const csv = [
      'platform,componentAppId,authorizerAppId,refreshToken',
      good(1),
      'wechat,wx_cli_csv,"wx_csv_broken,tok', // an unbalanced quote
      'alipay,wx_cli_csv,wx_csv_x,tok', // an unknown platform
      'wechat,wx_cli_csv,__proto__,tok', // not an appid
      'wechat,wx_cli_csv,wx_csv_y', // a column short
      good(2),
      good(1).replace(/refresh-\S+$/, 'refresh-other'), // the same authorizer again
      good(3),
    ].join('\n');
    writeFileSync(file('rows.csv'), csv);
    const exportBefore = await runCli(['export', ...redis]);

    const dry = await runCli(['import', file('rows.csv'), ...redis, '--dry-run', '--json']);
    expect(dry.code).toBe(3);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, rows: 8, imported: 3, refused: 5 });
    const exportAfterDry = await runCli(['export', ...redis]);
    expect(exportAfterDry.stdout.split('\n').slice(1)).toEqual(exportBefore.stdout.split('\n').slice(1));

    const real = await runCli(['import', file('rows.csv'), ...redis, '--json']);
    expect(real.code).toBe(3);
    const refusedLines = real.stderr.split('\n').filter((l) => l.startsWith('refused '));
    expect(refusedLines.map((l) => l.split(':')[0])).toEqual([
      'refused line 3',
      'refused line 4',
      'refused line 5',
      'refused line 6',
      'refused line 8',
    ]);
    expect(refusedLines[4]).toContain('the same authorizer as line 2');
    expect(JSON.parse(real.stdout)).toMatchObject({ imported: 3, refused: 5 });
    expect(real.stderr).not.toContain('refresh-');
    const keys = await keysUnder(client, `${prefix}:wechat:wx_cli_csv`);
    expect(keys.map((k) => k.split(':').pop())).toEqual(['wx_csv_1', 'wx_csv_2', 'wx_csv_3']);
  });

  it('usage errors exit 2 with the command help; an unreachable store exits 1', async () => {
    expect((await runCli(['import', file('rows.json')])).code).toBe(2); // no --store
    expect((await runCli(['export', '--store', 'ftp://x'])).code).toBe(2);
    expect((await runCli(['export', '--stroe', 'memory'])).code).toBe(2);
    expect((await runCli(['nonsense'])).code).toBe(2);
    const down = await runCli(['export', '--store', 'redis://127.0.0.1:1']);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('STORE_UNAVAILABLE');
  });

  it('sealed: imported refresh tokens are never in clear in the store or the backup; reseal rotates them', async () => {
    const key1 = randomBytes(32).toString('base64');
    const key2 = randomBytes(32).toString('base64');
    const sealed = ['--store', POSTGRES_URI, '--table', table, '--key-prefix', 'sealed'];
    const imported = await runCli(['import', file('rows.json'), ...sealed, '--json'], {
      NEST_OPEN_PLATFORM_ENCRYPTION_KEY: key1,
    });
    expect(imported.code).toBe(0);
    const pg = new KeyvPostgres({ uri: POSTGRES_URI, table, max: 1 });
    const raw = async () =>
      ((await pg.query(`SELECT key, value FROM ${table} WHERE key LIKE 'sealed:%'`)) as Array<{ value: string }>)
        .map((r) => r.value)
        .join('\n');
    try {
      const stored = await raw();
      for (const row of ROWS) expect(stored).not.toContain(row.refreshToken);
      expect(stored).toContain('sealed:v1:');

      // Without the key, the sealed store is refused (as the module refuses to boot on it).
      const noKey = await runCli(['import', file('rows.json'), ...sealed]);
      expect(noKey.code).toBe(1);
      expect(noKey.stderr).toContain('sealed');

      const backup = await runCli(['export', ...sealed]);
      for (const row of ROWS) expect(backup.stdout).not.toContain(row.refreshToken);

      const rotated = await runCli(['reseal', ...sealed, '--json'], {
        NEST_OPEN_PLATFORM_ENCRYPTION_KEY: key2,
        NEST_OPEN_PLATFORM_PREVIOUS_ENCRYPTION_KEYS: key1,
      });
      expect(rotated.code).toBe(0);
      expect(JSON.parse(rotated.stdout)).toEqual({ rewritten: 4 }); // 3 records + the seal check
      // Under the new key alone, every record opens: a re-import finds them all unchanged.
      const check = await runCli(['import', file('rows.json'), ...sealed, '--json'], {
        NEST_OPEN_PLATFORM_ENCRYPTION_KEY: key2,
      });
      expect(JSON.parse(check.stdout)).toMatchObject({ unchanged: 3, failed: 0 });
      const wrong = await runCli(['import', file('rows.json'), ...sealed], {
        NEST_OPEN_PLATFORM_ENCRYPTION_KEY: key1,
      });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('SEALED_VALUE_UNREADABLE');
    } finally {
      await pg.disconnect();
    }
  });
});
