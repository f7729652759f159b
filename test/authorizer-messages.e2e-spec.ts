import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { firstValueFrom } from 'rxjs';
import {
  OnAuthorizerEvent,
  OnAuthorizerMessage,
  OpenPlatformEvents,
  OpenPlatformModule,
  Reply,
  type AuthorizerEvent,
  type AuthorizerInbound,
  type AuthorizerMessageContext,
  type OpenPlatformEvent,
  type TextMessage,
} from '../lib/index.js';
import type { FakeWeChatMessage } from '../lib/testing/index.js';
import { eventually } from './support/eventually.js';
import { COMPONENT_A, wechatComponent } from './support/fixtures.js';
import { ADAPTERS, startHarness, type Harness } from './support/harness.js';

const A = COMPONENT_A.appId;
const SHOP = 'wx_shop_messages_1';
const OTHER_SHOP = 'wx_shop_messages_2';

/** What the handlers saw, in order. */
const seen: Array<{ handler: string; message: AuthorizerInbound; authorizer?: string }> = [];
let gate: Promise<void> = Promise.resolve();
let openGate: () => void = () => undefined;
const lateFinished: string[] = [];

@Injectable()
class ShopBot {
  @OnAuthorizerMessage({ msgType: 'text', content: /^reply (\w+)/ })
  replies(msg: TextMessage) {
    seen.push({ handler: 'replies', message: msg });
    const kind = /^reply (\w+)/.exec(msg.content)![1];
    switch (kind) {
      case 'text':
        return Reply.text(`hi ${msg.fromUserName}`);
      case 'image':
        return Reply.image('media-image');
      case 'voice':
        return Reply.voice('media-voice');
      case 'video':
        return Reply.video('media-video', { title: 'T', description: 'D' });
      case 'music':
        return Reply.music({ thumbMediaId: 'thumb', title: 'M', musicUrl: 'http://m/1', hqMusicUrl: 'http://m/hq' });
      case 'news':
        return Reply.news([
          { title: 'one', description: 'first', picUrl: 'http://p/1', url: 'http://u/1' },
          { title: 'two ]]> tricky', url: 'http://u/2' },
        ]);
      case 'transfer':
        return Reply.transferCustomerService('kf2001@gh_test');
      default:
        return undefined;
    }
  }

  @OnAuthorizerMessage({ content: 'throw' })
  thrower(msg: TextMessage) {
    seen.push({ handler: 'thrower', message: msg });
    throw new Error('handler bug');
  }

  @OnAuthorizerMessage({ content: 'slow' })
  async slow(msg: TextMessage) {
    seen.push({ handler: 'slow', message: msg });
    await gate;
    lateFinished.push(msg.msgId);
    return Reply.text('too late');
  }

  @OnAuthorizerMessage({ content: 'call api' })
  async callsApi(msg: TextMessage, ctx: AuthorizerMessageContext) {
    seen.push({ handler: 'callsApi', message: msg, authorizer: ctx.authorizer.authorizerAppId });
    // No authorizerAppId given: the handler runs as the authorizer.
    const res = await firstValueFrom(
      ctx.http.get<{ appid: string }>(
        `${ctx.http.axiosRef.defaults.baseURL ?? apiBase}/cgi-bin/account/getaccountbasicinfo`,
      ),
    );
    return Reply.text(`basic info of ${res.data.appid}`);
  }

  @OnAuthorizerMessage({ msgType: /^(image|voice|video|shortvideo|location|link|miniprogrampage)$/ })
  media(msg: AuthorizerInbound) {
    seen.push({ handler: 'media', message: msg });
  }

  @OnAuthorizerMessage({ content: 'only for the other shop', authorizerAppId: OTHER_SHOP })
  otherShopOnly(msg: TextMessage) {
    seen.push({ handler: 'otherShopOnly', message: msg });
    return Reply.text('other');
  }

  @OnAuthorizerEvent({ event: /.*/ })
  anyEvent(ev: AuthorizerEvent) {
    seen.push({ handler: 'anyEvent', message: ev });
  }

  @OnAuthorizerEvent('subscribe')
  welcome() {
    seen.push({ handler: 'welcome', message: undefined as never });
    return Reply.text('welcome');
  }
}

@Module({ providers: [ShopBot] })
class BotModule {}

let apiBase = '';

const text = (content: string, extra: Partial<FakeWeChatMessage> = {}): FakeWeChatMessage => ({
  msgType: 'text',
  content,
  ...extra,
});

describe.each(ADAPTERS)('authorizer messages on %s', (adapter) => {
  let h: Harness;
  const events: OpenPlatformEvent[] = [];

  beforeAll(async () => {
    h = await startHarness({ adapter, imports: [BotModule], options: { messages: { replyBudgetMs: 400 } } });
    apiBase = h.fake.baseUrl;
    h.fake.setMessagesUrl(A, `${h.routesUrl}/${A}/authorizers/$APPID$/messages`);
    h.app.get(OpenPlatformEvents).events$.subscribe((e) => events.push(e));
    await h.fake.pushTicket(h.eventsUrl(), A);
    for (const shop of [SHOP, OTHER_SHOP]) {
      const { authorizationCode } = await h.fake.authorize({ componentAppId: A, authorizerAppId: shop, push: false });
      await h.tokens.exchangeAuthorizationCode(authorizationCode, A);
    }
  });
  afterAll(async () => {
    openGate();
    await h.close();
  });
  beforeEach(() => {
    seen.length = 0;
    events.length = 0;
  });

  it('every message type reaches its handler with its typed fields; unknown types are kept whole', async () => {
    const cases: Array<[FakeWeChatMessage, Record<string, unknown>]> = [
      [
        { msgType: 'image', fields: { PicUrl: 'http://pic', MediaId: 'm1' } },
        { msgType: 'image', picUrl: 'http://pic', mediaId: 'm1' },
      ],
      [
        { msgType: 'voice', fields: { MediaId: 'v1', Format: 'amr', Recognition: 'hello' } },
        { msgType: 'voice', mediaId: 'v1', format: 'amr', recognition: 'hello' },
      ],
      [
        { msgType: 'video', fields: { MediaId: 'v2', ThumbMediaId: 't2' } },
        { msgType: 'video', mediaId: 'v2', thumbMediaId: 't2' },
      ],
      [
        { msgType: 'shortvideo', fields: { MediaId: 'v3', ThumbMediaId: 't3' } },
        { msgType: 'shortvideo', mediaId: 'v3' },
      ],
      [
        { msgType: 'location', fields: { Location_X: '23.13', Location_Y: '113.26', Scale: '20', Label: 'Canton' } },
        { msgType: 'location', latitude: 23.13, longitude: 113.26, scale: 20, label: 'Canton' },
      ],
      [
        { msgType: 'link', fields: { Title: 'a', Description: 'b', Url: 'http://c' } },
        { msgType: 'link', title: 'a', description: 'b', url: 'http://c' },
      ],
      [
        {
          msgType: 'miniprogrampage',
          fields: { Title: 'card', AppId: 'wx_mini' },
          xml: '<Extra><Deep>1</Deep></Extra>',
        },
        { msgType: 'unknown', originalMsgType: 'miniprogrampage' },
      ],
    ];
    for (const [msg, expected] of cases) {
      seen.length = 0;
      const result = await h.fake.sendMessage(SHOP, msg);
      expect({ status: result.status, body: result.body }).toEqual({ status: 200, body: 'success' });
      expect(seen.map((s) => s.handler)).toEqual(['media']);
      expect(seen[0].message).toMatchObject({
        ...expected,
        platform: 'wechat',
        componentAppId: A,
        authorizerAppId: SHOP,
        fromUserName: 'o_fake_user',
      });
    }
    // Unknown ones keep every element, nested ones included.
    expect(seen[0].message.raw).toMatchObject({ Title: 'card', AppId: 'wx_mini', Extra: { Deep: '1' } });
  });

  it('events reach event handlers only, typed; unknown events are kept whole', async () => {
    const cases: Array<[FakeWeChatMessage, Record<string, unknown>]> = [
      [{ msgType: 'event', event: 'unsubscribe' }, { event: 'unsubscribe' }],
      [
        { msgType: 'event', event: 'SCAN', eventKey: '42', fields: { Ticket: 'tk' } },
        { event: 'SCAN', eventKey: '42', ticket: 'tk' },
      ],
      [
        { msgType: 'event', event: 'LOCATION', fields: { Latitude: '1.5', Longitude: '2.5', Precision: '3' } },
        { event: 'LOCATION', latitude: 1.5, longitude: 2.5, precision: 3 },
      ],
      [
        { msgType: 'event', event: 'CLICK', eventKey: 'MENU_1' },
        { event: 'CLICK', eventKey: 'MENU_1' },
      ],
      [
        { msgType: 'event', event: 'VIEW', eventKey: 'http://x' },
        { event: 'VIEW', eventKey: 'http://x' },
      ],
      [
        { msgType: 'event', event: 'weapp_audit_success', fields: { SuccTime: 1488856741 } },
        { event: 'weapp_audit_success', succTime: 1488856741 },
      ],
      [
        {
          msgType: 'event',
          event: 'weapp_audit_fail',
          fields: { Reason: 'bad', FailTime: 1488856591, ScreenShot: 'a|b' },
        },
        { event: 'weapp_audit_fail', reason: 'bad', failTime: 1488856591, screenShot: ['a', 'b'] },
      ],
      [
        { msgType: 'event', event: 'weapp_audit_delay', fields: { Reason: 'busy', DelayTime: 1488856000 } },
        { event: 'weapp_audit_delay', reason: 'busy', delayTime: 1488856000 },
      ],
      [
        { msgType: 'event', event: 'wxa_nickname_audit', fields: { ret: 3, nickname: 'n' } },
        { event: 'unknown', originalEvent: 'wxa_nickname_audit' },
      ],
    ];
    for (const [msg, expected] of cases) {
      seen.length = 0;
      const result = await h.fake.sendMessage(SHOP, msg);
      expect(result).toMatchObject({ status: 200, body: 'success' });
      expect(seen.map((s) => s.handler)).toEqual(['anyEvent']);
      expect(seen[0].message).toMatchObject({ ...expected, msgType: 'event' });
    }
    expect(seen[0].message.raw).toMatchObject({ ret: '3', nickname: 'n' });
    // A named handler and a pattern one both run; the one that replies answers.
    seen.length = 0;
    const sub = await h.fake.sendMessage(SHOP, { msgType: 'event', event: 'subscribe', eventKey: 'qrscene_7' });
    expect(seen.map((s) => s.handler).sort()).toEqual(['anyEvent', 'welcome']);
    expect(sub.reply).toMatchObject({ msgType: 'text', content: 'welcome' });
  });

  it('every reply kind is encrypted, signed, and decrypts at the platform to what the handler said', async () => {
    const expectations: Array<[string, Record<string, unknown>]> = [
      ['text', { MsgType: 'text', Content: 'hi o_fake_user' }],
      ['image', { MsgType: 'image', Image: { MediaId: 'media-image' } }],
      ['voice', { MsgType: 'voice', Voice: { MediaId: 'media-voice' } }],
      ['video', { MsgType: 'video', Video: { MediaId: 'media-video', Title: 'T', Description: 'D' } }],
      [
        'music',
        {
          MsgType: 'music',
          Music: { ThumbMediaId: 'thumb', Title: 'M', MusicUrl: 'http://m/1', HQMusicUrl: 'http://m/hq' },
        },
      ],
      [
        'news',
        {
          MsgType: 'news',
          ArticleCount: '2',
          Articles: {
            item: [
              { Title: 'one', Description: 'first', PicUrl: 'http://p/1', Url: 'http://u/1' },
              { Title: 'two ]]> tricky', Url: 'http://u/2' },
            ],
          },
        },
      ],
      ['transfer', { MsgType: 'transfer_customer_service', TransInfo: { KfAccount: 'kf2001@gh_test' } }],
    ];
    for (const [kind, raw] of expectations) {
      const result = await h.fake.sendMessage(SHOP, text(`reply ${kind}`));
      expect(result.status).toBe(200);
      expect(result.body).toMatch(/^<xml><Encrypt><!\[CDATA\[/);
      expect(result.reply).toMatchObject({ toUserName: 'o_fake_user', fromUserName: `gh_${SHOP}`, raw });
    }
    // No reply: success.
    expect(await h.fake.sendMessage(SHOP, text('reply nothing'))).toMatchObject({ status: 200, body: 'success' });
  });

  it('filters: content, msgType and authorizerAppId decide which handlers run', async () => {
    const mine = await h.fake.sendMessage(SHOP, text('only for the other shop'));
    expect(mine).toMatchObject({ status: 200, body: 'success' });
    expect(seen).toEqual([]);
    const theirs = await h.fake.sendMessage(OTHER_SHOP, text('only for the other shop'));
    expect(theirs.reply).toMatchObject({ content: 'other' });
    expect(seen.map((s) => s.handler)).toEqual(['otherShopOnly']);
  });

  it('a handler runs as the authorizer: ctx.http calls carry its token', async () => {
    h.fake.resetCalls();
    const result = await h.fake.sendMessage(SHOP, text('call api'));
    expect(result.reply).toMatchObject({ content: `basic info of ${SHOP}` });
    expect(seen[0].authorizer).toBe(SHOP);
    expect(h.fake.businessCalls().map((c) => c.authorizerAppId)).toEqual([SHOP]);
  });

  it('every message also goes to OpenPlatformEvents as authorizer.message', async () => {
    await h.fake.sendMessage(SHOP, text('reply nothing', { fromUserName: 'o_evented' }));
    const received = events.filter((e) => e.type === 'authorizer.message');
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      componentAppId: A,
      authorizerAppId: SHOP,
      message: { msgType: 'text', content: 'reply nothing', fromUserName: 'o_evented' },
    });
  });

  it('4 deliveries of one message (lost answers, signed anew) run its handler once, and each gets the same reply', async () => {
    const result = await h.fake.sendMessage(SHOP, text('reply text', { msgId: '900001' }), { deliveries: 4 });
    expect(result.deliveries).toBe(4);
    expect(result.reply).toMatchObject({ content: 'hi o_fake_user' });
    expect(seen.filter((s) => s.handler === 'replies')).toHaveLength(1);
  });

  it('4 concurrent deliveries of one message, and of one event, run their handler once', async () => {
    const createTime = Math.floor(h.clock.now() / 1000);
    const msgs = await Promise.all(
      Array.from({ length: 4 }, () => h.fake.sendMessage(SHOP, text('reply text', { msgId: '900002', createTime }))),
    );
    expect(msgs.map((r) => r.reply?.content)).toEqual(Array(4).fill('hi o_fake_user'));
    const evs = await Promise.all(
      Array.from({ length: 4 }, () =>
        h.fake.sendMessage(SHOP, {
          msgType: 'event',
          event: 'CLICK',
          eventKey: 'K',
          createTime,
          fromUserName: 'o_clicker',
        }),
      ),
    );
    expect(evs.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(seen.map((s) => s.handler).sort()).toEqual(['anyEvent', 'replies']);
    // Another event of the same user in the same second is another event.
    await h.fake.sendMessage(SHOP, {
      msgType: 'event',
      event: 'VIEW',
      eventKey: 'K',
      createTime,
      fromUserName: 'o_clicker',
    });
    expect(seen.filter((s) => s.handler === 'anyEvent')).toHaveLength(2);
  });

  it('a throwing handler gets the platform success, is logged and emitted as authorizer.message_failed', async () => {
    const result = await h.fake.sendMessage(SHOP, text('throw'));
    expect(result).toMatchObject({ status: 200, body: 'success' });
    expect(events.filter((e) => e.type === 'authorizer.message_failed')).toEqual([
      expect.objectContaining({
        reason: 'handler_error',
        handler: 'ShopBot.thrower',
        error: { code: 'HANDLER_ERROR', message: 'handler bug' },
      }),
    ]);
  });

  it('a handler past the budget gets success in time; it still finishes and its reply is dropped', async () => {
    gate = new Promise((resolve) => (openGate = resolve));
    const result = await h.fake.sendMessage(SHOP, text('slow', { msgId: '900003' }));
    expect(result).toMatchObject({ status: 200, body: 'success' });
    expect(result.reply).toBeUndefined();
    expect(events.filter((e) => e.type === 'authorizer.message_failed')).toEqual([
      expect.objectContaining({ reason: 'budget_exceeded', authorizerAppId: SHOP }),
    ]);
    openGate();
    await eventually(() => lateFinished.includes('900003'), 'the late handler finishes');
    // A retry after the budget is answered from what was answered: no second run.
    const again = await h.fake.sendMessage(SHOP, text('slow', { msgId: '900003' }));
    expect(again).toMatchObject({ status: 200, body: 'success' });
    expect(seen.filter((s) => s.handler === 'slow')).toHaveLength(1);
  });

  it('retries like the platform when the answer is late, and the handler still runs once', async () => {
    gate = new Promise((resolve) => (openGate = resolve));
    const sending = h.fake.sendMessage(SHOP, text('slow', { msgId: '900004' }), { replyTimeoutMs: 100, retries: 3 });
    const result = await sending;
    openGate();
    expect(result.timeouts).toBeGreaterThanOrEqual(1);
    expect(result.deliveries).toBeGreaterThan(1);
    expect(seen.filter((s) => s.handler === 'slow')).toHaveLength(1);
  });

  it('an authorizer without an active record is acknowledged and surfaced, never dispatched', async () => {
    const stranger = await h.fake.sendMessage('wx_stranger_shop', text('reply text'));
    expect(stranger).toMatchObject({ status: 200, body: 'success' });
    await h.fake.revoke(A, OTHER_SHOP);
    await eventually(async () => (await h.tokens.getAuthorizer(OTHER_SHOP, A))?.status === 'revoked', 'revoked');
    const revoked = await h.fake.sendMessage(OTHER_SHOP, text('only for the other shop'));
    expect(revoked).toMatchObject({ status: 200, body: 'success' });
    expect(seen).toEqual([]);
    expect(events.filter((e) => e.type === 'authorizer.message')).toEqual([]);
    expect(
      events
        .filter((e) => e.type === 'authorizer.message_failed')
        .map((e) => [e.authorizerAppId, 'reason' in e && e.reason]),
    ).toEqual([
      ['wx_stranger_shop', 'authorizer_not_active'],
      [OTHER_SHOP, 'authorizer_not_active'],
    ]);
  });

  it('the release check passes at the emulator, for an Official Account and a Mini Program test account', async () => {
    for (const account of ['wx570bc396a51b8ff8', 'wxd101a85aa106f53e']) {
      const result = await h.fake.runReleaseCheck(account);
      expect(result).toEqual({
        passed: true,
        cases: [
          { name: 'event', passed: true },
          { name: 'text', passed: true },
          { name: 'api', passed: true },
        ],
      });
    }
    // Built in: the app's handlers never saw the test cases.
    expect(seen).toEqual([]);
    // Only the test accounts get it: the same texts to a merchant go to the handlers.
    const merchant = await h.fake.sendMessage(SHOP, {
      msgType: 'event',
      event: 'LOCATION',
      fields: { Latitude: '1', Longitude: '2', Precision: '3' },
    });
    expect(merchant).toMatchObject({ body: 'success' });
  });
});

describe('authorizer messages: options and routes', () => {
  it('with messages.releaseCheck false the release check is not answered', async () => {
    const h = await startHarness({ imports: [BotModule], options: { messages: { releaseCheck: false } } });
    try {
      h.fake.setMessagesUrl(A, `${h.routesUrl}/${A}/authorizers/$APPID$/messages`);
      await h.fake.pushTicket(h.eventsUrl(), A);
      const result = await h.fake.runReleaseCheck('wx570bc396a51b8ff8', { timeoutMs: 200 });
      expect(result.passed).toBe(false);
      expect(result.cases.map((c) => c.passed)).toEqual([false, false, false]);
    } finally {
      await h.close();
    }
  });

  it('serves under a global prefix and a custom route prefix', async () => {
    const h = await startHarness({
      imports: [BotModule],
      globalPrefix: 'api/v1',
      options: { routePrefix: 'wx-hooks' },
    });
    try {
      expect(h.routesUrl).toMatch(/\/api\/v1\/wx-hooks$/);
      h.fake.setMessagesUrl(A, `${h.routesUrl}/${A}/authorizers/$APPID$/messages`);
      await h.fake.pushTicket(h.eventsUrl(), A);
      expect((await h.fake.runReleaseCheck()).passed).toBe(true);
    } finally {
      await h.close();
    }
  });

  it('refuses invalid options naming the field', async () => {
    const compile = Test.createTestingModule({
      imports: [
        OpenPlatformModule.forRoot({
          components: [wechatComponent(COMPONENT_A, 'http://127.0.0.1:9')],
          messages: { replyBudgetMs: 10 },
        }),
      ],
    }).compile();
    await expect(compile).rejects.toThrow(/messages\.replyBudgetMs/);
  });
});
