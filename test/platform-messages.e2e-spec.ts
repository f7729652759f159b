import { afterEach, describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { Logger } from '@nestjs/common';
import { DurableStore, OpenPlatformEvents, type OpenPlatformEvent } from '../lib/index.js';
import { CapturingLogger } from './support/capturing-logger.js';
import { DOUYIN_COMPONENT, startDouyinHarness } from './support/douyin-harness.js';
import { ATTEMPTS, COMPONENT_A } from './support/fixtures.js';
import { startHarness } from './support/harness.js';
import { rejection } from './support/rejection.js';

/** Everything a user could see of a failure: the error however printed, the events, the logs. */
function everything(err: unknown, events: OpenPlatformEvent[], logger: CapturingLogger): string {
  return [inspect(err, { depth: 10, showHidden: true }), JSON.stringify(err), String(err), JSON.stringify(events)]
    .concat(logger.lines.map((l) => l.message))
    .join('\n');
}

// A platform's error message may quote what it was sent; the credentials a call carried must not
// travel on from there into an error, an event or a log line.
describe('platform error messages that quote the credentials they were sent (e2e)', () => {
  afterEach(() => Logger.overrideLogger(false));

  it('WeChat: an errmsg echoing the refresh token and the component token', async () => {
    const h = await startHarness({ singleComponent: true });
    try {
      await h.fake.pushTicket(h.eventsUrl(), COMPONENT_A.appId);
      await h.fake.authorize({ componentAppId: COMPONENT_A.appId, authorizerAppId: 'wx_echo' });
      await h.fake.settle();
      const refreshToken = h.fake.authorizerState(COMPONENT_A.appId, 'wx_echo')!.refreshToken!;
      const componentToken = await h.tokens.getComponentAccessToken();
      h.fake.failNext('api_authorizer_token', {
        errcode: -1,
        times: ATTEMPTS,
        errmsg: `system error for authorizer_refresh_token=${refreshToken} component_access_token=${componentToken}`,
      });
      const events: OpenPlatformEvent[] = [];
      h.app.get(OpenPlatformEvents).events$.subscribe((e) => events.push(e));
      const logger = new CapturingLogger();
      Logger.overrideLogger(logger);

      const err = await rejection(h.tokens.getAuthorizerAccessToken('wx_echo', { forceRefresh: true }));
      expect(err).toMatchObject({ code: -1, retryable: true });
      expect(err.message).toContain('[REDACTED]');
      const seen = everything(err, events, logger);
      expect(seen).not.toContain(refreshToken);
      expect(seen).not.toContain(componentToken);
      expect(events.some((e) => e.type === 'token.refresh_failed')).toBe(true);
    } finally {
      await h.close();
    }
  });

  it('Douyin: an err_msg echoing the refresh token', async () => {
    const h = await startDouyinHarness('v2');
    try {
      await h.fake.pushTicket(h.eventsUrl, DOUYIN_COMPONENT.appId);
      await h.fake.authorize({ componentAppId: DOUYIN_COMPONENT.appId, authorizerAppId: 'tt_echo' });
      await h.fake.settle();
      const store = h.app.get(DurableStore);
      const key = (await store.keys(`douyin:${DOUYIN_COMPONENT.appId}:authorizer:`)).find((k) =>
        k.endsWith('tt_echo'),
      )!;
      const refreshToken = (await store.get<{ refreshToken: string }>(key))!.refreshToken;
      h.fake.failNext('auth_token', {
        code: 40045,
        message: `token generation failed for ${refreshToken}`,
        times: ATTEMPTS,
      });
      const events: OpenPlatformEvent[] = [];
      h.app.get(OpenPlatformEvents).events$.subscribe((e) => events.push(e));
      const logger = new CapturingLogger();
      Logger.overrideLogger(logger);

      const err = await rejection(h.tokens.getAuthorizerAccessToken('tt_echo', { forceRefresh: true }));
      expect(err).toMatchObject({ code: 40045, retryable: true });
      expect(err.message).toContain('[REDACTED]');
      expect(everything(err, events, logger)).not.toContain(refreshToken);
    } finally {
      await h.close();
    }
  });
});
