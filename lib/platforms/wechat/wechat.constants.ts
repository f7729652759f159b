export const WECHAT_API_BASE_URL = 'https://api.weixin.qq.com';
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
