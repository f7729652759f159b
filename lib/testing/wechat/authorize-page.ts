import type { FakeReply, FakeRequest } from '../core/fake-http-server.js';
import type { MerchantQueue } from '../core/merchant-queue.js';
import { isHttpUrl, textPage, withQuery } from '../core/page-helpers.js';
import type { AuthorizationCodeBook } from './authorization-codes.js';
import type { FakeWeChatQueuedMerchant } from './fake-wechat-authorization.types.js';
import type { FakeWeChatComponent } from './fake-wechat.types.js';

/** What the page reads from and does to the emulator. */
export interface AuthorizePageDeps {
  components: ReadonlyMap<string, FakeWeChatComponent>;
  codes: AuthorizationCodeBook;
  queue: MerchantQueue<FakeWeChatQueuedMerchant>;
  pushBeforeRedirect: boolean;
  recordQuery(query: Record<string, string>): void;
  /**
   * Applies the merchant's consent. `push`, present when the component has an events URL, sends
   * the authorization event; it is tracked by the emulator and never rejects.
   */
  consent(
    componentAppId: string,
    merchant: FakeWeChatQueuedMerchant,
    preAuthCode: string,
  ): { authorizationCode: string; push?: () => Promise<unknown> };
}

/** `pc` = `/cgi-bin/componentloginpage`, `h5` = `/wxaopen/safe/bindcomponent?action=bindcomponent`. */
export type AuthorizePageVariant = 'pc' | 'h5';

/**
 * The authorization page: checks its query, lets the queued merchant consent, and redirects to
 * `redirect_uri?auth_code=…&expires_in=…`. Errors are plain-text pages (400, or 409 when no
 * merchant is waiting) and never consume the pre-auth code.
 */
export async function authorizePage(
  deps: AuthorizePageDeps,
  request: FakeRequest,
  variant: AuthorizePageVariant,
): Promise<FakeReply> {
  const query = request.query;
  deps.recordQuery(Object.fromEntries(query));
  if (variant === 'h5' && query.get('action') !== 'bindcomponent') return textPage(400, 'action must be bindcomponent');

  const componentAppId = query.get('component_appid') ?? '';
  if (!deps.components.has(componentAppId))
    return textPage(400, `component_appid is missing or unknown: "${componentAppId}"`);

  const preAuthCode = query.get('pre_auth_code');
  if (!preAuthCode) return textPage(400, 'pre_auth_code is missing');
  const codeState = deps.codes.checkPreAuthCode(componentAppId, preAuthCode);
  if (codeState === 'unknown') return textPage(400, 'pre_auth_code is invalid: not issued for this component_appid');
  if (codeState === 'used') return textPage(400, 'pre_auth_code has already been used');
  if (codeState === 'expired') return textPage(400, 'pre_auth_code is expired');

  const redirectUri = query.get('redirect_uri');
  if (!redirectUri) return textPage(400, 'redirect_uri is missing');
  if (!isHttpUrl(redirectUri)) return textPage(400, `redirect_uri must be an http or https URL: "${redirectUri}"`);

  const merchant = deps.queue.peek(componentAppId);
  if (!merchant) return textPage(409, 'no merchant is waiting to authorize: call queueMerchant()');
  const bizAppId = query.get('biz_appid');
  if (bizAppId && bizAppId !== merchant.authorizerAppId) {
    return textPage(400, `biz_appid ${bizAppId} does not match the merchant authorizing (${merchant.authorizerAppId})`);
  }

  deps.queue.remove(merchant);
  deps.codes.consumePreAuthCode(preAuthCode);
  const { authorizationCode, push } = deps.consent(componentAppId, merchant, preAuthCode);
  const location = withQuery(
    redirectUri,
    `auth_code=${encodeURIComponent(authorizationCode)}&expires_in=${deps.codes.authCodeExpiresIn}`,
  );
  if (push && deps.pushBeforeRedirect) await push();
  const afterSend = push && !deps.pushBeforeRedirect ? () => void push() : undefined;
  return { status: 302, text: '', contentType: 'text/plain; charset=utf-8', headers: { location }, afterSend };
}
