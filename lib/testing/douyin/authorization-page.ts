import type { FakeReply, FakeRequest } from '../core/fake-http-server.js';
import { isHttpUrl, textPage, withQuery } from '../core/page-helpers.js';
import type { DouyinState } from './douyin-state.js';

/** The authorization page, the emulator's `open.microapp.bytedance.com/mappconsole/tp/authorization`. */
export const AUTHORIZATION_PAGE = '/mappconsole/tp/authorization';

/**
 * The queued merchant consents: `302 redirect_uri?authorization_code=X&expires_in=…`, then the
 * `AUTHORIZED` push of the same code. Errors are plain-text pages (400, or 409 when no merchant is
 * waiting) and never consume the pre-auth code.
 */
export function authorizationPage(state: DouyinState, request: FakeRequest): FakeReply {
  const query = request.query;
  state.recordPageQuery(Object.fromEntries(query));
  const componentAppId = query.get('component_appid') ?? '';
  if (!state.components.has(componentAppId)) {
    return textPage(400, `component_appid is missing or unknown: "${componentAppId}"`);
  }
  const preAuthCode = query.get('pre_auth_code') ?? '';
  const codeState = state.codes.checkPreAuthCode(componentAppId, preAuthCode);
  if (codeState !== 'valid')
    return textPage(400, `pre_auth_code is ${codeState === 'unknown' ? 'invalid' : codeState}`);
  const redirectUri = query.get('redirect_uri') ?? '';
  if (!isHttpUrl(redirectUri)) return textPage(400, `redirect_uri must be an http or https URL: "${redirectUri}"`);
  const merchant = state.merchants.peek(componentAppId);
  if (!merchant) return textPage(409, 'no merchant is waiting to authorize: call queueMerchant()');

  state.merchants.remove(merchant);
  state.codes.consumePreAuthCode(preAuthCode);
  const record = state.authorizers.consent(componentAppId, merchant);
  const code = state.codes.issueAuthCode(componentAppId, record.authorizerAppId, record.generation);
  const push = state.codePush(componentAppId, record.authorizerAppId, code, 'AUTHORIZED');
  const params = `authorization_code=${encodeURIComponent(code)}&expires_in=${state.codes.authCodeExpiresIn}`;
  return {
    status: 302,
    text: '',
    contentType: 'text/plain; charset=utf-8',
    headers: { location: withQuery(redirectUri, params) },
    afterSend: push && (() => void push()),
  };
}
