// One instance of the fleet benchmark, in its own process (forked by bench/fleet.js): a Nest app
// with the module in fleet mode on the shared Redis. On `go` it fires its share of the concurrent
// cold callers at once and reports how many got a token and how long the wave took.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { OpenPlatformModule, TokenService } from 'nest-open-platform';

const { component, baseUrl, redisUrl, keyPrefix } = JSON.parse(process.env.FLEET_BENCH_CONFIG);

class AppModule {}
Module({
  imports: [
    OpenPlatformModule.forRoot({
      components: [{ platform: 'wechat', ...component, apiBaseUrl: baseUrl }],
      redis: { url: redisUrl, keyPrefix },
      refresh: { enabled: false },
    }),
  ],
})(AppModule);
const app = await NestFactory.create(AppModule, { logger: false });
await app.init();
const tokens = app.get(TokenService);

process.on('message', async ({ op, callers, authorizer }) => {
  if (op === 'go') {
    const started = process.hrtime.bigint();
    const answers = await Promise.allSettled(
      Array.from({ length: callers }, () => tokens.getAuthorizerAccessToken(authorizer)),
    );
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const values = answers.filter((a) => a.status === 'fulfilled').map((a) => a.value);
    // Only counts leave the process, never a token.
    process.send({ ok: values.length, failed: callers - values.length, distinct: new Set(values).size, ms });
  } else if (op === 'stop') {
    await app.close();
    process.send({ stopped: true }, () => process.exit(0));
  }
});
process.send({ ready: true });
