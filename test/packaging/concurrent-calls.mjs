// Runs in its own Node process (jest hands tests a copy of `process`, so Node's own warnings never
// reach a listener there): 50 concurrent calls through OpenPlatformHttpService, then shutdown;
// prints what succeeded and every process warning Node emitted.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { OpenPlatformHttpService, OpenPlatformModule } from 'nest-open-platform';
import { FakeWeChatPlatform } from 'nest-open-platform/testing';

const warnings = [];
process.on('warning', (w) => warnings.push(`${w.name}: ${w.message}`));

const component = {
  appId: 'wx_concurrency',
  appSecret: 'concurrency-secret',
  token: 'concurrency-token',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};
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
const events = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/open-platform/${component.appId}/events`;
fake.setEventsUrl(component.appId, events);
await fake.pushTicket(events, component.appId);
await fake.authorize({ componentAppId: component.appId, authorizerAppId: 'wx_concurrent_shop' });
await fake.settle();

const http = app.get(OpenPlatformHttpService);
const url = `${fake.baseUrl}/cgi-bin/account/getaccountbasicinfo`;
const answers = await Promise.all(
  Array.from({ length: 50 }, () => http.axiosRef.get(url, { authorizerAppId: 'wx_concurrent_shop' })),
);
await app.close();
await fake.stop();
await new Promise((r) => setTimeout(r, 50)); // warnings are emitted on later ticks
process.stdout.write(JSON.stringify({ ok: answers.filter((a) => a.data.errcode === 0).length, warnings }));
