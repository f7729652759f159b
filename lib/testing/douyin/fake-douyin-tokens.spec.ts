import { afterEach, describe, expect, it } from '@jest/globals';
import type { FakeDouyinPlatform } from './fake-douyin-platform.js';
import { codeOf, component, dataOf, MERCHANT, startDouyin } from './spec-helpers.js';

describe.each(['v1', 'v2'] as const)('FakeDouyinPlatform %s authorizer tokens', (version) => {
  let fake: FakeDouyinPlatform;
  afterEach(() => fake.stop());
  const start = async (options = {}) => {
    const started = await startDouyin(version, options);
    fake = started.fake;
    return started;
  };

  it('exchanges a code once for the documented fields; a used, foreign or expired code is 40018', async () => {
    const { client, clock } = await start();
    const { authorizationCode } = await fake.authorize({
      componentAppId: component.appId,
      authorizerAppId: MERCHANT,
      permissionIds: [1, 3],
    });
    const answer = await client.exchange(authorizationCode);
    if (version === 'v2') expect(answer).toMatchObject({ err_no: 0, err_msg: '', log_id: expect.any(String) });
    expect(dataOf(answer)).toEqual({
      authorizer_access_token: expect.any(String),
      expires_in: 7200,
      authorizer_refresh_token: expect.any(String),
      refresh_expires_in: 2_592_000,
      authorizer_appid: MERCHANT,
      authorize_permission: [
        { id: 1, category: '开发管理权限', description: expect.any(String) },
        { id: 3, category: '运营管理权限', description: expect.any(String) },
      ],
    });
    expect(codeOf(await client.exchange(authorizationCode))).toBe(40018);
    expect(codeOf(await client.exchange('forged'))).toBe(40018);
    const late = await fake.authorize({ componentAppId: component.appId, authorizerAppId: 'tt_late' });
    clock.now += 3600 * 1000;
    expect(codeOf(await client.exchange(late.authorizationCode))).toBe(40018);
  });

  it('a refresh rotates: the old refresh and access tokens die at once; reuse is 40021 and counted', async () => {
    const { client } = await start();
    const first = await client.onboard();
    const second = dataOf(await client.refresh(first.authorizer_refresh_token as string));
    expect(Object.keys(second).sort()).toEqual([
      'authorizer_access_token',
      'authorizer_refresh_token',
      'expires_in',
      'refresh_expires_in',
    ]);
    expect(second.authorizer_refresh_token).not.toBe(first.authorizer_refresh_token);
    expect(fake.isAuthorizerTokenValid(first.authorizer_access_token as string)).toBe(false);
    expect(fake.isAuthorizerTokenValid(second.authorizer_access_token as string)).toBe(true);

    expect(codeOf(await client.refresh(first.authorizer_refresh_token as string))).toBe(40021);
    expect(codeOf(await client.refresh('never-issued'))).toBe(40021);
    expect([fake.refreshTokenReuses(MERCHANT), fake.refreshTokenReuses('tt_other'), fake.refreshTokenReuses()]).toEqual(
      [1, 0, 1],
    );
    // A refused reuse leaves the live pair alone.
    expect(fake.authorizerState(component.appId, MERCHANT)).toMatchObject({
      refreshToken: second.authorizer_refresh_token,
      accessToken: second.authorizer_access_token,
      refreshTokenReuses: 1,
    });
    expect(codeOf(await client.refresh(second.authorizer_refresh_token as string))).toBeUndefined();
  });

  it('two concurrent refreshes with one token: one wins, the other is a counted reuse', async () => {
    const { client } = await start();
    const { authorizer_refresh_token: token } = await client.onboard();
    const answers = await Promise.all([client.refresh(token as string), client.refresh(token as string)]);
    expect(answers.map(codeOf).sort()).toEqual([40021, undefined]);
    expect(fake.refreshTokenReuses()).toBe(1);
  });

  it('refresh tokens expire after refresh_expires_in (40021, not a reuse); access tokens after expires_in', async () => {
    const { client, clock } = await start({ refreshTokenExpiresIn: 600, authorizerTokenExpiresIn: 60 });
    const pair = await client.onboard();
    expect(pair).toMatchObject({ expires_in: 60, refresh_expires_in: 600 });
    clock.now += 60 * 1000;
    expect(codeOf(await client.basicInfo(pair.authorizer_access_token as string))).toBe(
      version === 'v2' ? 28001008 : 40020,
    );
    clock.now += 540 * 1000;
    expect(codeOf(await client.refresh(pair.authorizer_refresh_token as string))).toBe(40021);
    expect(fake.refreshTokenReuses()).toBe(0);
  });

  it('rotate-then-drop: the refresh is processed but its answer is lost; the next try is a reuse', async () => {
    const { client } = await start();
    const pair = await client.onboard();
    fake.rotateThenDropNext();
    await expect(client.refresh(pair.authorizer_refresh_token as string)).rejects.toThrow();
    const state = fake.authorizerState(component.appId, MERCHANT);
    expect(state?.refreshToken).not.toBe(pair.authorizer_refresh_token);
    expect(fake.isAuthorizerTokenValid(pair.authorizer_access_token as string)).toBe(false);
    expect(codeOf(await client.refresh(pair.authorizer_refresh_token as string))).toBe(40021);
    expect([fake.refreshTokenReuses(), fake.calls('auth_token')]).toEqual([1, 3]);
    // Recovery: retrieve a code and exchange it for a new pair.
    const code = dataOf(await client.retrieve(MERCHANT)).authorization_code as string;
    const recovered = dataOf(await client.exchange(code));
    expect(fake.isAuthorizerTokenValid(recovered.authorizer_access_token as string)).toBe(true);
    expect(fake.isAuthorizerTokenValid(state?.accessToken as string)).toBe(false);
  });

  it('retrieve answers a code for an authorized app, 40004 for an unknown and 40022 for a revoked one', async () => {
    const { client } = await start();
    await client.onboard();
    expect(dataOf(await client.retrieve(MERCHANT))).toEqual({
      authorization_code: expect.any(String),
      expires_in: 3600,
    });
    expect(codeOf(await client.retrieve('tt_nobody'))).toBe(40004);
    await fake.revoke(component.appId, MERCHANT);
    expect(codeOf(await client.retrieve(MERCHANT))).toBe(40022);
  });

  it('revocation kills the refresh and access tokens at once and voids outstanding codes', async () => {
    const { client } = await start();
    const pair = await client.onboard();
    const code = dataOf(await client.retrieve(MERCHANT)).authorization_code as string;
    await fake.revoke(component.appId, MERCHANT);
    expect(codeOf(await client.basicInfo(pair.authorizer_access_token as string))).toBe(
      version === 'v2' ? 28001003 : 40020,
    );
    expect(codeOf(await client.refresh(pair.authorizer_refresh_token as string))).toBe(40021);
    expect(codeOf(await client.exchange(code))).toBe(40018);
    expect(fake.authorizerState(component.appId, MERCHANT)).toEqual({
      status: 'revoked',
      permissionIds: [1, 2, 3, 4, 5, 6, 7, 8],
      refreshTokenReuses: 0,
    });
  });

  it('lists authorized apps by page (size <= 50) without refresh tokens', async () => {
    const { client } = await start();
    for (const appId of ['tt_a', 'tt_b', 'tt_c']) await client.onboard(appId);
    await fake.revoke(component.appId, 'tt_b');
    expect(dataOf(await client.appList(1, 1))).toEqual({
      auth_app_list: [{ auth_appid: 'tt_a', auth_time: expect.any(Number) }],
      total: 2,
    });
    expect((dataOf(await client.appList(2, 1)).auth_app_list as unknown[]).length).toBe(1);
    expect(codeOf(await client.appList(1, 51))).toBe(40001);
  });

  it('the business endpoint accepts the live token only and records accepted calls', async () => {
    const { client } = await start();
    const pair = await client.onboard();
    expect(dataOf(await client.basicInfo(pair.authorizer_access_token as string))).toMatchObject({ app_id: MERCHANT });
    expect(codeOf(await client.basicInfo())).toBe(40002);
    expect(codeOf(await client.basicInfo('forged'))).toBe(version === 'v2' ? 28001003 : 40020);
    expect(fake.businessCalls()).toEqual([{ authorizerAppId: MERCHANT, token: pair.authorizer_access_token }]);
    expect(fake.calls('basic_info')).toBe(3);
  });

  it('refuses a bad grant_type (40040) and a missing one (40002)', async () => {
    const { client } = await start();
    const path = version === 'v1' ? '/openapi/v1/oauth/token' : '/api/tpapp/v2/auth/get_auth_token/';
    expect(codeOf(await client.call('GET', path, { grant_type: 'password' }))).toBe(40040);
    expect(codeOf(await client.call('GET', path, {}))).toBe(40002);
  });
});

describe('FakeDouyinPlatform V2 200-prefixed error codes', () => {
  it('answers 20040021 / 20040004 on the endpoints configured, plain codes elsewhere', async () => {
    const { fake, client } = await startDouyin('v2', { prefixedErrorCodes: ['auth_token', 'retrieve_auth_code'] });
    try {
      const pair = await client.onboard();
      await client.refresh(pair.authorizer_refresh_token as string);
      expect(codeOf(await client.refresh(pair.authorizer_refresh_token as string))).toBe(20040021);
      expect(codeOf(await client.retrieve('tt_nobody'))).toBe(20040004);
      expect(codeOf(await client.appList(1, 51))).toBe(40001);
      expect(fake.refreshTokenReuses()).toBe(1);
    } finally {
      await fake.stop();
    }
  });

  it("'documented' prefixes retrieve and gen_link only; V1 never prefixes", async () => {
    const v2 = await startDouyin('v2', { prefixedErrorCodes: 'documented' });
    const v1 = await startDouyin('v1', { prefixedErrorCodes: 'documented' });
    try {
      expect(codeOf(await v2.client.retrieve('tt_nobody'))).toBe(20040004);
      expect(codeOf(await v2.client.call('POST', '/api/tpapp/v3/auth/gen_link/', {}, {}))).toBe(20040001);
      expect(codeOf(await v2.client.refresh('forged'))).toBe(40021);
      expect(codeOf(await v1.client.retrieve('tt_nobody'))).toBe(40004);
    } finally {
      await Promise.all([v1.fake.stop(), v2.fake.stop()]);
    }
  });
});
