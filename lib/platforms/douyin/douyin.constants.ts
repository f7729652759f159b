import { ANY_PLATFORM_APP_ID, type AppIdRule } from '../../app-id.js';

/** API host of the current generation (V2, `open.douyin.com`). */
export const DOUYIN_V2_API_BASE_URL = 'https://open.douyin.com';
/** API host of the first generation (V1, `open.microapp.bytedance.com`). */
export const DOUYIN_V1_API_BASE_URL = 'https://open.microapp.bytedance.com';
/**
 * The merchant authorization page. V1 builds its link on it (`component_appid`, `pre_auth_code`,
 * `redirect_uri`); V2 asks `gen_link` for a ready link instead, so there it is only a default.
 */
export const DOUYIN_AUTHORIZE_PAGE_URL = 'https://open.microapp.bytedance.com/mappconsole/tp/authorization';
/**
 * The official hosts that take a component's or an authorizer's tokens: both generations' API
 * hosts, and the mini-program capability hosts that take an authorizer token in place of the
 * mini program's own (Douyin's "代调用环节说明" page,
 * https://developer.open-douyin.com/docs/resource/zh-CN/thirdparty/overview-guide/smallprogram/callinterface).
 */
export const DOUYIN_API_ORIGINS: readonly string[] = [
  DOUYIN_V2_API_BASE_URL,
  DOUYIN_V1_API_BASE_URL,
  'https://developer.toutiao.com',
  'https://developer-product.zijieapi.com',
];
/** Real appids are `tt` + 16 hex digits; the emulator's readable ones (`tt_shop_1`) must work too. */
export const DOUYIN_APP_ID: AppIdRule = ANY_PLATFORM_APP_ID;
/** `component_ticket` lifetime: 3 hours after the platform created it. */
export const DOUYIN_TICKET_LIFETIME_MS = 3 * 60 * 60 * 1000;
/** `get_auth_app_list` accepts size ≤ 50. */
export const DOUYIN_LIST_PAGE_SIZE = 50;
/** The header that carries every token on V2 (component and authorizer alike). */
export const DOUYIN_TOKEN_HEADER = 'access-token';

/** First generation endpoints (flat answers, tokens in the query). */
export const DouyinV1Paths = {
  componentToken: '/openapi/v1/auth/tp/token',
  // The V1 host names its pre-auth code endpoint v2; it still belongs to the V1 generation.
  preAuthCode: '/openapi/v2/auth/pre_auth_code',
  oauthToken: '/openapi/v1/oauth/token',
  retrieveAuthCode: '/openapi/v1/auth/retrieve',
  authAppList: '/openapi/v1/tp/auth_app_list',
} as const;

/** Current generation endpoints (`{err_no, err_msg, log_id, data}` answers, tokens in a header). */
export const DouyinV2Paths = {
  componentToken: '/openapi/v2/auth/tp/token/',
  preAuthCode: '/api/tpapp/v3/auth/get_pre_auth_code/',
  genLink: '/api/tpapp/v3/auth/gen_link/',
  authToken: '/api/tpapp/v2/auth/get_auth_token/',
  retrieveAuthCode: '/api/tpapp/v2/auth/retrieve_auth_code/',
  authAppList: '/api/tpapp/v2/auth/get_auth_app_list/',
} as const;

export const DouyinGrantTypes = {
  code: 'app_to_tp_authorization_code',
  refresh: 'app_to_tp_refresh_token',
} as const;
