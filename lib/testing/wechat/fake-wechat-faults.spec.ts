import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FakeWeChatPlatform } from './fake-wechat-platform.js';
import { component, errcodeOf, startPushPath, tokenPath } from './spec-helpers.js';

describe('FakeWeChatPlatform fault injection', () => {
  let wechat: FakeWeChatPlatform;
  let ticket: string;

  beforeEach(async () => {
    wechat = new FakeWeChatPlatform({ components: [component] });
    await wechat.start();
    ticket = wechat.issueTicket(component.appId);
  });

  afterEach(() => wechat.stop());

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${wechat.baseUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const requestToken = (verifyTicket: string) =>
    post(tokenPath, {
      component_appid: component.appId,
      component_appsecret: component.appSecret,
      component_verify_ticket: verifyTicket,
    });

  it('failNext answers the error N times, then normally; faulted calls are counted', async () => {
    wechat.failNext('api_component_token', { errcode: -1, times: 2 });
    expect(await errcodeOf(requestToken(ticket))).toEqual([-1, 'system error']);
    expect(await errcodeOf(requestToken(ticket))).toEqual([-1, 'system error']);
    expect((await requestToken(ticket)).body.component_access_token).toBeDefined();
    expect(wechat.calls('api_component_token')).toBe(3);
  });

  it('failNext uses a custom errmsg and only touches its endpoint', async () => {
    wechat.failNext('api_start_push_ticket', { errcode: 45009, errmsg: 'quota' });
    expect((await requestToken(ticket)).body.component_access_token).toBeDefined();
    const reply = post(startPushPath, { component_appid: component.appId, component_secret: component.appSecret });
    expect(await errcodeOf(reply)).toEqual([45009, 'quota']);
  });

  it('delayNext holds the reply at least the requested time, then answers normally', async () => {
    wechat.delayNext('api_component_token', 300);
    let arrived = false;
    const started = performance.now();
    const reply = requestToken(ticket).then((r) => ((arrived = true), r));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(arrived).toBe(false);
    expect((await reply).body.component_access_token).toBeDefined();
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('loseResponseNext processes the call, then destroys the socket (fetch rejects), then answers normally', async () => {
    wechat.loseResponseNext('api_component_token');
    await expect(requestToken(ticket)).rejects.toThrow();
    expect(wechat.calls('api_component_token')).toBe(1);
    const next = (await requestToken(ticket)).body.component_access_token as string;
    expect(wechat.isComponentTokenValid(next)).toBe(true);
    expect(wechat.calls('api_component_token')).toBe(2);
  });

  it('dropNext destroys the socket (fetch rejects), then answers normally', async () => {
    wechat.dropNext('api_component_token');
    await expect(requestToken(ticket)).rejects.toThrow();
    expect((await requestToken(ticket)).body.component_access_token).toBeDefined();
    expect(wechat.calls('api_component_token')).toBe(2);
  });

  it('statusNext answers the HTTP status with an HTML body', async () => {
    wechat.statusNext('api_component_token', 502, 1);
    const response = await fetch(`${wechat.baseUrl}${tokenPath}`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toContain('502');
    expect((await requestToken(ticket)).body.component_access_token).toBeDefined();
  });

  it('queues faults in order and clearFaults removes them', async () => {
    wechat.statusNext('api_component_token', 503);
    wechat.failNext('api_component_token', { errcode: 40001 });
    expect((await fetch(`${wechat.baseUrl}${tokenPath}`, { method: 'POST', body: '{}' })).status).toBe(503);
    expect((await errcodeOf(requestToken(ticket)))[0]).toBe(40001);

    wechat.failNext('api_component_token', { errcode: -1, times: 5 });
    wechat.clearFaults();
    expect((await requestToken(ticket)).body.component_access_token).toBeDefined();
  });
});

describe('FakeWeChatPlatform lifecycle', () => {
  it('has no baseUrl before start, refuses bad options, and stop() is idempotent', async () => {
    const wechat = new FakeWeChatPlatform();
    expect(() => wechat.baseUrl).toThrow();
    expect(() => new FakeWeChatPlatform({ ticketLifetimeSeconds: -1 })).toThrow(RangeError);
    await wechat.start();
    expect(wechat.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await wechat.stop();
    await wechat.stop();
  });

  it('stop() closes keep-alive sockets and cancels a pending delay', async () => {
    const wechat = new FakeWeChatPlatform({ components: [component] });
    await wechat.start();
    const url = `${wechat.baseUrl}/cgi-bin/component/api_start_push_ticket`;
    await fetch(url, { method: 'POST', body: '{}' });
    wechat.delayNext('api_start_push_ticket', 60_000);
    const pending = fetch(url, { method: 'POST', body: '{}' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await wechat.stop();
    await expect(pending).rejects.toThrow();
  });

  it('refuses tickets for unknown components', () => {
    expect(() => new FakeWeChatPlatform().issueTicket('wx_nobody')).toThrow(/unknown component/);
  });
});
