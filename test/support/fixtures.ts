import type { ComponentOptions } from '../../lib/index.js';
import type { FakeDouyinEndpoint, FakeWeChatEndpoint } from '../../lib/testing/index.js';

/** Component credentials shared by the app under test and the emulator. */
export const COMPONENT_A = {
  appId: 'wx_component_a',
  appSecret: 'secret-a-must-not-leak',
  token: 'token-a',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};
export const COMPONENT_B = {
  appId: 'wx_component_b',
  appSecret: 'secret-b-must-not-leak',
  token: 'token-b',
  encodingAesKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR',
};

export function wechatComponent(c: typeof COMPONENT_A, apiBaseUrl: string): ComponentOptions {
  return { platform: 'wechat', ...c, apiBaseUrl, authorizePageUrl: `${apiBaseUrl}/cgi-bin/componentloginpage` };
}

/**
 * The retry policy of the e2e apps: the default number of attempts, with backoffs of a few
 * milliseconds so that suites stay fast (the default 200 ms / 2 s would only slow them down).
 */
export const TEST_RETRY = { attempts: 3, baseDelayMs: 2, maxDelayMs: 10 };
/** How many times a fault must be injected to outlast every attempt of one upstream call. */
export const ATTEMPTS = TEST_RETRY.attempts;

/** Every WeChat emulator endpoint with a call counter: a suite that expects no platform call checks them all. */
export const WECHAT_ENDPOINTS: readonly FakeWeChatEndpoint[] = [
  'api_component_token',
  'api_start_push_ticket',
  'api_create_preauthcode',
  'api_query_auth',
  'api_authorizer_token',
  'api_get_authorizer_info',
  'api_get_authorizer_list',
  'getaccountbasicinfo',
  'componentloginpage',
  'bindcomponent',
];

/** Every Douyin emulator endpoint with a call counter (both generations). */
export const DOUYIN_ENDPOINTS: readonly FakeDouyinEndpoint[] = [
  'tp_token',
  'pre_auth_code',
  'gen_link',
  'authorization_page',
  'auth_token',
  'retrieve_auth_code',
  'auth_app_list',
  'basic_info',
];
