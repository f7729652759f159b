import { describe, expect, it } from '@jest/globals';
import type { AxiosInstance } from 'axios';
import { ComponentsService } from '../components/components.service.js';
import type { ResolvedComponent, ResolvedOptions } from '../options/resolved-options.js';
import { DouyinAdapter } from '../platforms/douyin/douyin.adapter.js';
import type { PlatformRegistry } from '../platforms/platform-registry.js';
import { WeChatAdapter } from '../platforms/wechat/wechat.adapter.js';
import { ApiOrigins } from './api-origins.js';

const WX = { platform: 'wechat', appId: 'wx_c', apiBaseUrl: 'http://127.0.0.1:4000' } as ResolvedComponent;
const GW = { ...WX, appId: 'wx_gw', apiOrigins: ['https://gw.example.com'] } as ResolvedComponent;
const TT = { platform: 'douyin', appId: 'tt_c', apiBaseUrl: 'https://open.douyin.com' } as ResolvedComponent;

function origins(): ApiOrigins {
  const options = { components: new Map([WX, GW, TT].map((c) => [c.appId, c])) } as unknown as ResolvedOptions;
  const adapters = { wechat: new WeChatAdapter({} as AxiosInstance), douyin: new DouyinAdapter({} as AxiosInstance) };
  const platforms = { get: (p: 'wechat' | 'douyin') => adapters[p] } as unknown as PlatformRegistry;
  return new ApiOrigins(new ComponentsService(options), platforms);
}

describe('ApiOrigins: which origins receive a component’s tokens', () => {
  const o = origins();
  const to = (url: string, extra: Record<string, unknown> = {}) => o.originOf({ url, ...extra });

  it.each([
    ['its apiBaseUrl', 'http://127.0.0.1:4000/cgi-bin/x?a=1', WX],
    ['the official API host', 'https://api.weixin.qq.com/cgi-bin/x', WX],
    ['a disaster-recovery domain', 'https://api2.weixin.qq.com/cgi-bin/x', WX],
    ['a regional domain, any case, default port', 'HTTPS://SH.API.WEIXIN.QQ.COM:443/cgi-bin/x', WX],
    ['an origin of its apiOrigins', 'https://gw.example.com/any/path', GW],
    ['Douyin V2 and V1 hosts', 'https://open.microapp.bytedance.com/openapi/v1/x', TT],
  ])('%s', (_name, url, component) => {
    expect(o.receivesTokens(to(url), component)).toBe(true);
    expect(o.receivesTokens(to(url))).toBe(true);
  });

  it.each([
    ['a webhook', 'https://hooks.example.com/x'],
    ['another port of the API host', 'http://127.0.0.1:4001/cgi-bin/x'],
    ['http instead of https', 'http://api.weixin.qq.com/cgi-bin/x'],
    ['a look-alike host', 'https://api.weixin.qq.com.evil.example/cgi-bin/x'],
    ['user info that looks like the API host', 'https://api.weixin.qq.com@evil.example/cgi-bin/x'],
    ['a relative URL without baseURL', '/cgi-bin/x'],
    ['a protocol-relative URL', '//api.weixin.qq.com/cgi-bin/x'],
  ])('not %s', (_name, url) => {
    expect(o.receivesTokens(to(url), WX)).toBe(false);
  });

  it('per component: another component’s gateway, or another platform’s host, does not get its tokens', () => {
    expect(o.receivesTokens(to('https://gw.example.com/x'), WX)).toBe(false);
    expect(o.receivesTokens(to('https://open.douyin.com/x'), WX)).toBe(false);
    expect(o.receivesTokens(to('https://api.weixin.qq.com/x'), TT)).toBe(false);
  });

  it('follows axios: baseURL for relative URLs, and for absolute ones too with allowAbsoluteUrls: false', () => {
    expect(to('/x', { baseURL: 'https://api.weixin.qq.com' })).toBe('https://api.weixin.qq.com');
    expect(to('https://hooks.example.com/x', { baseURL: 'https://api.weixin.qq.com' })).toBe(
      'https://hooks.example.com',
    );
    expect(to('https://hooks.example.com/x', { baseURL: 'https://api.weixin.qq.com', allowAbsoluteUrls: false })).toBe(
      'https://api.weixin.qq.com',
    );
  });
});
