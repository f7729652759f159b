import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeWeChatPlatform } from './fake-wechat-platform.js';
import { appCrypto, closeServer, component } from './spec-helpers.js';

interface Received {
  method: string;
  query: URLSearchParams;
  contentType: string | undefined;
  body: string;
}

/** Decrypts a received push the way the app must, checking the signature first. */
function openPush(received: Received): { appId: string; signatureOk: boolean; inner: string } {
  const appId = /<AppId><!\[CDATA\[(.*?)\]\]><\/AppId>/.exec(received.body)?.[1] ?? '';
  const encrypt = /<Encrypt><!\[CDATA\[(.*?)\]\]><\/Encrypt>/.exec(received.body)?.[1] ?? '';
  const q = (name: string) => received.query.get(name) ?? '';
  return {
    appId,
    signatureOk: appCrypto.verifySignature(q('msg_signature'), q('timestamp'), q('nonce'), encrypt),
    inner: appCrypto.decrypt(encrypt),
  };
}

describe('FakeWeChatPlatform pushes', () => {
  const clock = Date.UTC(2025, 0, 1, 8);
  const wechat = new FakeWeChatPlatform({ components: [component], now: () => clock });
  let app: Server;
  let eventsUrl: string;
  let received: Received[];
  let answer = 'success';

  beforeAll(async () => {
    app = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        received.push({
          method: req.method ?? '',
          query: url.searchParams,
          contentType: req.headers['content-type'],
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(answer === 'success' ? 200 : 400, { 'content-type': 'text/plain' }).end(answer);
      });
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    eventsUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/open-platform/wechat/events`;
    await wechat.start();
  });

  afterAll(async () => {
    await wechat.stop();
    await closeServer(app);
  });

  beforeEach(() => {
    received = [];
    answer = 'success';
  });

  it('pushTicket POSTs an encrypted, signed ticket message and returns the app answer', async () => {
    const result = await wechat.pushTicket(eventsUrl, component.appId);

    expect(result).toEqual({ status: 200, body: 'success', ticket: expect.stringMatching(/^ticket@@@[\w-]+$/) });
    expect(wechat.latestTicket(component.appId)).toBe(result.ticket);
    const [push] = received;
    expect(push).toMatchObject({ method: 'POST', contentType: 'text/xml' });
    expect(push.query.get('encrypt_type')).toBe('aes');
    expect(push.query.get('timestamp')).toBe(String(clock / 1000));
    expect(push.query.get('nonce')).toMatch(/^\d+$/);

    const opened = openPush(push);
    expect(opened.appId).toBe(component.appId);
    expect(opened.signatureOk).toBe(true);
    expect(opened.inner).toBe(
      `<xml><AppId><![CDATA[${component.appId}]]></AppId><CreateTime>${clock / 1000}</CreateTime>` +
        `<InfoType><![CDATA[component_verify_ticket]]></InfoType>` +
        `<ComponentVerifyTicket><![CDATA[${result.ticket}]]></ComponentVerifyTicket></xml>`,
    );
  });

  it('pushTicket honours an explicit ticket, timestamp, nonce and createTime', async () => {
    const result = await wechat.pushTicket(eventsUrl, component.appId, {
      ticket: 'ticket@@@fixed',
      timestamp: 1_700_000_000,
      nonce: '12345',
      createTime: 1_600_000_000,
    });
    const push = received[0];
    expect(result.ticket).toBe('ticket@@@fixed');
    expect([push.query.get('timestamp'), push.query.get('nonce')]).toEqual(['1700000000', '12345']);
    const opened = openPush(push);
    expect(opened.signatureOk).toBe(true);
    expect(opened.inner).toContain('<CreateTime>1600000000</CreateTime>');
    expect(opened.inner).toContain('<ComponentVerifyTicket><![CDATA[ticket@@@fixed]]>');
  });

  it('a pushed ticket is then accepted by api_component_token', async () => {
    const { ticket } = await wechat.pushTicket(eventsUrl, component.appId);
    const response = await fetch(`${wechat.baseUrl}/cgi-bin/component/api_component_token`, {
      method: 'POST',
      body: JSON.stringify({
        component_appid: component.appId,
        component_appsecret: component.appSecret,
        component_verify_ticket: ticket,
      }),
    });
    expect(await response.json()).toEqual({ component_access_token: expect.any(String), expires_in: 7200 });
  });

  it('reports a refusing app answer and still issues the ticket', async () => {
    answer = 'bad signature';
    const result = await wechat.pushTicket(eventsUrl, component.appId);
    expect([result.status, result.body]).toEqual([400, 'bad signature']);
    expect(wechat.latestTicket(component.appId)).toBe(result.ticket);
  });

  it('pushMessage delivers an arbitrary inner message', async () => {
    const inner = '<xml><AppId><![CDATA[wx_component_a]]></AppId><InfoType><![CDATA[unauthorized]]></InfoType></xml>';
    expect(await wechat.pushMessage(eventsUrl, component.appId, inner)).toEqual({ status: 200, body: 'success' });
    const opened = openPush(received[0]);
    expect([opened.signatureOk, opened.inner]).toEqual([true, inner]);
  });

  it('buildPush + sendPush let a test tamper with a push before sending it', async () => {
    const push = wechat.buildPush(component.appId, '<xml/>', { nonce: '42', timestamp: 1_700_000_000 });
    expect(push.query).toEqual({
      timestamp: '1700000000',
      nonce: '42',
      msg_signature: expect.stringMatching(/^[0-9a-f]{40}$/),
      encrypt_type: 'aes',
    });

    await wechat.sendPush(eventsUrl, { ...push, query: { ...push.query, nonce: '43' } });
    expect(received[0].query.get('nonce')).toBe('43');
    expect(openPush(received[0]).signatureOk).toBe(false);
  });

  it('refuses to push for an unknown component', async () => {
    await expect(wechat.pushTicket(eventsUrl, 'wx_nobody')).rejects.toThrow(/unknown component/);
    expect(received).toHaveLength(0);
  });
});
