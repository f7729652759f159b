import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FakeWeChatPlatform } from './fake-wechat-platform.js';
import { component, errcodeOf, other, startPushPath, tokenPath } from './spec-helpers.js';

const HOUR = 3600_000;

describe('FakeWeChatPlatform endpoints', () => {
  let clock: number;
  let wechat: FakeWeChatPlatform;

  beforeEach(async () => {
    clock = Date.UTC(2025, 0, 1);
    wechat = new FakeWeChatPlatform({ components: [component, other], now: () => clock });
    await wechat.start();
  });

  afterEach(() => wechat.stop());

  const post = async (path: string, body: unknown, raw = false) => {
    const response = await fetch(`${wechat.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: raw ? (body as string) : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const requestToken = (ticket: string | undefined, overrides: Record<string, unknown> = {}) =>
    post(tokenPath, {
      component_appid: component.appId,
      component_appsecret: component.appSecret,
      component_verify_ticket: ticket,
      ...overrides,
    });

  describe('api_component_token', () => {
    it('issues a fresh unique token with expires_in 7200 for a known ticket', async () => {
      const ticket = wechat.issueTicket(component.appId);
      const first = await requestToken(ticket);
      const second = await requestToken(ticket);

      expect(first.status).toBe(200);
      expect(first.body).toEqual({ component_access_token: expect.stringMatching(/^cat_/), expires_in: 7200 });
      expect(second.body.component_access_token).not.toBe(first.body.component_access_token);
      expect(wechat.isComponentTokenValid(first.body.component_access_token as string)).toBe(true);
      expect(wechat.isComponentTokenValid('cat_forged')).toBe(false);
    });

    it.each([
      ['unknown appid', 40013, 'invalid appid', { component_appid: 'wx_nobody' }],
      ['missing appid', 40013, 'invalid appid', { component_appid: undefined }],
      ['missing secret', 41004, 'appsecret missing', { component_appsecret: undefined }],
      ['wrong secret', 40125, 'invalid appsecret', { component_appsecret: 'nope' }],
    ])('answers %s with %i %s', async (_case, errcode, errmsg, overrides) => {
      const ticket = wechat.issueTicket(component.appId);
      expect(await errcodeOf(requestToken(ticket, overrides))).toEqual([errcode, errmsg]);
    });

    it('answers 61006 for a ticket never issued, missing, or issued to another component', async () => {
      const othersTicket = wechat.issueTicket(other.appId);
      for (const ticket of ['ticket@@@made-up', undefined, othersTicket]) {
        expect(await errcodeOf(requestToken(ticket))).toEqual([61006, 'component_verify_ticket is invalid']);
      }
    });

    it('accepts any ticket within its 12 h lifetime, not only the latest, and 61005 after it', async () => {
      const older = wechat.issueTicket(component.appId);
      clock += HOUR;
      const latest = wechat.issueTicket(component.appId);
      expect(wechat.latestTicket(component.appId)).toBe(latest);
      expect((await requestToken(older)).body.component_access_token).toBeDefined();

      clock += 11 * HOUR - 1; // older: 1 ms before its 12 h are up
      expect((await requestToken(older)).body.component_access_token).toBeDefined();
      clock += 1;
      expect(await errcodeOf(requestToken(older))).toEqual([61005, 'component_verify_ticket is expired']);
      expect((await requestToken(latest)).body.component_access_token).toBeDefined();
    });

    it('honours a custom ticket lifetime', async () => {
      await wechat.stop();
      wechat = new FakeWeChatPlatform({ components: [component], ticketLifetimeSeconds: 60, now: () => clock });
      await wechat.start();
      const ticket = wechat.issueTicket(component.appId);
      clock += 60_000;
      expect(await errcodeOf(requestToken(ticket))).toEqual([61005, 'component_verify_ticket is expired']);
    });

    it('answers 47001 to an empty or non-JSON body', async () => {
      for (const body of ['', 'component_appid=x', '[1]', 'null']) {
        expect(await errcodeOf(post(tokenPath, body, true))).toEqual([47001, 'data format error']);
      }
    });

    it('uses the configured expires_in, changeable at runtime, and tokens expire on the clock', async () => {
      const ticket = wechat.issueTicket(component.appId);
      wechat.componentTokenExpiresIn = 60;
      expect(wechat.componentTokenExpiresIn).toBe(60);
      const { body } = await requestToken(ticket);
      expect(body.expires_in).toBe(60);

      const token = body.component_access_token as string;
      clock += 59_999;
      expect(wechat.isComponentTokenValid(token)).toBe(true);
      clock += 1;
      expect(wechat.isComponentTokenValid(token)).toBe(false);
      expect(() => (wechat.componentTokenExpiresIn = 0)).toThrow(RangeError);
    });

    it('takes componentTokenExpiresIn from the constructor', async () => {
      const custom = new FakeWeChatPlatform({ components: [component], componentTokenExpiresIn: 5 });
      await custom.start();
      try {
        const ticket = custom.issueTicket(component.appId);
        const response = await fetch(`${custom.baseUrl}${tokenPath}`, {
          method: 'POST',
          body: JSON.stringify({
            component_appid: component.appId,
            component_appsecret: component.appSecret,
            component_verify_ticket: ticket,
          }),
        });
        expect(((await response.json()) as { expires_in: number }).expires_in).toBe(5);
      } finally {
        await custom.stop();
      }
    });

    it('keeps a superseded token valid only for the 5 minute grace, per component', async () => {
      const ticket = wechat.issueTicket(component.appId);
      const oldToken = (await requestToken(ticket)).body.component_access_token as string;
      const othersToken = (
        await post(tokenPath, {
          component_appid: other.appId,
          component_appsecret: other.appSecret,
          component_verify_ticket: wechat.issueTicket(other.appId),
        })
      ).body.component_access_token as string;
      clock += HOUR;
      const newToken = (await requestToken(ticket)).body.component_access_token as string;

      clock += 300_000 - 1;
      expect(wechat.isComponentTokenValid(oldToken)).toBe(true);
      clock += 1;
      expect(wechat.isComponentTokenValid(oldToken)).toBe(false);
      expect(wechat.isComponentTokenValid(newToken)).toBe(true);
      expect(wechat.isComponentTokenValid(othersToken)).toBe(true);
    });
  });

  describe('api_start_push_ticket', () => {
    const startPush = (overrides: Record<string, unknown> = {}) =>
      post(startPushPath, { component_appid: component.appId, component_secret: component.appSecret, ...overrides });

    it('answers ok to valid credentials and only counts the call', async () => {
      expect(await errcodeOf(startPush())).toEqual([0, 'ok']);
      expect(wechat.calls('api_start_push_ticket')).toBe(1);
      expect(wechat.latestTicket(component.appId)).toBeUndefined();
    });

    it('checks appid and secret like api_component_token', async () => {
      expect(await errcodeOf(startPush({ component_appid: 'wx_nobody' }))).toEqual([40013, 'invalid appid']);
      expect(await errcodeOf(startPush({ component_secret: undefined }))).toEqual([41004, 'appsecret missing']);
      expect(await errcodeOf(startPush({ component_secret: 'nope' }))).toEqual([40125, 'invalid appsecret']);
      expect(await errcodeOf(post(startPushPath, 'oops', true))).toEqual([47001, 'data format error']);
    });
  });

  it('answers 404 {errcode:404} to an unknown path', async () => {
    expect(await post('/cgi-bin/component/api_nothing', {})).toEqual({
      status: 404,
      body: { errcode: 404, errmsg: 'not found' },
    });
  });

  it('counts calls per endpoint and resets them', async () => {
    const ticket = wechat.issueTicket(component.appId);
    await requestToken(ticket);
    await requestToken('bad');
    await post(startPushPath, {});
    expect(wechat.calls('api_component_token')).toBe(2);
    expect(wechat.calls('api_start_push_ticket')).toBe(1);
    wechat.resetCalls();
    expect(wechat.calls('api_component_token')).toBe(0);
    expect(wechat.calls('api_start_push_ticket')).toBe(0);
  });
});
