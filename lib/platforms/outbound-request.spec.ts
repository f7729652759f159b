import { describe, expect, it } from '@jest/globals';
import { setQueryParam } from './outbound-request.js';
import { DouyinAdapter } from './douyin/douyin.adapter.js';
import { WeChatAdapter } from './wechat/wechat.adapter.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import type { AxiosInstance } from 'axios';

const http = {} as AxiosInstance;

describe('setQueryParam never modifies the params object it was given', () => {
  it('URLSearchParams: the request gets a copy with the parameter, the caller keeps its own', () => {
    const shared = new URLSearchParams({ lang: 'zh_CN' });
    const one = { params: shared as unknown };
    const two = { params: shared as unknown };
    setQueryParam(one, 'access_token', 'token-of-one');
    setQueryParam(two, 'access_token', 'token-of-two');
    expect([...shared]).toEqual([['lang', 'zh_CN']]);
    expect((one.params as URLSearchParams).toString()).toBe('lang=zh_CN&access_token=token-of-one');
    expect((two.params as URLSearchParams).toString()).toBe('lang=zh_CN&access_token=token-of-two');
  });

  it('a plain object: the same', () => {
    const shared = { lang: 'zh_CN' };
    const one = { params: shared as unknown };
    setQueryParam(one, 'access_token', 't');
    expect(shared).toEqual({ lang: 'zh_CN' });
    expect(one.params).toEqual({ lang: 'zh_CN', access_token: 't' });
  });

  it('the adapters that inject into the query (WeChat, Douyin V1) leave shared params alone', () => {
    const shared = new URLSearchParams({ page: '1' });
    const wechat = { params: shared as unknown };
    new WeChatAdapter(http).injectToken(wechat, 'wx-token', 'authorizer');
    const v1 = { params: shared as unknown };
    const component = { platform: 'douyin', appId: 'tt_c', apiVersion: 'v1' } as ResolvedComponent;
    new DouyinAdapter(http).injectToken(v1, 'tt-token', 'authorizer', component);
    expect(shared.toString()).toBe('page=1');
    expect((wechat.params as URLSearchParams).get('access_token')).toBe('wx-token');
    expect((v1.params as URLSearchParams).get('authorizer_access_token')).toBe('tt-token');
    expect((v1.params as URLSearchParams).get('component_appid')).toBe('tt_c');
  });
});
