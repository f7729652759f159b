// Benchmarks (`npm run bench`): ratios against a bare baseline measured in the same run, never
// absolute thresholds. Uses the built package (dist/) and the emulator over loopback.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { OpenPlatformModule, TokenService } from 'nest-open-platform';
import { FakeWeChatPlatform } from 'nest-open-platform/testing';
import { benchmarks } from './benchmarks.js';
import { measure, printTable } from './measure.js';

const component = { appId: 'wx_bench', appSecret: 'bench-secret', token: 'bench-token', encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };

const fake = new FakeWeChatPlatform({ components: [component] });
await fake.start();
class AppModule {}
Module({ imports: [OpenPlatformModule.forRoot({ components: [{ platform: 'wechat', ...component, apiBaseUrl: fake.baseUrl }] })] })(AppModule);
const app = await NestFactory.create(AppModule, { logger: false });
await app.listen(0, '127.0.0.1');
const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
await fake.pushTicket(`${url}/open-platform/${component.appId}/events`, component.appId);
const ctx = { app, fake, url, component, tokens: app.get(TokenService) };

const rows = [];
for (const b of benchmarks) {
  await b.setup?.(ctx);
  const ours = await measure(() => b.ours(ctx), b.options);
  const base = await measure(() => b.baseline(ctx), b.options);
  rows.push({ name: b.name, baseline: b.baselineName, ours, base, target: b.target });
}
printTable(rows);
await app.close();
await fake.stop();
