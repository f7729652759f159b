import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { OnAuthorizerEvent, OnAuthorizerMessage, type AuthorizerInbound } from '../lib/index.js';
import { DOUYIN_COMPONENT, startDouyinHarness, type DouyinHarness } from './support/douyin-harness.js';
import { ADAPTERS } from './support/harness.js';

const TT = DOUYIN_COMPONENT.appId;
const MINI = 'tt_mini_messages_1';
const seen: Array<{ handler: string; message: AuthorizerInbound }> = [];

@Injectable()
class MiniProgramOps {
  @OnAuthorizerEvent({ platform: 'douyin', event: 'PUBLISH_APP_CATEGORY_AUDIT_RESULT' })
  categoryAudited(ev: AuthorizerInbound) {
    seen.push({ handler: 'categoryAudited', message: ev });
  }

  @OnAuthorizerEvent({ platform: 'douyin', event: /^(?!PUBLISH_APP_CATEGORY_AUDIT_RESULT$)/ })
  other(ev: AuthorizerInbound) {
    seen.push({ handler: 'other', message: ev });
  }

  @OnAuthorizerMessage()
  messages(msg: AuthorizerInbound) {
    seen.push({ handler: 'messages', message: msg });
  }
}

@Module({ providers: [MiniProgramOps] })
class OpsModule {}

describe.each(ADAPTERS)('Douyin notices on the message URL on %s', (adapter) => {
  let h: DouyinHarness;
  const url = (authorizer = MINI) => `${h.url}/open-platform/${TT}/authorizers/${authorizer}/messages`;

  beforeAll(async () => {
    h = await startDouyinHarness('v2', { adapter, imports: [OpsModule] });
    h.fake.setMessagesUrl(TT, `${h.url}/open-platform/${TT}/authorizers/$APPID$/messages`);
    await h.fake.pushTicket(h.eventsUrl, TT);
    const { authorizationCode } = await h.fake.authorize({ componentAppId: TT, authorizerAppId: MINI, push: false });
    await h.tokens.exchangeAuthorizationCode(authorizationCode, TT);
  });
  afterAll(() => h.close());
  beforeEach(() => {
    seen.length = 0;
  });

  it('a category audit result reaches its handler typed, answered success', async () => {
    const eventContent = {
      audit_categories: [{ category_id: '188,189,190', category_name: '工具-实用工具-记账' }],
      audit_reason: '{}',
      audit_state: 2,
    };
    const answer = await h.fake.sendMessage(MINI, { event: 'PUBLISH_APP_CATEGORY_AUDIT_RESULT', eventContent });
    expect(answer).toEqual({ status: 200, body: 'success' });
    expect(seen.map((s) => s.handler)).toEqual(['categoryAudited']);
    expect(seen[0].message).toMatchObject({
      platform: 'douyin',
      componentAppId: TT,
      authorizerAppId: MINI,
      msgType: 'event',
      event: 'PUBLISH_APP_CATEGORY_AUDIT_RESULT',
      content: eventContent,
      raw: { AppId: MINI, TpAppId: TT, EventContent: eventContent },
    });
  });

  it('an unknown notice is kept whole; retries of one notice run its handler once', async () => {
    const notice = { event: 'SOME_FUTURE_NOTICE', eventTime: '2026-12-03 20:00:00', extra: { Detail: { a: 1 } } };
    for (let i = 0; i < 4; i++)
      expect(await h.fake.sendMessage(MINI, notice)).toEqual({ status: 200, body: 'success' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      handler: 'other',
      message: { event: 'unknown', originalEvent: 'SOME_FUTURE_NOTICE', raw: { Detail: { a: 1 } } },
    });
  });

  it('a notice naming another authorizer than the URL, or signed falsely, is refused and runs nothing', async () => {
    const mismatch = await h.fake.pushMessage(url('tt_someone_else'), TT, {
      AppId: MINI,
      TpAppId: TT,
      EventTime: '2026-12-03 20:00:00',
      Event: 'PUBLISH_APP_CATEGORY_AUDIT_RESULT',
    });
    expect(mismatch.status).toBe(400);
    const push = h.fake.buildPush(TT, { AppId: MINI, TpAppId: TT, EventTime: '2026-12-03 20:00:01', Event: 'X' });
    const forged = await h.fake.sendPush(url(), { ...push, body: { ...push.body, MsgSignature: 'f'.repeat(40) } });
    expect(forged.status).toBe(401);
    const foreignComponent = await h.fake.pushMessage(url(), TT, {
      AppId: MINI,
      TpAppId: 'tt_other_component',
      EventTime: '2026-12-03 20:00:02',
      Event: 'X',
    });
    expect(foreignComponent.status).toBe(400);
    expect(seen).toEqual([]);
  });
});
