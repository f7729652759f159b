// One instance of a fleet, in its own plain Node process (forked by test/fleet.e2e-spec.ts): a Nest
// app importing the BUILT package (`nest-open-platform`, i.e. dist/) with both platforms, fleet mode
// on one Redis and the scheduler on. Driven over IPC; every log line and every event goes to
// stdout, which the suite reads back to check that no token or secret was ever printed.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { firstValueFrom } from 'rxjs';
import { Injectable } from '@nestjs/common';
import {
  OnAuthorizerMessage,
  OpenPlatformEvents,
  OpenPlatformHttpService,
  OpenPlatformModule,
  Reply,
  TokenService,
} from 'nest-open-platform';

const config = JSON.parse(process.env.FLEET_APP_CONFIG);
const { wechat, douyin } = config;

/** Runs of the message handler in this process, by MsgId (plain JS: decorators applied by hand). */
const messageRuns = {};
class MessageBot {
  answer(msg) {
    messageRuns[msg.msgId] = (messageRuns[msg.msgId] ?? 0) + 1;
    return Reply.text(`answered by process ${process.pid}`);
  }
}
Injectable()(MessageBot);
OnAuthorizerMessage({ msgType: 'text' })(
  MessageBot.prototype,
  'answer',
  Object.getOwnPropertyDescriptor(MessageBot.prototype, 'answer'),
);

class AppModule {}
Module({
  providers: [MessageBot],
  imports: [
    ScheduleModule.forRoot(),
    OpenPlatformModule.forRoot({
      components: [
        {
          platform: 'wechat',
          ...wechat.component,
          apiBaseUrl: wechat.baseUrl,
          authorizePageUrl: `${wechat.baseUrl}/cgi-bin/componentloginpage`,
        },
        {
          platform: 'douyin',
          apiVersion: 'v2',
          ...douyin.component,
          apiBaseUrl: douyin.baseUrl,
          authorizePageUrl: douyin.authorizePageUrl,
        },
      ],
      redis: { url: config.redisUrl, keyPrefix: config.keyPrefix, lockLeaseMs: config.lockLeaseMs },
      // Bounds how long a survivor waits for a dead holder's Douyin refresh (lease + the longest call).
      httpTimeoutMs: 5000,
      refresh: { enabled: true, intervalMs: 1000 },
    }),
  ],
})(AppModule);

const app = await NestFactory.create(AppModule, {
  logger: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
});
app.enableShutdownHooks();
app.get(OpenPlatformEvents).events$.subscribe((e) => console.log(`event ${JSON.stringify(e)}`));
await app.listen(0, '127.0.0.1');
const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
const tokens = app.get(TokenService);
const http = app.get(OpenPlatformHttpService);

const componentOf = (authorizerAppId) =>
  authorizerAppId.startsWith('tt_') ? douyin.component.appId : wechat.component.appId;

/** One business call as the authorizer, through the module's HTTP service (token injected). */
async function businessCall(authorizerAppId) {
  if (authorizerAppId.startsWith('tt_')) {
    const answer = await firstValueFrom(
      http.get(`${douyin.baseUrl}/api/apps/v2/basic_info/get_info`, { authorizerAppId }),
    );
    const code = answer.data?.err_no ?? 0;
    if (code !== 0) throw Object.assign(new Error('business call refused'), { code });
  } else {
    const answer = await firstValueFrom(
      http.get(`${wechat.baseUrl}/cgi-bin/account/getaccountbasicinfo`, { authorizerAppId }),
    );
    if (answer.data?.errcode !== 0)
      throw Object.assign(new Error('business call refused'), { code: answer.data?.errcode });
  }
}

/** What a failure is, without anything it may carry (never the error's message or value). */
function describe(err) {
  return String(err?.code ?? err?.name ?? 'unknown');
}

/** Concurrent callers for `durationMs`: business calls and token lookups, spread over the authorizers. */
async function load({ authorizers, concurrency, durationMs }) {
  const until = Date.now() + durationMs;
  const result = { business: 0, lookups: 0, failed: 0, failures: {} };
  const worker = async (w) => {
    for (let i = w; Date.now() < until; i += concurrency) {
      const authorizerAppId = authorizers[i % authorizers.length];
      try {
        if (i % 3 === 2) {
          await tokens.getAuthorizerAccessToken(authorizerAppId, { componentAppId: componentOf(authorizerAppId) });
          result.lookups++;
        } else {
          await businessCall(authorizerAppId);
          result.business++;
        }
      } catch (err) {
        result.failed++;
        const why = describe(err);
        result.failures[why] = (result.failures[why] ?? 0) + 1;
      }
      // Callers of a busy app: a short pause between calls, so the loop is not a tight spin.
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  return result;
}

const ops = {
  load,
  /** One business call per authorizer; the failures, described. */
  async calls({ authorizers }) {
    const failures = [];
    for (const a of authorizers) {
      try {
        await businessCall(a);
      } catch (err) {
        failures.push(`${a}: ${describe(err)}`);
      }
    }
    return { ok: authorizers.length - failures.length, failures };
  },
  /** A forced renewal (the suite makes the platform slow for it); resolves once it is done. */
  async forceRefresh({ authorizerAppId }) {
    try {
      await tokens.getAuthorizerAccessToken(authorizerAppId, {
        componentAppId: componentOf(authorizerAppId),
        forceRefresh: true,
      });
      return { ok: true };
    } catch (err) {
      return { ok: false, error: describe(err) };
    }
  },
  async forceComponent({ componentAppId }) {
    try {
      await tokens.getComponentAccessToken(componentAppId, { forceRefresh: true });
      return { ok: true };
    } catch (err) {
      return { ok: false, error: describe(err) };
    }
  },
  async authorizer({ authorizerAppId }) {
    return (await tokens.getAuthorizer(authorizerAppId, componentOf(authorizerAppId))) ?? null;
  },
  /** How often the message handler ran here for `msgId`. */
  async messageRuns({ msgId }) {
    return messageRuns[msgId] ?? 0;
  },
  async close() {
    await app.close();
    return true;
  },
};

process.on('message', async ({ id, op, args }) => {
  let reply;
  try {
    reply = { id, result: await ops[op](args ?? {}) };
  } catch (err) {
    reply = { id, error: describe(err) };
  }
  process.send(reply);
  if (op === 'close') process.disconnect();
});
// The suite ends this process (SIGKILL) if anything goes wrong; never outlive the parent.
process.on('disconnect', () => process.exit(0));
process.send({ ready: url });
