/** The platform's own messages for the codes the emulator answers. */
export const WECHAT_ERRMSG: Readonly<Record<number, string>> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40013: 'invalid appid',
  40014: 'invalid access_token',
  40097: 'invalid args',
  40125: 'invalid appsecret',
  41001: 'access_token missing',
  41004: 'appsecret missing',
  42001: 'access_token expired',
  45009: 'reach max api daily quota limit',
  47001: 'data format error',
  61003: 'component is not authorized by this account',
  61004: 'access clientip is not registered',
  61005: 'component_verify_ticket is expired',
  61006: 'component_verify_ticket is invalid',
  61009: 'code is invalid',
  61010: 'code is expired',
  61023: 'refresh_token is invalid',
};

/** WeChat answers business errors as HTTP 200 with this envelope. */
export interface WeChatErrorBody {
  errcode: number;
  errmsg: string;
}

export function wechatError(errcode: number, errmsg = WECHAT_ERRMSG[errcode] ?? 'injected error'): WeChatErrorBody {
  return { errcode, errmsg };
}
