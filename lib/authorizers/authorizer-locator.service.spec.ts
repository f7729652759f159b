import { describe, expect, it } from '@jest/globals';
import type { AxiosInstance } from 'axios';
import { ComponentsService } from '../components/components.service.js';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import type { ResolvedComponent, ResolvedOptions } from '../options/resolved-options.js';
import { DouyinAdapter } from '../platforms/douyin/douyin.adapter.js';
import type { PlatformRegistry } from '../platforms/platform-registry.js';
import { WeChatAdapter } from '../platforms/wechat/wechat.adapter.js';
import type { AuthorizerRecord } from './authorizer.interface.js';
import { AuthorizerLocator } from './authorizer-locator.service.js';
import type { AuthorizerStore } from './authorizer.store.js';

const WX = { platform: 'wechat', appId: 'wx_c' } as ResolvedComponent;
const TT = { platform: 'douyin', appId: 'tt_c' } as ResolvedComponent;

/** A locator over the given components, with a store that counts its reads. */
function locator(components: ResolvedComponent[], holders: Record<string, string> = {}) {
  const reads: string[] = [];
  const store = {
    get: async (c: ResolvedComponent, appId: string) => {
      reads.push(`${c.appId}/${appId}`);
      return holders[appId] === c.appId ? ({ authorizerAppId: appId } as AuthorizerRecord) : undefined;
    },
  } as unknown as AuthorizerStore;
  const options = { components: new Map(components.map((c) => [c.appId, c])) } as unknown as ResolvedOptions;
  const adapters = { wechat: new WeChatAdapter({} as AxiosInstance), douyin: new DouyinAdapter({} as AxiosInstance) };
  const platforms = { get: (p: 'wechat' | 'douyin') => adapters[p] } as unknown as PlatformRegistry;
  const remembered = (l: AuthorizerLocator) => (l as unknown as { remembered: Map<string, unknown> }).remembered;
  const l = new AuthorizerLocator(new ComponentsService(options), store, platforms);
  return { l, reads, remembered: () => remembered(l).size };
}

const HOSTILE = ['', 'a'.repeat(100_000), 'w'.repeat(33), '店铺', '__proto__', 'wx shop', 42, null];

describe('AuthorizerLocator checks caller-supplied appids before reading anything', () => {
  it.each([
    ['one component', [WX]],
    ['two platforms', [WX, TT]],
  ])('%s: hostile appids are INVALID_ARGUMENT, with no store read and nothing remembered', async (_n, components) => {
    const { l, reads, remembered } = locator(components);
    for (const appId of HOSTILE) {
      expect(l.find(appId as string)).toBeUndefined();
      expect(l.find(appId as string, 'wx_c')).toBeUndefined();
      for (const componentAppId of [undefined, 'wx_c']) {
        const err = await l.resolve(appId as string, componentAppId).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(OpenPlatformError);
        expect((err as OpenPlatformError).code).toBe(OpenPlatformErrorCode.INVALID_ARGUMENT);
      }
    }
    expect(reads).toEqual([]);
    expect(remembered()).toBe(0);
  });

  it('a valid appid: found synchronously with one component; with several, read once per component and remembered', async () => {
    expect(locator([WX]).l.find('wx_shop')).toBe(WX);
    const { l, reads, remembered } = locator([WX, TT], { tt_shop: 'tt_c' });
    expect(l.find('tt_shop')).toBeUndefined();
    expect(await l.resolve('tt_shop')).toBe(TT);
    expect(reads.sort()).toEqual(['tt_c/tt_shop', 'wx_c/tt_shop']);
    expect(l.find('tt_shop')).toBe(TT);
    expect(remembered()).toBe(1);
  });

  it('an appid nobody holds is AUTHORIZER_NOT_FOUND and is not remembered', async () => {
    const { l, remembered } = locator([WX, TT]);
    const err = (await l.resolve('wx_nobody').catch((e: unknown) => e)) as OpenPlatformError;
    expect(err.code).toBe(OpenPlatformErrorCode.AUTHORIZER_NOT_FOUND);
    expect(remembered()).toBe(0);
  });
});
