import type { FakeHttpServer } from '../core/fake-http-server.js';
import { authorizePage, type AuthorizePageDeps } from './authorize-page.js';
import * as endpoints from './authorizer-endpoints.js';
import { getAccountBasicInfo, type BusinessEndpointState } from './business-endpoints.js';
import type { FakeWeChatEndpointName } from './fake-wechat.types.js';

/** Path of the PC authorization page. */
export const PC_AUTHORIZE_PAGE = '/cgi-bin/componentloginpage';
/** Path of the H5 authorization page. */
export const H5_AUTHORIZE_PAGE = '/wxaopen/safe/bindcomponent';

/** Registers the authorization part of the emulator: component APIs, business endpoint, pages. */
export function registerAuthorizerRoutes(
  server: FakeHttpServer<FakeWeChatEndpointName>,
  state: endpoints.AuthorizerEndpointState,
  business: BusinessEndpointState,
  page: AuthorizePageDeps,
): void {
  const base = '/cgi-bin/component';
  server.route('POST', `${base}/api_create_preauthcode`, 'api_create_preauthcode', (r) =>
    endpoints.apiCreatePreAuthCode(state, r),
  );
  server.route('POST', `${base}/api_query_auth`, 'api_query_auth', (r) => endpoints.apiQueryAuth(state, r));
  server.route('POST', `${base}/api_authorizer_token`, 'api_authorizer_token', (r) =>
    endpoints.apiAuthorizerToken(state, r),
  );
  server.route('POST', `${base}/api_get_authorizer_info`, 'api_get_authorizer_info', (r) =>
    endpoints.apiGetAuthorizerInfo(state, r),
  );
  server.route('POST', `${base}/api_get_authorizer_list`, 'api_get_authorizer_list', (r) =>
    endpoints.apiGetAuthorizerList(state, r),
  );
  for (const method of ['GET', 'POST']) {
    server.route(method, '/cgi-bin/account/getaccountbasicinfo', 'getaccountbasicinfo', (r) =>
      getAccountBasicInfo(business, r),
    );
  }
  server.route('GET', PC_AUTHORIZE_PAGE, 'componentloginpage', (r) => authorizePage(page, r, 'pc'));
  server.route('GET', H5_AUTHORIZE_PAGE, 'bindcomponent', (r) => authorizePage(page, r, 'h5'));
}
