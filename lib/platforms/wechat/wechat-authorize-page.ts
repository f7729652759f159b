import type { ResolvedComponent } from '../../options/resolved-options.js';
import type { AuthorizationLinkOptions } from '../platform-adapter.js';
import { WECHAT_AUTHORIZE_PAGE_URL, WECHAT_H5_AUTHORIZE_PAGE_URL } from './wechat.constants.js';

const H5_PATH = '/wxaopen/safe/bindcomponent';

/**
 * The merchant authorization link: the PC page, or the H5 page for `mobile`.
 * With a custom `authorizePageUrl` (the emulator), the H5 page is looked up on the same host.
 */
export function authorizationPageUrl(
  component: ResolvedComponent,
  o: AuthorizationLinkOptions & { preAuthCode: string },
): string {
  const query = new URLSearchParams();
  if (o.mobile) {
    query.set('action', 'bindcomponent');
    query.set('no_scan', '1');
  }
  query.set('component_appid', component.appId);
  query.set('pre_auth_code', o.preAuthCode);
  query.set('redirect_uri', o.redirectUri);
  query.set('auth_type', String(o.authType ?? 3));
  if (o.bizAppId) query.set('biz_appid', o.bizAppId);
  if (!o.mobile) return `${component.authorizePageUrl}?${query.toString()}`;
  const h5 =
    component.authorizePageUrl === WECHAT_AUTHORIZE_PAGE_URL
      ? WECHAT_H5_AUTHORIZE_PAGE_URL
      : new URL(H5_PATH, component.authorizePageUrl).toString();
  return `${h5}?${query.toString()}#wechat_redirect`;
}
