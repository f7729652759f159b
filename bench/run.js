// Benchmarks (`npm run bench`): ratios against a bare baseline measured in the same run, never
// absolute thresholds. Uses the built package (dist/), the emulator and a minimal loopback server.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { OpenPlatformModule, TokenService } from 'nest-open-platform';
import { FakeWeChatPlatform } from 'nest-open-platform/testing';
import { adminListBenchmarks } from './admin-list.js';
import { benchmarks } from './benchmarks.js';
import { compare, printTable } from './measure.js';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { eventsRouteBenchmarks } from './events-route.js';
import { messagesRouteBenchmarks } from './messages-route.js';
import { fleetBenchmarks } from './fleet.js';
import { hostileMemoryBenchmarks } from './hostile-memory.js';
import { interceptorBenchmarks } from './interceptor.js';
import { warmHitBenchmarks } from './warm-hit.js';
import { renewalBenchmarks } from './renewal.js';
import { sealingBenchmarks } from './sealing.js';
import { singleFlightBenchmarks } from './single-flight.js';

const component = {
  appId: 'wx_bench',
  appSecret: 'bench-secret',
  token: 'bench-token',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};
const authorizer = 'wx_bench_shop';

const fake = new FakeWeChatPlatform({ components: [component] });
await fake.start();
class AppModule {}
Module({
  imports: [
    OpenPlatformModule.forRoot({
      components: [{ platform: 'wechat', ...component, apiBaseUrl: fake.baseUrl }],
    }),
  ],
})(AppModule);
const app = await NestFactory.create(AppModule, { logger: false });
await app.listen(0, '127.0.0.1');
const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
fake.setEventsUrl(component.appId, `${url}/open-platform/${component.appId}/events`);
await fake.pushTicket(`${url}/open-platform/${component.appId}/events`, component.appId);
await fake.authorize({ componentAppId: component.appId, authorizerAppId: authorizer });
await fake.settle();

const ctx = {
  component,
  authorizer,
  tokens: app.get(TokenService),
};

const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1] ?? 'unknown CPU';
console.log(
  `node ${process.version}, ${cpu}, ${availableParallelism()} cores, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; ratios: median of alternating batch pairs measured in this run\n`,
);
const rows = [];
for (const b of benchmarks) {
  await b.setup?.(ctx);
  const r = await compare(
    () => b.ours(ctx),
    () => b.baseline(ctx),
    b.options,
  );
  const judged = b.judge(r.ratio, r);
  rows.push({
    name: b.name,
    reading: `${judged.reading} (${r.ours.toFixed(0)} vs ${b.baselineName} ${r.base.toFixed(0)} ops/s)`,
    target: judged.target,
    met: judged.met,
  });
}
await app.close();
await fake.stop();

// Memory and Redis mode, with and without an OpenTelemetry SDK (registered globally: last of the in-process rows).
rows.push(...(await warmHitBenchmarks()));
// The business API in a child process; the interceptor's own cost against a bare axios call.
rows.push(...(await interceptorBenchmarks()));
rows.push(...(await eventsRouteBenchmarks()));
rows.push(...(await messagesRouteBenchmarks()));
rows.push(...(await singleFlightBenchmarks()));
rows.push(...(await sealingBenchmarks()));
// The suites' hostile requests; the app in a child process, so only its memory is measured.
rows.push(...(await hostileMemoryBenchmarks()));
// The emulator in a child process there, so only the module's memory is measured.
for (const [name, reading, target, met] of await renewalBenchmarks()) rows.push({ name, reading, target, met });
// Redis mode: a page of the admin list at 100,000 authorizers against one at 100.
rows.push(...(await adminListBenchmarks()));
// Redis mode; the cold callers run in three child processes sharing one Redis.
for (const [name, reading, target, met] of await fleetBenchmarks()) rows.push({ name, reading, target, met });
printTable(rows);
process.exit(0);
