import { describe, expect, it } from '@jest/globals';
import { checkRow, csvRows, jsonRows } from './import-rows.js';

const good = { platform: 'wechat', componentAppId: 'wx_c', authorizerAppId: 'wx_a', refreshToken: 'secret-token-1' };

describe('import rows', () => {
  it.each([
    ['an unknown platform', { ...good, platform: 'alipay' }],
    ['a __proto__ appid', { ...good, authorizerAppId: '__proto__' }],
    ['an overlong appid', { ...good, componentAppId: 'w'.repeat(40) }],
    ['a token with a space', { ...good, refreshToken: 'a b' }],
    ['an empty token', { ...good, refreshToken: '' }],
    ['an oversized token', { ...good, refreshToken: 'x'.repeat(600) }],
    ['a number as token', { ...good, refreshToken: 5 }],
    ['bad permissions', { ...good, permissions: ['x'] }],
    ['a bad expiry', { ...good, refreshTokenExpiresAt: 'soon' }],
    ['an unknown field', { ...good, accessToken: 'x' }],
  ])('refuses %s, without quoting the token', (_name, raw) => {
    const checked = checkRow(raw, 'row 1');
    expect(checked.row).toBeUndefined();
    expect(checked.problem).toBeDefined();
    expect(checked.problem).not.toContain('secret-token');
  });

  it('accepts optional permissions and expiry (CSV strings too)', () => {
    const checked = checkRow({ ...good, permissions: '1;2|3', refreshTokenExpiresAt: '2030-01-01T00:00:00Z' }, 'x');
    expect(checked.row).toEqual({
      ...good,
      permissions: [1, 2, 3],
      refreshTokenExpiresAt: Date.parse('2030-01-01T00:00:00Z'),
    });
  });

  it('reads JSON lists and {authorizers}; refuses a file that is neither', () => {
    expect(jsonRows(JSON.stringify([good]))[0].row).toEqual(good);
    expect(jsonRows(JSON.stringify({ authorizers: [good, 7] }))[1].problem).toContain('JSON object');
    expect(() => jsonRows('{"rows":[]}')).toThrow();
    expect(() => jsonRows('{')).toThrow();
  });

  it('reads CSV line by line: a broken line does not hide the ones after it', () => {
    const rows = csvRows(
      [
        '\uFEFFrefreshToken,platform,authorizerAppId,componentAppId',
        'tok1,wechat,wx_1,wx_c',
        '"tok2,wechat,wx_2,wx_c',
        'tok3,wechat,wx_3,wx_c',
        '',
      ].join('\r\n'),
    );
    expect(rows.map((r) => [r.where, r.row?.authorizerAppId ?? r.problem])).toEqual([
      ['line 2', 'wx_1'],
      ['line 3', 'the line is not valid CSV (an unbalanced quote?)'],
      ['line 4', 'wx_3'],
    ]);
    expect(() => csvRows('platform,componentAppId\n')).toThrow(/lacks/);
  });
});
