// Fleet-mode benchmarks (third table of `npm run bench`; `node bench/fleet.js` alone after a build):
// the warm hit in Redis mode against a bare async Map and against plain cache-manager on
// @keyv/redis (a Redis round trip per read), and 10,000 concurrent cold callers spread over three
// processes sharing one Redis → upstream calls. Needs Redis (REDIS_URL, default 127.0.0.1:6379).
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import KeyvRedis, { createClient, Keyv } from '@keyv/redis';
import { createCache } from 'cache-manager';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { OpenPlatformModule, TokenService } from 'nest-open-platform';
import { FakeWeChatPlatform } from 'nest-open-platform/testing';
import { compare, printTable } from './measure.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const component = {
  appId: 'wx_bench_fleet',
  appSecret: 'bench-secret',
  token: 'bench-token',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};
const authorizer = 'wx_bench_fleet_shop';

function startWorker(config) {
  const child = fork(new URL('./fleet-worker.js', import.meta.url), {
    env: { ...process.env, FLEET_BENCH_CONFIG: JSON.stringify(config) },
  });
  const next = () => new Promise((resolve) => child.once('message', resolve));
  return { child, ready: next(), next, send: (m) => child.send(m) };
}

export async function fleetBenchmarks({ callers = 10_000, processes = 3 } = {}) {
  const keyPrefix = `bench-fleet-${randomBytes(4).toString('hex')}`;
  const raw = createClient({ url: REDIS_URL });
  await raw.connect();
  const fake = new FakeWeChatPlatform({ components: [component] });
  await fake.start();
  const rows = [];
  const workers = [];
  let app;
  let cacheManager;
  try {
    class AppModule {}
    Module({
      imports: [
        OpenPlatformModule.forRoot({
          components: [{ platform: 'wechat', ...component, apiBaseUrl: fake.baseUrl }],
          redis: { url: REDIS_URL, keyPrefix },
          refresh: { enabled: false },
        }),
      ],
    })(AppModule);
    app = await NestFactory.create(AppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    const events = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/open-platform/${component.appId}/events`;
    fake.setEventsUrl(component.appId, events);
    await fake.pushTicket(events, component.appId);
    await fake.authorize({ componentAppId: component.appId, authorizerAppId: authorizer });
    await fake.settle();
    const tokens = app.get(TokenService);
    const token = await tokens.getAuthorizerAccessToken(authorizer);

    // Warm hit in Redis mode vs the bare async Map.
    const map = new Map([[authorizer, token]]);
    const lookup = async (key) => map.get(key);
    const vsMap = await compare(
      () => tokens.getAuthorizerAccessToken(authorizer),
      () => lookup(authorizer),
      { batch: 5000 },
    );
    rows.push([
      'warm getAuthorizerAccessToken in Redis mode vs async Map.get',
      `${(vsMap.ratio * 100).toFixed(0)}% of the baseline rate (${fmt(vsMap.ours)} vs ${fmt(vsMap.base)} ops/s)`,
      '≥ 25%',
      vsMap.ratio >= 0.25,
    ]);

    // Warm hit in Redis mode vs plain cache-manager on @keyv/redis (what `get` costs with a round trip).
    cacheManager = createCache({
      stores: [new Keyv({ store: new KeyvRedis(REDIS_URL), namespace: `${keyPrefix}-cm` })],
    });
    await cacheManager.set(authorizer, token, 3_600_000);
    const vsCache = await compare(
      () => tokens.getAuthorizerAccessToken(authorizer),
      () => cacheManager.get(authorizer),
      { batch: 500 },
    );
    rows.push([
      'warm getAuthorizerAccessToken in Redis mode vs cache-manager + @keyv/redis get',
      `${vsCache.ratio.toFixed(0)}× its rate (${fmt(vsCache.ours)} vs ${fmt(vsCache.base)} ops/s)`,
      'ratio (> 1: no round trip)',
      vsCache.ratio > 1,
    ]);

    // Cold callers over three processes: the token and the component token are gone from Redis
    // (the workers never held them), and every caller asks at once.
    for (let i = 0; i < processes; i++)
      workers.push(startWorker({ component, baseUrl: fake.baseUrl, redisUrl: REDIS_URL, keyPrefix }));
    await Promise.all(workers.map((w) => w.ready));
    await raw.del([
      `${keyPrefix}:wechat:${component.appId}:authorizer-token:${authorizer}`,
      `${keyPrefix}:wechat:${component.appId}:component-token`,
    ]);
    const before = { authorizer: fake.calls('api_authorizer_token'), component: fake.calls('api_component_token') };
    const answers = workers.map((w) => w.next());
    workers.forEach((w, i) =>
      w.send({
        op: 'go',
        authorizer,
        callers: Math.floor(callers / processes) + (i < callers % processes ? 1 : 0),
      }),
    );
    const results = await Promise.all(answers);
    const upstream = fake.calls('api_authorizer_token') - before.authorizer;
    const componentCalls = fake.calls('api_component_token') - before.component;
    const ok = results.reduce((n, r) => n + r.ok, 0);
    const failed = results.reduce((n, r) => n + r.failed, 0);
    const label = `${callers.toLocaleString('en')} concurrent cold callers over ${processes} processes`;
    rows.push(
      [
        `${label}: callers served`,
        `${ok.toLocaleString('en')} (${failed} failed)`,
        `= ${callers.toLocaleString('en')}`,
        ok === callers,
      ],
      [`${label}: upstream authorizer-token calls`, String(upstream), '= 1', upstream === 1],
      [`${label}: upstream component-token calls`, String(componentCalls), '= 1', componentCalls === 1],
      [
        `${label}: wall time (slowest process)`,
        `${Math.max(...results.map((r) => r.ms)).toFixed(0)} ms`,
        'measured',
        true,
      ],
    );
  } finally {
    for (const w of workers) {
      if (w.child.exitCode !== null) continue;
      const exited = once(w.child, 'exit');
      w.send({ op: 'stop' });
      await exited;
    }
    await app?.close();
    await cacheManager?.disconnect();
    await fake.stop();
    const keys = [];
    for await (const key of raw.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 1000 })) keys.push(...[key].flat());
    if (keys.length) await raw.del(keys);
    raw.destroy();
  }
  return rows;
}

function fmt(opsPerSecond) {
  return Math.round(opsPerSecond).toLocaleString('en');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable((await fleetBenchmarks()).map(([name, reading, target, met]) => ({ name, reading, target, met })));
  process.exit(0);
}
