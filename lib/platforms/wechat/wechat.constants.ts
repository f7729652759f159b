import { ANY_PLATFORM_APP_ID, type AppIdRule } from '../../app-id.js';

export const WECHAT_API_BASE_URL = 'https://api.weixin.qq.com';
/**
 * The official API domains: general, general disaster recovery, Shanghai, Shenzhen, Hong Kong
 * ("API Domain Name Description",
 * https://developers.weixin.qq.com/doc/service/en/Basic_Information/Interface_field_description.html).
 */
export const WECHAT_API_ORIGINS: readonly string[] = [
  'https://api.weixin.qq.com',
  'https://api2.weixin.qq.com',
  'https://sh.api.weixin.qq.com',
  'https://sz.api.weixin.qq.com',
  'https://hk.api.weixin.qq.com',
];
/** Real appids are `wx` + 16 hex digits; the emulator's readable ones (`wx_shop_1`) must work too. */
export const WECHAT_APP_ID: AppIdRule = ANY_PLATFORM_APP_ID;
export const WECHAT_AUTHORIZE_PAGE_URL = 'https://mp.weixin.qq.com/cgi-bin/componentloginpage';
export const WECHAT_H5_AUTHORIZE_PAGE_URL = 'https://open.weixin.qq.com/wxaopen/safe/bindcomponent';
/** component_verify_ticket lifetime. */
export const WECHAT_TICKET_LIFETIME_MS = 12 * 60 * 60 * 1000;
/** api_get_authorizer_list accepts count ≤ 500. */
export const WECHAT_LIST_PAGE_SIZE = 500;

export const WeChatPaths = {
  componentToken: '/cgi-bin/component/api_component_token',
  startPushTicket: '/cgi-bin/component/api_start_push_ticket',
  preAuthCode: '/cgi-bin/component/api_create_preauthcode',
  queryAuth: '/cgi-bin/component/api_query_auth',
  authorizerToken: '/cgi-bin/component/api_authorizer_token',
  authorizerInfo: '/cgi-bin/component/api_get_authorizer_info',
  authorizerList: '/cgi-bin/component/api_get_authorizer_list',
} as const;
