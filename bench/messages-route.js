// Message-URL throughput: a distinct genuine text message per request (verify + decrypt + parse +
// dedupe + dispatch to a handler + encrypted passive reply), keep-alive, 32 in flight, against a
// bare route of the same app that reads the same body and answers bytes of the same size. Messages
// are built beforehand, so only the app's work differs. Alternating batches, median ratio.
import { Controller, HttpCode, Injectable, Module, Post, Req } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Agent, request } from 'node:http';
import { MessageCrypto, OnAuthorizerMessage, OpenPlatformModule, Reply, TokenService } from 'nest-open-platform';
import { FakeWeChatPlatform } from 'nest-open-platform/testing';

const component = {
  appId: 'wx_bench_messages',
  appSecret: 'bench-secret',
  token: 'bench-token',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};
const shop = 'wx_bench_msg_shop';
const CONCURRENCY = 32;

// Plain JS: the decorators are applied by hand.
class Bot {
  greet(msg) {
    return Reply.text(`hi ${msg.fromUserName}`);
  }
}
Injectable()(Bot);
OnAuthorizerMessage({ msgType: 'text' })(
  Bot.prototype,
  'greet',
  Object.getOwnPropertyDescriptor(Bot.prototype, 'greet'),
);

let bareAnswer = 'success';
class BareController {
  async receive(req) {
    if (req.body === undefined) for await (const chunk of req) void chunk;
    return bareAnswer;
  }
}
const receive = Object.getOwnPropertyDescriptor(BareController.prototype, 'receive');
Req()(BareController.prototype, 'receive', 0);
HttpCode(200)(BareController.prototype, 'receive', receive);
Post(':id')(BareController.prototype, 'receive', receive);
Controller('bare')(BareController);

function post(agent, url, body) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'text/xml' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Requests per second for `count` requests, `CONCURRENCY` in flight over keep-alive sockets. */
async function rate(agent, next, count) {
  let sent = 0;
  const start = process.hrtime.bigint();
  const worker = async () => {
    while (sent < count) {
      sent++;
      const { url, body } = next();
      const res = await post(agent, url, body);
      if (res.status !== 200) throw new Error(`answered ${res.status} ${res.body}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return (count * 1e9) / Number(process.hrtime.bigint() - start);
}

export async function messagesRouteBenchmarks({ batch = 400, pairs = 11, warmup = 2 } = {}) {
  const fake = new FakeWeChatPlatform({ components: [component] });
  await fake.start();
  class AppModule {}
  Module({
    imports: [
      OpenPlatformModule.forRoot({
        components: [{ platform: 'wechat', ...component, apiBaseUrl: fake.baseUrl }],
        refresh: { enabled: false },
      }),
    ],
    controllers: [BareController],
    providers: [Bot],
  })(AppModule);
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  await fake.pushTicket(`${base}/open-platform/${component.appId}/events`, component.appId);
  const { authorizationCode } = await fake.authorize({
    componentAppId: component.appId,
    authorizerAppId: shop,
    push: false,
  });
  await app.get(TokenService).exchangeAuthorizationCode(authorizationCode, component.appId);

  const crypto = new MessageCrypto({ platform: 'wechat', ...component });
  const now = String(Math.floor(Date.now() / 1000));
  const total = (pairs + warmup) * batch;
  const messages = [];
  for (let i = 0; i < total; i++) {
    const xml =
      `<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[o_user_${i}]]></FromUserName>` +
      `<CreateTime>${now}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hello ${i}]]></Content>` +
      `<MsgId>${1e12 + i}</MsgId></xml>`;
    const encrypt = crypto.encrypt(xml);
    const query = new URLSearchParams({
      timestamp: now,
      nonce: String(i),
      encrypt_type: 'aes',
      msg_signature: crypto.signature(now, String(i), encrypt),
    });
    messages.push({
      query: query.toString(),
      body: `<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
    });
  }
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  // The bare route answers bytes of the size of a real encrypted reply.
  const sample = await post(
    agent,
    `${base}/open-platform/${component.appId}/authorizers/${shop}/messages?${messages[0].query}`,
    messages[0].body,
  );
  if (!sample.body.startsWith('<xml><Encrypt>'))
    throw new Error(`message route answered ${sample.status} ${sample.body}`);
  bareAnswer = 'x'.repeat(sample.body.length);
  let i = 1;
  let j = 1;
  const ours = () => {
    const m = messages[i++ % total];
    return { url: `${base}/open-platform/${component.appId}/authorizers/${shop}/messages?${m.query}`, body: m.body };
  };
  const bare = () => {
    const m = messages[j++ % total];
    return { url: `${base}/bare/${component.appId}?${m.query}`, body: m.body };
  };
  const ratios = [];
  const o = [];
  const b = [];
  for (let p = 0; p < warmup + pairs; p++) {
    const ro = await rate(agent, ours, batch);
    const rb = await rate(agent, bare, batch);
    if (p < warmup) continue;
    o.push(ro);
    b.push(rb);
    ratios.push(ro / rb);
  }
  const median = (v) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];
  agent.destroy();
  await app.close();
  await fake.stop();
  const ratio = median(ratios);
  return [
    {
      name: 'message URL, WeChat text → handler → encrypted passive reply (keep-alive, 32 in flight)',
      reading: `${median(o).toFixed(0)} messages/s; ${(ratio * 100).toFixed(0)}% of a bare route's rate answering the same bytes (${median(b).toFixed(0)}/s)`,
      target: '≥ 50%',
      met: ratio >= 0.5,
    },
  ];
}
