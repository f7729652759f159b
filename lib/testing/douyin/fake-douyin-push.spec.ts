import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createDecipheriv, createHash } from 'node:crypto';
import type { FakeDouyinPlatform } from './fake-douyin-platform.js';
import {
  closeServer,
  codeOf,
  component,
  dataOf,
  MERCHANT,
  startDouyin,
  startReceiver,
  type Json,
} from './spec-helpers.js';

/** Decrypts `Encrypt` with Node's crypto alone: the 32-byte prefix layout, not MessageCrypto. */
function independentDecrypt(encrypt: string, encodingAesKey: string): { message: string; appId: string } {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()]);
  const pad = padded[padded.length - 1];
  expect(pad >= 1 && pad <= 32).toBe(true);
  const plain = padded.subarray(0, padded.length - pad);
  const length = plain.readUInt32BE(32);
  return {
    message: plain.subarray(36, 36 + length).toString('utf8'),
    appId: plain.subarray(36 + length).toString('utf8'),
  };
}

describe.each(['v1', 'v2'] as const)('FakeDouyinPlatform %s pushes, page and faults', (version) => {
  let fake: FakeDouyinPlatform;
  let started: Awaited<ReturnType<typeof startDouyin>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeEach(async () => {
    started = await startDouyin(version);
    fake = started.fake;
    receiver = await startReceiver();
    fake.setEventsUrl(component.appId, receiver.url);
  });

  afterEach(async () => {
    await fake.stop();
    await closeServer(receiver.server);
  });

  it('pushes a ticket as signed JSON whose 32-byte-prefix layout an independent decoder reads', async () => {
    const result = await fake.pushTicket(receiver.url, component.appId, { nonce: '12345' });
    expect(result).toMatchObject({ status: 200, body: 'success' });
    const body = receiver.bodies[0];
    expect(Object.keys(body).sort()).toEqual(['Encrypt', 'MsgSignature', 'Nonce', 'TimeStamp']);
    expect(body.TimeStamp).toBe(String(started.clock.now / 1000));
    const sorted = [component.token, body.TimeStamp, body.Nonce, body.Encrypt].map(String).sort().join('');
    expect(body.MsgSignature).toBe(createHash('sha1').update(sorted).digest('hex'));
    const decoded = independentDecrypt(body.Encrypt as string, component.encodingAesKey);
    expect(decoded.appId).toBe(component.appId);
    expect(JSON.parse(decoded.message)).toEqual({
      Ticket: result.ticket,
      FromUserName: 'ByteDanceMicroApp',
      CreateTime: '2025-01-01 08:00:00',
      MsgType: 'Ticket',
      Event: 'PUSH',
    });
    // The pushed ticket buys a component token.
    expect(dataOf(await started.client.componentToken(result.ticket)).component_access_token).toEqual(
      expect.any(String),
    );
  });

  it('the page takes the queued merchant: 302 with the code, then AUTHORIZED with the same code', async () => {
    let link: string;
    if (version === 'v2') {
      const body = { link_type: 1, app_name: 'x', app_icon: '', redirect_uri: 'https://app.example/cb?s=1' };
      link = dataOf(await started.client.call('POST', '/api/tpapp/v3/auth/gen_link/', {}, body)).link as string;
    } else {
      const code = dataOf(await started.client.preAuthCode()).pre_auth_code as string;
      expect(dataOf(await started.client.preAuthCode())).toMatchObject({ expires_in: 600 });
      const query = new URLSearchParams({
        component_appid: component.appId,
        pre_auth_code: code,
        redirect_uri: 'https://app.example/cb?s=1',
      });
      link = `${fake.authorizePageUrl}?${query.toString()}`;
    }
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(409); // nobody queued
    fake.queueMerchant({ authorizerAppId: MERCHANT });
    const page = await fetch(link, { redirect: 'manual' });
    expect(page.status).toBe(302);
    const location = new URL(page.headers.get('location') as string);
    expect([
      location.origin + location.pathname,
      location.searchParams.get('s'),
      location.searchParams.get('expires_in'),
    ]).toEqual(['https://app.example/cb', '1', '3600']);
    const code = location.searchParams.get('authorization_code');
    await fake.settle();
    expect(receiver.messages).toEqual([
      {
        AppId: MERCHANT,
        TpAppId: component.appId,
        EventTime: '2025-01-01 08:00:00',
        Event: 'AUTHORIZED',
        AuthorizationCode: code,
        AuthorizationCodeExpiresIn: 3600,
      },
    ]);
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(400); // pre-auth code used
    expect(dataOf(await started.client.exchange(code as string)).authorizer_appid).toBe(MERCHANT);
  });

  it('retrieval notice: UPDATE_AUTHORIZED carries the very code the retrieve call answered', async () => {
    await started.client.onboard();
    const code = dataOf(await started.client.retrieve(MERCHANT)).authorization_code;
    await fake.settle();
    expect(receiver.messages.at(-1)).toEqual({
      AppId: MERCHANT,
      TpAppId: component.appId,
      EventTime: expect.any(String),
      Event: 'UPDATE_AUTHORIZED',
      AuthorizationCode: code,
      AuthorizationCodeExpiresIn: 3600,
    });
    await fake.revoke(component.appId, MERCHANT);
    expect(receiver.messages.at(-1)).toMatchObject({ AppId: MERCHANT, Event: 'UNAUTHORIZED' });
    expect(fake.authorizationPushes().map((p) => p.event)).toEqual(['AUTHORIZED', 'UPDATE_AUTHORIZED', 'UNAUTHORIZED']);
  });

  it('buildPush/sendPush let a test tamper with a push', async () => {
    const push = fake.buildPush(component.appId, { Event: 'PUSH' });
    const result = await fake.sendPush(receiver.url, { ...push, body: { ...push.body, TimeStamp: 1735689600 } });
    expect(result.status).toBe(200);
    expect(receiver.bodies[0].TimeStamp).toBe(1735689600);
  });

  it('faults: error in the endpoint envelope, drop, lost response, status, and counters', async () => {
    fake.failNext('auth_app_list', { code: 40045 });
    const failed: Json = await started.client.appList(1, 10);
    expect(codeOf(failed)).toBe(40045);
    expect(Object.keys(failed).sort()).toEqual(
      version === 'v2' ? ['data', 'err_msg', 'err_no', 'log_id'] : ['errno', 'message'],
    );
    fake.failNext('tp_token', { code: 40045 });
    expect(Object.keys(await started.client.componentToken()).sort()).toEqual(['errno', 'message']);

    fake.dropNext('retrieve_auth_code');
    await started.client.onboard();
    await expect(started.client.retrieve(MERCHANT)).rejects.toThrow();
    await fake.settle();
    expect(fake.authorizationPushes()).toHaveLength(1); // dropped unprocessed: no retrieval notice

    fake.loseResponseNext('retrieve_auth_code');
    await expect(started.client.retrieve(MERCHANT)).rejects.toThrow();
    await fake.settle();
    expect(fake.authorizationPushes().at(-1)?.event).toBe('UPDATE_AUTHORIZED'); // processed: the notice still comes

    fake.statusNext('auth_app_list', 502);
    const url = version === 'v1' ? '/openapi/v1/tp/auth_app_list' : '/api/tpapp/v2/auth/get_auth_app_list/';
    expect((await fetch(`${fake.baseUrl}${url}`)).status).toBe(502);
    fake.delayNext('auth_app_list', 1);
    expect(dataOf(await started.client.appList(1, 10)).total).toBe(1);
    expect([fake.calls('auth_app_list'), fake.calls('retrieve_auth_code')]).toEqual([3, 2]);
  });

  it('user routes: requireAuthorizer answers like the business endpoint, calls are counted', async () => {
    fake.route(
      'GET',
      '/api/custom',
      fake.requireAuthorizer((_req, caller) => ({ body: { errno: 0, data: { who: caller.authorizerAppId } } })),
    );
    const pair = await started.client.onboard();
    const call = (token: string) => {
      const url = new URL(`${fake.baseUrl}/api/custom`);
      if (version === 'v1') url.searchParams.set('component_appid', component.appId);
      if (version === 'v1') url.searchParams.set('authorizer_access_token', token);
      return fetch(url, { headers: version === 'v2' ? { 'access-token': token } : {} }).then(
        (r) => r.json() as Promise<Json>,
      );
    };
    expect(dataOf(await call(pair.authorizer_access_token as string))).toEqual({ who: MERCHANT });
    expect(codeOf(await call('forged'))).toBe(version === 'v2' ? 28001003 : 40020);
    expect(fake.calls('/api/custom')).toBe(2);
    expect(() => fake.route('GET', '/mappconsole/tp/authorization', () => ({}))).toThrow(/own endpoints/);
  });
});
