// The admin list at 100,000 authorizers against the same list at 100 (Redis mode, one app each,
// over loopback HTTP): a page costs the reads of that page, not a listing of the store. The
// records are written straight into the durable store, as another process of the fleet would.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createClient } from '@keyv/redis';
import { DurableStore, OpenPlatformModule, hashAdminPassword } from 'nest-open-platform';
import { FakeWeChatPlatform } from 'nest-open-platform/testing';
import { StoreKeys } from '../dist/store/store-keys.js';
import { compare } from './measure.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const component = {
  appId: 'wx_bench_admin',
  appSecret: 'bench-secret',
  token: 'bench-token',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};
const auth = { authorization: `Basic ${Buffer.from('ops:bench').toString('base64')}` };

async function startApp(fake, keyPrefix, passwordHash, count) {
  class AppModule {}
  Module({
    imports: [
      OpenPlatformModule.forRoot({
        components: [{ platform: 'wechat', ...component, apiBaseUrl: fake.baseUrl }],
        redis: { url: REDIS_URL, keyPrefix },
        admin: { enabled: true, basicAuth: { username: 'ops', passwordHash } },
      }),
    ],
  })(AppModule);
  const app = await NestFactory.create(AppModule, { logger: false });
  const store = app.get(DurableStore);
  let next = 0;
  const now = Date.now();
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < count) {
        const i = next++;
        const authorizerAppId = `wx_list_${String(i).padStart(7, '0')}`;
        await store.set(StoreKeys.authorizer('wechat', component.appId, authorizerAppId), {
          componentAppId: component.appId,
          authorizerAppId,
          platform: 'wechat',
          status: i % 97 === 0 ? 'revoked' : 'active',
          permissions: [1],
          authorizedAt: now,
          updatedAt: now,
          refreshToken: `rt-${i}`,
        });
      }
    }),
  );
  // Written before listen: the listing made at boot holds them all.
  await app.listen(0, '127.0.0.1');
  const url = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/open-platform/admin/authorizers`;
  return { app, url };
}

async function page(url) {
  const res = await fetch(url, { headers: auth });
  if (res.status !== 200) throw new Error(`admin list answered ${res.status}`);
  return res.json();
}

export async function adminListBenchmarks({ small = 100, large = 100_000 } = {}) {
  const fake = new FakeWeChatPlatform({ components: [component] });
  await fake.start();
  const passwordHash = await hashAdminPassword('bench', { N: 1024 });
  const run = `${process.pid}-${Date.now()}`;
  const few = await startApp(fake, `bench-admin-few-${run}`, passwordHash, small);
  const many = await startApp(fake, `bench-admin-many-${run}`, passwordHash, large);
  const rows = [];
  const first = await compare(
    () => page(`${many.url}?limit=50`),
    () => page(`${few.url}?limit=50`),
    { batch: 20, pairs: 31 },
  );
  rows.push({
    name: `admin list, first page of 50: ${large.toLocaleString('en')} vs ${small} authorizers (Redis)`,
    reading: `${first.ratio.toFixed(2)}× the rate [${first.p25.toFixed(2)}–${first.p75.toFixed(2)}] (${first.ours.toFixed(0)} vs ${first.base.toFixed(0)} pages/s)`,
    target: '≥ 0.8×',
    met: first.ratio >= 0.8,
  });
  const deep = (await page(`${many.url}?limit=50&appIdPrefix=wx_list_00900`)).items.at(-1);
  const cursor = Buffer.from(`${component.appId}\n${deep.authorizerAppId}`).toString('base64url');
  const later = await compare(
    () => page(`${many.url}?limit=50&cursor=${cursor}`),
    () => page(`${few.url}?limit=50`),
    { batch: 20, pairs: 31 },
  );
  rows.push({
    name: `admin list, a page at 90,000 by cursor vs the first of ${small} authorizers (Redis)`,
    reading: `${later.ratio.toFixed(2)}× the rate [${later.p25.toFixed(2)}–${later.p75.toFixed(2)}] (${later.ours.toFixed(0)} vs ${later.base.toFixed(0)} pages/s)`,
    target: '≥ 0.8×',
    met: later.ratio >= 0.8,
  });
  // A filter that matches no record: bounded by the scan budget, not by the number of authorizers.
  const start = process.hrtime.bigint();
  const none = await page(`${many.url}?limit=50&status=reauthorization_required`);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  rows.push({
    name: `admin list, a filter matching none of ${large.toLocaleString('en')} (one page)`,
    reading: `${ms.toFixed(0)} ms, ${none.scanned} records examined, next cursor ${none.nextCursor ? 'given' : 'absent'}`,
    target: 'scanned ≤ 2000',
    met: none.scanned <= 2000 && !!none.nextCursor,
  });
  await few.app.close();
  await many.app.close();
  await fake.stop();
  // Leave nothing behind in the shared Redis.
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  for (const prefix of [`bench-admin-few-${run}`, `bench-admin-many-${run}`]) {
    let c = '0';
    do {
      const r = await client.scan(c, { MATCH: `${prefix}:*`, COUNT: 1000 });
      c = String(r.cursor);
      if (r.keys.length) await client.del(r.keys);
    } while (c !== '0');
  }
  await client.quit();
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printTable } = await import('./measure.js');
  printTable(await adminListBenchmarks());
  process.exit(0);
}
