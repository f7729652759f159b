import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RedisClientType } from '@keyv/redis';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deleteUnder, rawClient, REDIS_URL, uniquePrefix } from '../lib/store/redis/spec-helpers.js';
import { runCli } from './support/cli.js';
import { COMPONENT_A, wechatComponent } from './support/fixtures.js';
import { FakeDouyinPlatform } from '../lib/testing/index.js';
import { ManualClock } from './support/manual-clock.js';
import { DOUYIN_COMPONENT, startDouyinHarness } from './support/douyin-harness.js';
import { startHarness, type Harness } from './support/harness.js';

const dir = join(import.meta.dirname, '..', '.tmp', `cli-import-app-${process.pid}`);
const file = (name: string) => join(dir, name);

/**
 * Moving merchants over from another system: refresh tokens imported by the CLI (from a JSON file
 * and from WxJava's Redis layout) are served by an app on that store, from the emulator, with no
 * merchant authorizing again; `--verify` proves a chain with one refresh through the module.
 */
describe('CLI import → an app serves the imported authorizers', () => {
  const prefix = uniquePrefix('cli-app');
  const wxjavaPrefix = uniquePrefix('wxjava');
  let h: Harness;
  let client: RedisClientType;
  const merchant = async (authorizerAppId: string) => {
    await h.fake.authorize({ componentAppId: COMPONENT_A.appId, authorizerAppId, push: false });
    return h.fake.authorizerState(COMPONENT_A.appId, authorizerAppId)!.refreshToken!;
  };

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    client = await rawClient();
    h = await startHarness({ singleComponent: true, options: { redis: { url: REDIS_URL, keyPrefix: prefix } } });
    await h.fake.pushTicket(h.eventsUrl(), COMPONENT_A.appId);
  });

  afterAll(async () => {
    await h.close();
    await deleteUnder(client, prefix);
    await deleteUnder(client, wxjavaPrefix);
    client.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('from a JSON file and from WxJava keys, with no re-authorization', async () => {
    const fromJson = await merchant('wx_imp_json');
    const fromWxJava = await merchant('wx_imp_wxjava');
    writeFileSync(
      file('rows.json'),
      JSON.stringify([
        {
          platform: 'wechat',
          componentAppId: COMPONENT_A.appId,
          authorizerAppId: 'wx_imp_json',
          refreshToken: fromJson,
        },
      ]),
    );
    // WxJava's layout (AbstractWxOpenInRedisConfigStorage):
    // {prefix}:wechat_authorizer_refresh_token:{component}:{authorizer}.
    await client.set(`${wxjavaPrefix}:wechat_authorizer_refresh_token:${COMPONENT_A.appId}:wx_imp_wxjava`, fromWxJava);
    await client.set(`${wxjavaPrefix}:wechat_authorizer_refresh_token:${COMPONENT_A.appId}:a:b`, 'x'); // not the layout
    await client.set(`${wxjavaPrefix}:wechat_authorizer_access_token:${COMPONENT_A.appId}:wx_imp_wxjava`, 'not-read');

    const store = ['--store', REDIS_URL, '--key-prefix', prefix];
    const json = await runCli(['import', file('rows.json'), ...store, '--json']);
    expect(json.code).toBe(0);
    const wxjava = await runCli([
      'import',
      '--from',
      'wxjava-redis',
      '--redis',
      REDIS_URL,
      '--source-key-prefix',
      wxjavaPrefix,
      ...store,
      '--json',
    ]);
    expect(wxjava.code).toBe(3);
    expect(JSON.parse(wxjava.stdout)).toMatchObject({ source: 'wxjava-redis', rows: 2, imported: 1, refused: 1 });
    expect(wxjava.stderr).toMatch(/refused wxjava key .*:a:b: the key is not/);
    expect(wxjava.stderr + wxjava.stdout).not.toContain(fromWxJava);

    for (const authorizerAppId of ['wx_imp_json', 'wx_imp_wxjava']) {
      const token = await h.tokens.getAuthorizerAccessToken(authorizerAppId, { componentAppId: COMPONENT_A.appId });
      expect(h.fake.authorizerOfToken(token)).toBe(authorizerAppId);
      expect(await h.tokens.getAuthorizer(authorizerAppId, COMPONENT_A.appId)).toMatchObject({ status: 'active' });
    }
    expect(h.fake.calls('api_query_auth')).toBe(0); // nobody authorized again
  });

  it('--verify refreshes each imported chain once through the module', async () => {
    const refreshToken = await merchant('wx_imp_verify');
    writeFileSync(
      file('verify.json'),
      JSON.stringify([
        { platform: 'wechat', componentAppId: COMPONENT_A.appId, authorizerAppId: 'wx_imp_verify', refreshToken },
        { platform: 'wechat', componentAppId: COMPONENT_A.appId, authorizerAppId: 'wx_imp_dead', refreshToken: 'dead' },
      ]),
    );
    writeFileSync(
      file('app.json'),
      JSON.stringify({
        components: [wechatComponent(COMPONENT_A, h.fake.baseUrl)],
        redis: { url: REDIS_URL, keyPrefix: prefix },
        retry: { attempts: 1 },
      }),
    );
    const before = h.fake.calls('api_authorizer_token');
    const run = await runCli([
      'import',
      file('verify.json'),
      '--store',
      REDIS_URL,
      '--key-prefix',
      prefix,
      '--verify',
      '--config',
      file('app.json'),
      '--verify-rate',
      '50',
      '--json',
    ]);
    expect(JSON.parse(run.stdout)).toMatchObject({ imported: 2, verified: 1, verifyFailed: 1 });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/verify failed for wx_imp_dead/);
    expect(run.stderr + run.stdout).not.toContain(refreshToken);
    expect(run.stderr).not.toContain(COMPONENT_A.appSecret);
    expect(h.fake.calls('api_authorizer_token') - before).toBeGreaterThanOrEqual(2);

    const status = await runCli(['status', '--config', file('app.json')]);
    expect(status.code).toBe(0);
    const facts = JSON.parse(status.stdout);
    expect(facts.components[0]).toMatchObject({ componentAppId: COMPONENT_A.appId, ticket: { held: true } });
    expect(status.stdout).not.toContain(refreshToken);
  });

  it('Douyin, from CSV: the app on the imported store spends the single-use refresh token exactly once', async () => {
    // The system being left: an app of its own that onboarded the merchant.
    const clock = new ManualClock();
    const fake = new FakeDouyinPlatform({ components: [DOUYIN_COMPONENT], now: () => clock.now() });
    await fake.start();
    const old = await startDouyinHarness('v2', { shared: { fake, clock } });
    let refreshToken: string;
    try {
      await fake.pushTicket(old.eventsUrl, DOUYIN_COMPONENT.appId);
      await old.tokens.exchangeAuthorizationCode(
        (await fake.authorize({ componentAppId: DOUYIN_COMPONENT.appId, authorizerAppId: 'tt_imp', push: false }))
          .authorizationCode,
        DOUYIN_COMPONENT.appId,
      );
      const state = fake.authorizerState(DOUYIN_COMPONENT.appId, 'tt_imp')!;
      refreshToken = state.refreshToken!;
      writeFileSync(
        file('douyin.csv'),
        'platform,componentAppId,authorizerAppId,refreshToken,refreshTokenExpiresAt\n' +
          `douyin,${DOUYIN_COMPONENT.appId},tt_imp,${refreshToken},${state.refreshTokenExpiresAt}\n`,
      );
    } finally {
      await old.close();
    }
    const douyinPrefix = uniquePrefix('cli-douyin');
    const imported = await runCli(['import', file('douyin.csv'), '--store', REDIS_URL, '--key-prefix', douyinPrefix]);
    expect(imported.code).toBe(0);

    const app = await startDouyinHarness('v2', {
      shared: { fake, clock },
      options: { redis: { url: REDIS_URL, keyPrefix: douyinPrefix } },
    });
    try {
      await fake.pushTicket(app.eventsUrl, DOUYIN_COMPONENT.appId);
      fake.resetCalls();
      const token = await app.tokens.getAuthorizerAccessToken('tt_imp', { componentAppId: DOUYIN_COMPONENT.appId });
      expect(fake.isAuthorizerTokenValid(token)).toBe(true);
      expect(fake.calls('auth_token')).toBe(1); // one refresh, with the imported token
      expect(fake.refreshTokenReuses('tt_imp')).toBe(0);
      expect(fake.calls('retrieve_auth_code')).toBe(0); // no chain repair, no re-authorization
      expect(fake.authorizerState(DOUYIN_COMPONENT.appId, 'tt_imp')!.refreshToken).not.toBe(refreshToken);
    } finally {
      await app.close();
      await fake.stop();
      await deleteUnder(client, douyinPrefix);
    }
  });
});
