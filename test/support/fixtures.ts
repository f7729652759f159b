import type { ComponentOptions } from '../../lib/index.js';

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
