import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FakeDouyinPlatform, FakeWeChatPlatform } from '../../testing/index.js';
import { commonRoutes } from './common-routes.js';
import { ControlServer } from './control-server.js';
import { douyinRoutes } from './douyin-routes.js';
import { emulatorConfig, generatedComponent } from './emulator-config.js';
import { Emulators } from './emulators.js';
import { wechatRoutes } from './wechat-routes.js';

describe('control API (in process, real emulators)', () => {
  const component = generatedComponent('wechat', 1);
  const wechat = new FakeWeChatPlatform({ components: [component] });
  const douyin = new FakeDouyinPlatform({ components: [generatedComponent('douyin', 1)] });
  const control = new ControlServer([
    ...wechatRoutes(wechat),
    ...douyinRoutes(douyin),
    ...commonRoutes(new Emulators(wechat, douyin)),
  ]);
  let base: string;
  const call = async (method: string, path: string, body?: string) => {
    const res = await fetch(`${base}${path}`, { method, body, headers: { 'content-type': 'application/json' } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    await Promise.all([wechat.start(), douyin.start(), control.start(0)]);
    base = `${control.baseUrl}/_control/v1`;
  });
  afterAll(() => Promise.all([control.stop(), wechat.stop(), douyin.stop()]));

  it.each([
    ['not JSON', 'POST', '/wechat/faults', '{', 400],
    ['a JSON list', 'POST', '/wechat/faults', '[]', 400],
    ['a JSON string', 'POST', '/wechat/faults', '"x"', 400],
    ['an unknown field', 'POST', '/wechat/faults', '{"kind":"drop","endpoint":"x","typo":1}', 400],
    ['__proto__ as a field', 'POST', '/wechat/faults', '{"__proto__":{"kind":"drop"}}', 400],
    ['a negative times', 'POST', '/wechat/faults', '{"kind":"drop","endpoint":"x","times":-1}', 400],
    ['a string for ms', 'POST', '/wechat/faults', '{"kind":"delay","endpoint":"x","ms":"5"}', 400],
    ['an unknown platform', 'GET', '/alipay/calls', undefined, 404],
    ['a wrong method', 'PUT', '/wechat/calls', '{}', 405],
    ['an unknown component', 'POST', '/wechat/components/wx_nobody/tickets', '{"push":false}', 404],
    ['a non-http events URL', 'PUT', `/wechat/components/${component.appId}/events-url`, '{"url":"file:///etc"}', 400],
    [
      'a bad encodingAesKey',
      'POST',
      '/douyin/components',
      '{"appId":"a","appSecret":"b","token":"c","encodingAesKey":"short"}',
      400,
    ],
    ['a Douyin fault on WeChat', 'POST', '/wechat/faults', '{"kind":"rotate-then-drop"}', 400],
    ['a bad path escape', 'GET', '/wechat/components/%E0%A4%A/authorizers/x', undefined, 404],
  ])('refuses %s with a 4xx and changes nothing', async (_name, method, path, body, status) => {
    const answer = await call(method, path, body);
    expect(answer.status).toBe(status);
    expect(answer.body.error).toMatchObject({ status });
    expect(wechat.latestTicket(component.appId)).toBeUndefined();
  });

  it('refuses a body over 64 KiB with 413', async () => {
    const answer = await call('POST', '/wechat/faults', JSON.stringify({ kind: 'x'.repeat(70_000) }));
    expect(answer.status).toBe(413);
  });

  it('holds an answer until released (hold-answer)', async () => {
    const hold = await call('POST', '/wechat/faults', '{"kind":"hold-answer","endpoint":"api_component_token"}');
    const id = hold.body.holdId as string;
    const ticket = wechat.issueTicket(component.appId);
    const pending = fetch(`${wechat.baseUrl}/cgi-bin/component/api_component_token`, {
      method: 'POST',
      body: JSON.stringify({
        component_appid: component.appId,
        component_appsecret: component.appSecret,
        component_verify_ticket: ticket,
      }),
    });
    for (let i = 0; i < 200 && !(await call('GET', `/wechat/faults/holds/${id}`)).body.processed; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect((await call('GET', `/wechat/faults/holds/${id}`)).body).toEqual({ id, processed: true });
    expect((await call('POST', `/wechat/faults/holds/${id}/release`)).status).toBe(200);
    const answer = (await (await pending).json()) as Record<string, unknown>;
    expect(typeof answer.component_access_token).toBe('string');
    expect((await call('GET', `/wechat/faults/holds/${id}`)).status).toBe(404);
  });

  it('settings change the lifetimes of tokens issued from then on', async () => {
    const answer = await call('PUT', '/douyin/settings', '{"refreshTokenExpiresIn":60}');
    expect(answer.body).toMatchObject({ refreshTokenExpiresIn: 60 });
    expect(douyin.refreshTokenExpiresIn).toBe(60);
    expect((await call('PUT', '/douyin/settings', '{"refreshTokenExpiresIn":0}')).status).toBe(400);
  });
});

describe('emulator configuration', () => {
  it('generates components in the platforms’ shapes, counts from the flags over the file', () => {
    const config = emulatorConfig({ wechat: { components: 3 } }, { wechatComponents: 2, douyinComponents: 0 });
    expect(config.wechat.options.components).toHaveLength(2);
    expect(config.douyin.options.components).toHaveLength(0);
    for (const c of config.wechat.options.components!) {
      expect(c.appId).toMatch(/^wx[0-9a-f]{14}\d{2}$/);
      expect(c.encodingAesKey).toMatch(/^[A-Za-z0-9]{43}$/);
    }
  });

  it.each([
    ['an unknown top-level field', { prot: 1 }],
    ['a port out of range', { port: 70_000 }],
    ['a lifetime that is not a number', { wechat: { componentTokenExpiresIn: '60' } }],
    ['a duplicate appid', { wechat: { components: [{ appId: 'wx_a' }, { appId: 'wx_a' }] } }],
    ['a bad apiVersion', { douyin: { apiVersion: 'v3' } }],
    ['too many components', { douyin: { components: 5000 } }],
    ['a list as the file', []],
  ])('refuses %s', (_name, file) => {
    expect(() => emulatorConfig(file, {})).toThrow();
  });
});
