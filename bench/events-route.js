// Events-route throughput per platform: a distinct, genuine ticket push per request (verify +
// decrypt + parse + store, over loopback HTTP) against a bare route of the same app that reads the
// same body and answers `success`. Pushes are built beforehand, so only the app's work differs.
import { Controller, HttpCode, Module, Post, Req } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessageCrypto, OpenPlatformModule } from 'nest-open-platform';
// The emulators' push builders, reached by path (internals of the testing entry point).
import { buildDouyinPush, douyinDateTime, ticketMessage } from '../dist/testing/douyin/douyin-push.js';
import { buildWeChatPush, ticketMessageXml } from '../dist/testing/wechat/wechat-push.js';
import { compare } from './measure.js';

const wechat = {
  appId: 'wx_bench_events',
  appSecret: 'bench-secret',
  token: 'bench-token',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};
const douyin = {
  appId: 'tt_bench_events',
  appSecret: 'bench-secret',
  token: 'bench-token',
  encodingAesKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR',
};

// Reads the whole body like the events route must, then answers as it does. (Plain JS: the
// decorators are applied by hand.)
class BareController {
  async receive(req) {
    if (req.body === undefined) for await (const chunk of req) void chunk;
    return 'success';
  }
}
const receive = Object.getOwnPropertyDescriptor(BareController.prototype, 'receive');
Req()(BareController.prototype, 'receive', 0);
HttpCode(200)(BareController.prototype, 'receive', receive);
Post(':id')(BareController.prototype, 'receive', receive);
Controller('bare')(BareController);

/** `count` distinct genuine ticket pushes per platform, newest last (each one is stored). */
function pushes(count) {
  const wx = new MessageCrypto({ platform: 'wechat', ...wechat });
  const tt = new MessageCrypto({ platform: 'douyin', ...douyin });
  const now = Math.floor(Date.now() / 1000);
  const wxPushes = [];
  const ttPushes = [];
  for (let i = 0; i < count; i++) {
    const ticket = `ticket@@@bench-${i}-${'x'.repeat(64)}`;
    const wxPush = buildWeChatPush(wx, wechat.appId, ticketMessageXml(wechat.appId, ticket, now - count + i), now);
    wxPushes.push({ query: new URLSearchParams(wxPush.query).toString(), body: wxPush.body });
    const ttMessage = JSON.stringify(ticketMessage(ticket, douyinDateTime((now - count + i) * 1000)));
    ttPushes.push(JSON.stringify(buildDouyinPush(tt, ttMessage, now).body));
  }
  return { wxPushes, ttPushes };
}

export async function eventsRouteBenchmarks({ batch = 100, pairs = 31 } = {}) {
  class AppModule {}
  Module({
    imports: [
      OpenPlatformModule.forRoot({
        components: [
          { platform: 'wechat', ...wechat, apiBaseUrl: 'http://127.0.0.1:9' },
          { platform: 'douyin', ...douyin, apiBaseUrl: 'http://127.0.0.1:9' },
        ],
        refresh: { enabled: false },
      }),
    ],
    controllers: [BareController],
  })(AppModule);
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const { wxPushes, ttPushes } = pushes((pairs + 3) * batch);
  const rows = [];
  for (const [name, list, send] of [
    [
      'WeChat',
      wxPushes,
      (url, p) => fetch(`${url}?${p.query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: p.body }),
    ],
    [
      'Douyin',
      ttPushes,
      (url, p) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: p }),
    ],
  ]) {
    const appId = name === 'WeChat' ? wechat.appId : douyin.appId;
    let i = 0;
    let j = 0;
    const check = async (res) => {
      const text = await res.text();
      if (res.status !== 200 || text !== 'success') throw new Error(`${name} push answered ${res.status} ${text}`);
    };
    const r = await compare(
      () => send(`${base}/open-platform/${appId}/events`, list[i++]).then(check),
      () => send(`${base}/bare/${appId}`, list[j++]).then(check),
      { batch, pairs },
    );
    rows.push({
      name: `events route, ${name} ticket push (verify + decrypt + parse + store, loopback HTTP)`,
      reading: `${r.ours.toFixed(0)} pushes/s; ${(r.ratio * 100).toFixed(0)}% of a bare route's rate (${r.base.toFixed(0)}/s)`,
      target: 'measured',
      met: true,
    });
  }
  await app.close();
  return rows;
}
