import { describe, expect, it } from '@jest/globals';
import { ANY_PLATFORM_APP_ID, appIdProblem, assertAppId } from './app-id.js';
import { OpenPlatformError, OpenPlatformErrorCode } from './errors/open-platform.error.js';

describe('appIdProblem / assertAppId', () => {
  it.each([
    'wx1234567890abcdef',
    'tt1234567890abcdef',
    'wx_shop_1',
    'tt_fault_shop',
    'shop_1',
    'a',
    'A-b_9',
    'w'.repeat(32),
  ])('accepts %s', (appId) => {
    expect(appIdProblem(appId)).toBeUndefined();
    expect(() => assertAppId(appId, 'authorizerAppId')).not.toThrow();
  });

  it.each([
    ['empty', ''],
    ['too long by one', 'w'.repeat(33)],
    ['100 KB', 'a'.repeat(100_000)],
    ['unicode', '店铺'],
    ['__proto__', '__proto__'],
    ['a leading dash', '-rf'],
    ['a space', 'wx shop'],
    ['a newline', 'wx\nshop'],
    ['a dot', 'wx.shop'],
    ['a slash', 'wx/../shop'],
    ['a percent escape', 'wx%2Fshop'],
    ['not a string', 42],
    ['null', null],
    ['undefined', undefined],
    ['an object', { toString: () => 'wx_shop' }],
  ])('refuses %s, with INVALID_ARGUMENT that does not echo it', (_name, value) => {
    expect(appIdProblem(value)).toEqual(expect.any(String));
    let thrown: unknown;
    try {
      assertAppId(value, 'authorizerAppId');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(OpenPlatformError);
    const err = thrown as OpenPlatformError;
    expect(err).toMatchObject({ code: OpenPlatformErrorCode.INVALID_ARGUMENT, platform: 'library', retryable: false });
    expect(err.message).toContain('authorizerAppId');
    expect(err.message).toContain(ANY_PLATFORM_APP_ID.description);
    if (typeof value === 'string' && value.length > 1) expect(err.message).not.toContain(value);
  });

  it('a huge string is refused by its length, before the pattern runs', () => {
    const pattern = {
      test: () => {
        throw new Error('the pattern must not run');
      },
    } as unknown as RegExp;
    expect(appIdProblem('a'.repeat(100_000), { ...ANY_PLATFORM_APP_ID, pattern })).toBe('it is 100000 characters long');
  });
});
