// Runs in its own Node process: `@opentelemetry/api` is made unresolvable (a resolve hook answers
// ERR_MODULE_NOT_FOUND, as for an app that never installed it). The module boots, onboards a
// merchant against the emulator and serves tokens; prints what it saw.
import 'reflect-metadata';
import { MessageChannel } from 'node:worker_threads';
import { register } from 'node:module';

const hook = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  if (specifier === '@opentelemetry/api' || specifier.startsWith('@opentelemetry/')) {
    port.postMessage(specifier);
    const err = new Error('Cannot find package ' + specifier);
    err.code = 'ERR_MODULE_NOT_FOUND';
    throw err;
  }
  return next(specifier, context);
}`;
const { port1, port2 } = new MessageChannel();
const refused = [];
port1.on('message', (m) => refused.push(m));
port1.unref();
register(`data:text/javascript,${encodeURIComponent(hook)}`, { data: { port: port2 }, transferList: [port2] });

const { Module } = await import('@nestjs/common');
const { NestFactory } = await import('@nestjs/core');
const { OpenPlatformModule, TokenService } = await import('nest-open-platform');
const { FakeWeChatPlatform } = await import('nest-open-platform/testing');

let otel = 'importable';
try {
  await import('@opentelemetry/api');
} catch (err) {
  otel = err.code;
}

const component = {
  appId: 'wx_no_otel',
  appSecret: 'no-otel-secret',
  token: 'no-otel-token',
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
await fake.authorize({ componentAppId: component.appId, authorizerAppId: 'wx_no_otel_shop' });
await fake.settle();
const tokens = app.get(TokenService);
const first = await tokens.getAuthorizerAccessToken('wx_no_otel_shop');
const warm = await tokens.getAuthorizerAccessToken('wx_no_otel_shop');
const forced = await tokens.getAuthorizerAccessToken('wx_no_otel_shop', { forceRefresh: true });
await app.close();
await fake.stop();
await new Promise((r) => setTimeout(r, 20)); // the hook's messages arrive on later ticks
process.stdout.write(
  JSON.stringify({
    otel,
    // The module asked for the package (and was refused): it looked, found nothing, went on.
    moduleAskedForOtel: refused.includes('@opentelemetry/api'),
    tokenServed: first.length > 0 && warm === first,
    renewed: forced !== first && fake.isAuthorizerTokenValid(forced),
    // Nothing registered an OpenTelemetry global: nothing could be emitted anywhere.
    otelGlobal: Object.getOwnPropertySymbols(globalThis)
      .map(String)
      .filter((s) => s.includes('opentelemetry')),
  }),
);
