// Benchmarks (`npm run bench`): ratios against a bare baseline measured in the same run, never
// absolute thresholds. Uses the built package (dist/), the emulator and a minimal loopback server.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createServer } from 'node:http';
import { OpenPlatformHttpService, OpenPlatformModule, TokenService } from 'nest-open-platform';
import { FakeWeChatPlatform } from 'nest-open-platform/testing';
import { benchmarks } from './benchmarks.js';
import { compare, printTable } from './measure.js';
import { fleetBenchmarks, printFleetTable } from './fleet.js';
import { printRenewalTable, renewalBenchmarks } from './renewal.js';

const component = {
  appId: 'wx_bench',
  appSecret: 'bench-secret',
  token: 'bench-token',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};
const authorizer = 'wx_bench_shop';

// The cheapest possible business API: makes the interceptor's share of a call as large as it gets.
const echo = createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end('{"errcode":0,"errmsg":"ok"}');
});
await new Promise((r) => echo.listen(0, '127.0.0.1', r));

const fake = new FakeWeChatPlatform({ components: [component] });
await fake.start();
class AppModule {}
Module({
  imports: [
    OpenPlatformModule.forRoot({ components: [{ platform: 'wechat', ...component, apiBaseUrl: fake.baseUrl }] }),
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
  http: app.get(OpenPlatformHttpService),
  echoUrl: `http://127.0.0.1:${echo.address().port}/cgi-bin/account/getaccountbasicinfo`,
};

console.log(`node ${process.version}, ${benchmarks.length} benchmarks, median of 31 alternating batch pairs\n`);
const rows = [];
for (const b of benchmarks) {
  await b.setup?.(ctx);
  const r = await compare(
    () => b.ours(ctx),
    () => b.baseline(ctx),
    b.options,
  );
  rows.push({ name: b.name, baseline: b.baselineName, ...r, ...b.judge(r.ratio) });
}
printTable(rows);
await app.close();
await fake.stop();
await new Promise((r) => echo.close(r));

console.log('\nscheduled renewal (the emulator in a child process, so only the module is measured)\n');
printRenewalTable(await renewalBenchmarks());

console.log('\nfleet mode (Redis; the cold callers run in three child processes sharing it)\n');
printFleetTable(await fleetBenchmarks());
process.exit(0);
