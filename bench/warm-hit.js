// The warm hit (issue #18): getAuthorizerAccessToken and getComponentAccessToken against an async
// Map.get, in memory and Redis mode, with and without an OpenTelemetry SDK registered, all in one
// run. The SDK is global, so the apps without it boot first (their meter is then the API's no-op
// for good) and the others after the SDK is registered. Each row alternates its two sides in
// batches, in this one process.
//
// Like with like: once any AsyncLocalStorage has run in a process (the SDK's context manager, the
// Redis lock's lease, nestjs-cls, ...), Node 20 installs promise hooks for good and every await
// costs about three times more, ours and the baseline's alike (an async Map.get falls from ~17 M to
// ~5 M ops/s). So the rows come in two phases, named in each row: first 'no AsyncLocalStorage' (the
// memory mode app alone, the hardest ratio: nothing but our own work beside one promise), then
// 'AsyncLocalStorage on' (one enabled by the bench itself before the Redis apps boot, so the phase
// does not depend on what a boot happened to run), where memory and Redis rows compare alike.
import 'reflect-metadata';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { randomBytes } from 'node:crypto';
import { OpenPlatformModule, TokenService } from 'nest-open-platform';
import { FakeWeChatPlatform } from 'nest-open-platform/testing';
import { compare, deleteRedisKeys, printTable } from './measure.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const authorizer = 'wx_warm_shop';
const component = (appId) => ({
  appId,
  appSecret: `${appId}-secret`,
  token: `${appId}-token`,
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
});
const MODES = [
  { name: 'memory', sdk: false, c: component('wx_warm_mem') },
  { name: 'Redis', sdk: false, c: component('wx_warm_redis') },
  { name: 'memory', sdk: true, c: component('wx_warm_mem_sdk') },
  { name: 'Redis', sdk: true, c: component('wx_warm_redis_sdk') },
];

class CollectedReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  onForceFlush() {
    return Promise.resolve();
  }
  onShutdown() {
    return Promise.resolve();
  }
}

async function boot(fake, mode, keyPrefix) {
  class AppModule {}
  Module({
    imports: [
      OpenPlatformModule.forRoot({
        components: [{ platform: 'wechat', ...mode.c, apiBaseUrl: fake.baseUrl }],
        refresh: { enabled: false },
        ...(mode.name === 'Redis' ? { redis: { url: REDIS_URL, keyPrefix: `${keyPrefix}-${mode.c.appId}` } } : {}),
      }),
    ],
  })(AppModule);
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const events = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/open-platform/${mode.c.appId}/events`;
  fake.setEventsUrl(mode.c.appId, events);
  await fake.pushTicket(events, mode.c.appId);
  await fake.authorize({ componentAppId: mode.c.appId, authorizerAppId: authorizer });
  await fake.settle();
  const tokens = app.get(TokenService);
  await tokens.getAuthorizerAccessToken(authorizer);
  return { app, tokens };
}

const pct = (r) => `${(r * 100).toFixed(0)}%`;
const spread = (r) => `[${pct(r.p25)}–${pct(r.p75)}]`;

export async function warmHitBenchmarks() {
  const keyPrefix = `bench-warm-${randomBytes(4).toString('hex')}`;
  const fake = new FakeWeChatPlatform({ components: MODES.map((m) => m.c) });
  await fake.start();
  const apps = [];
  const rows = [];
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())],
  });
  const reader = new CollectedReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  try {
    const map = new Map([[authorizer, 'token']]);
    const lookup = async (key) => map.get(key);
    const hit = (a) => () => a.tokens.getAuthorizerAccessToken(authorizer);
    const componentHit = (a) => () => a.tokens.getComponentAccessToken();
    const vsMap = async (a, phase, what = 'getAuthorizerAccessToken', fn = hit(a)) => {
      const r = await compare(fn, () => lookup(authorizer), { batch: 5000 });
      rows.push({
        name: `warm ${what}, ${a.mode.name}, ${a.mode.sdk ? 'OpenTelemetry SDK registered, metrics on' : 'no SDK'}, ${phase}`,
        reading: `${pct(r.ratio)} of async Map.get ${spread(r)} (${r.ours.toFixed(0)} vs ${r.base.toFixed(0)} ops/s)`,
        target: '≥ 60%',
        met: r.ratio >= 0.6,
      });
    };
    // Phase 1, no AsyncLocalStorage has run yet: the memory mode app alone (a Redis app's boot runs
    // its lock's lease, an AsyncLocalStorage).
    const [memoryMode, redisMode] = MODES.filter((m) => !m.sdk);
    apps.push({ mode: memoryMode, ...(await boot(fake, memoryMode, keyPrefix)) });
    await vsMap(apps[0], 'no AsyncLocalStorage');
    await vsMap(apps[0], 'no AsyncLocalStorage', 'getComponentAccessToken', componentHit(apps[0]));
    // Phase 2: an AsyncLocalStorage on (promise hooks for every await of the process from now on).
    new AsyncLocalStorage().run(true, () => undefined);
    apps.push({ mode: redisMode, ...(await boot(fake, redisMode, keyPrefix)) });
    for (const a of [...apps]) await vsMap(a, 'AsyncLocalStorage on');
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(tracerProvider);
    metrics.setGlobalMeterProvider(meterProvider);
    for (const mode of MODES.filter((m) => m.sdk)) apps.push({ mode, ...(await boot(fake, mode, keyPrefix)) });
    for (const a of apps.filter((x) => x.mode.sdk)) await vsMap(a, 'AsyncLocalStorage on');
    const redisSdk = apps.find((a) => a.mode.name === 'Redis' && a.mode.sdk);
    await vsMap(redisSdk, 'AsyncLocalStorage on', 'getComponentAccessToken', componentHit(redisSdk));
    // The same path with and without the module's instruments on an SDK, both under the SDK's context manager.
    for (const name of ['memory', 'Redis']) {
      const [plain, sdk] = [false, true].map((s) => apps.find((a) => a.mode.name === name && a.mode.sdk === s));
      const r = await compare(hit(sdk), hit(plain), { batch: 5000 });
      rows.push({
        name: `warm getAuthorizerAccessToken, ${name}: SDK registered vs none`,
        reading: `${r.ratio.toFixed(2)}× [${r.p25.toFixed(2)}–${r.p75.toFixed(2)}] (${r.ours.toFixed(0)} vs ${r.base.toFixed(0)} ops/s)`,
        target: '≥ 0.9×',
        met: r.ratio >= 0.9,
      });
    }
    // The hits were counted: the SDK sees them at collection.
    const { resourceMetrics } = await reader.collect();
    const lookups = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'open_platform.token.lookups');
    const hits = (lookups?.dataPoints ?? [])
      .filter((p) => p.attributes.result === 'hit' && p.attributes.kind === 'authorizer')
      .reduce((n, p) => n + p.value, 0);
    rows.push({
      name: 'warm hits seen by the SDK (open_platform.token.lookups)',
      reading: `${hits} hits counted`,
      target: '> 0',
      met: hits > 0,
    });
  } finally {
    for (const a of apps) await a.app.close();
    await fake.stop();
    trace.disable();
    metrics.disable();
    context.disable();
    await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    await deleteRedisKeys(REDIS_URL, keyPrefix);
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable(await warmHitBenchmarks());
  process.exit(0);
}
