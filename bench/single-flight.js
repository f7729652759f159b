// Single flight in one process: 10,000 concurrent callers of a cold authorizer token (the process
// restarted on the same durable store: records there, no token cached) → upstream calls.
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MemoryDurableStore, OpenPlatformModule, TokenService } from 'nest-open-platform';
import { FakeWeChatPlatform } from 'nest-open-platform/testing';

const component = {
  appId: 'wx_bench_flight',
  appSecret: 'bench-secret',
  token: 'bench-token',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};
const authorizer = 'wx_bench_flight_shop';

async function startApp(fake, durable) {
  class AppModule {}
  Module({
    imports: [
      OpenPlatformModule.forRoot({
        components: [{ platform: 'wechat', ...component, apiBaseUrl: fake.baseUrl }],
        storage: { durable },
        refresh: { enabled: false },
      }),
    ],
  })(AppModule);
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, eventsUrl: `${url}/open-platform/${component.appId}/events` };
}

export async function singleFlightBenchmarks({ callers = 10_000 } = {}) {
  const fake = new FakeWeChatPlatform({ components: [component] });
  await fake.start();
  const durable = new MemoryDurableStore();
  const first = await startApp(fake, durable);
  fake.setEventsUrl(component.appId, first.eventsUrl);
  await fake.pushTicket(first.eventsUrl, component.appId);
  await fake.authorize({ componentAppId: component.appId, authorizerAppId: authorizer });
  await fake.settle();
  await first.app.close();

  const second = await startApp(fake, durable);
  const before = fake.calls('api_authorizer_token') + fake.calls('api_component_token');
  const tokens = second.app.get(TokenService);
  const results = await Promise.all(Array.from({ length: callers }, () => tokens.getAuthorizerAccessToken(authorizer)));
  const upstream = fake.calls('api_authorizer_token') + fake.calls('api_component_token') - before;
  const distinct = new Set(results).size;
  await second.app.close();
  await fake.stop();
  return [
    {
      name: `single flight: ${callers.toLocaleString('en')} concurrent cold callers, one process`,
      reading: `${upstream} upstream call(s) (component token + authorizer token), ${distinct} distinct token`,
      target: '1 per token',
      // The component token was cold too: one call for it, one for the authorizer token.
      met: upstream === 2 && distinct === 1,
    },
  ];
}
