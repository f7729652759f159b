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
