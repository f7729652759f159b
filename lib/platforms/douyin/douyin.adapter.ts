import type { AxiosInstance } from 'axios';
import { OpenPlatformError } from '../../errors/open-platform.error.js';
import type { ResolvedComponent } from '../../options/resolved-options.js';
import { parseIfJson } from '../outbound-request.js';
import {
  PlatformAdapter,
  type AuthorizationLinkOptions,
  type AuthorizerGrant,
  type AuthorizerListPage,
  type ComponentToken,
  type FailureKind,
  type InboundPush,
  type OutboundRequest,
  type PlatformPush,
  type PreAuthCode,
  type PushEnvelope,
} from '../platform-adapter.js';
import { UpstreamRetry, type ResendRule } from '../upstream-retry.js';
import { apiVersionOf, callDouyin, type DouyinCall } from './douyin-api.js';
import { grantFrom, listEntries, positive, requiredString } from './douyin-answers.js';
import { parseDouyinMessage, readDouyinEnvelope } from './douyin-push.parser.js';
import { douyinCarriedTokens, douyinTakesNoToken, injectDouyinToken } from './douyin-token-transport.js';
import {
  DOUYIN_LIST_PAGE_SIZE,
  DOUYIN_TICKET_LIFETIME_MS,
  DouyinGrantTypes,
  DouyinV1Paths,
  DouyinV2Paths,
  DOUYIN_API_ORIGINS,
  DOUYIN_APP_ID,
} from './douyin.constants.js';
import {
  DOUYIN_AUTHORIZER_TOKEN_REJECTED,
  DOUYIN_CODE_INVALID,
  DOUYIN_COMPONENT_UNUSABLE,
  DOUYIN_COMPONENT_TOKEN_REJECTED,
  DOUYIN_NOT_AUTHORIZED,
  DOUYIN_REFRESH_TOKEN_INVALID,
  douyinCode,
  plainDouyinCode,
} from './douyin.errors.js';
import { douyinMessageCodec } from './douyin-messages.js';

type Json = Record<string, unknown>;

/** The calls this adapter makes, by the names its errors use (both generations). */
type DouyinEndpoint = 'tp/token' | 'pre_auth_code' | 'gen_link' | 'auth token' | 'retrieve auth code' | 'auth app list';

/** Whether each call may be sent again after a transient failure (see {@link ResendRule}). */
const DOUYIN_RESEND: Readonly<Record<DouyinEndpoint, ResendRule>> = {
  // A second fetch makes the unseen token the "previous" one (V2 keeps two): nothing breaks.
  'tp/token': 'idempotent',
  // An unused pre-auth code or link just expires.
  pre_auth_code: 'idempotent',
  gen_link: 'idempotent',
  // Code exchange and refresh: both spend a single-use credential (the authorization code, the
  // rotating refresh token). A refresh whose answer was lost is repaired by the caller instead.
  'auth token': 'single_use',
  // A new code per call; an unused one just expires.
  'retrieve auth code': 'idempotent',
  // Read only.
  'auth app list': 'idempotent',
};

/**
 * Douyin third-party mini-program platform (第三方小程序应用), both API generations. One
 * instance serves every Douyin component: the module holds one adapter per platform, and
 * components of both generations may coexist, so the generation is read from each call's
 * component. Methods that get no component (token detection in requests, error classification)
 * accept both generations' forms.
 */
export class DouyinAdapter extends PlatformAdapter {
  readonly platform = 'douyin' as const;
  readonly ticketLifetimeMs = DOUYIN_TICKET_LIFETIME_MS;
  readonly appIdRule = DOUYIN_APP_ID;
  readonly officialApiOrigins = DOUYIN_API_ORIGINS;
  readonly redirectCodeParam = 'authorization_code';
  // Refresh tokens are single use and the app list carries none: a broken chain is repaired by
  // retrieving a new authorization code and exchanging it.
  readonly chainRepair = 'reissue_code' as const;
  // A refresh rotates the refresh token: a lost answer may have spent it.
  override readonly singleUseRefreshTokens = true;
  readonly listPageSize = DOUYIN_LIST_PAGE_SIZE;

  /** @param retry how failed calls are retried; none unless given (the module always gives one). */
  constructor(
    private readonly http: AxiosInstance,
    private readonly retry: UpstreamRetry = UpstreamRetry.none(),
  ) {
    super();
  }

  /** The message URL (authorizer messages and events). */
  readonly messages = douyinMessageCodec;

  readEnvelope(inbound: InboundPush): PushEnvelope {
    return readDouyinEnvelope(inbound);
  }

  /** Tickets name no component: `componentAppId` is the component the push was decrypted for. */
  parseMessage(plaintext: string, componentAppId?: string): PlatformPush {
    return parseDouyinMessage(plaintext, componentAppId);
  }

  async fetchComponentToken(component: ResolvedComponent, ticket: string): Promise<ComponentToken> {
    const v1 = apiVersionOf(component) === 'v1';
    const data = await this.call(component, 'tp/token', {
      method: 'GET',
      path: v1 ? DouyinV1Paths.componentToken : DouyinV2Paths.componentToken,
      params: { component_appid: component.appId, component_appsecret: component.appSecret, component_ticket: ticket },
    });
    return {
      accessToken: requiredString(data, 'component_access_token', 'tp/token'),
      // The docs say 2 h but their example answers 3600: the returned value is the truth.
      expiresIn: positive(data, 'expires_in', 'tp/token'),
    };
  }

  /** A single-use pre-authorization code (V1 builds its page link on it). */
  async createPreAuthCode(component: ResolvedComponent, componentToken: string): Promise<PreAuthCode> {
    const v1 = apiVersionOf(component) === 'v1';
    const data = await this.call(component, 'pre_auth_code', {
      method: 'POST',
      path: v1 ? DouyinV1Paths.preAuthCode : DouyinV2Paths.preAuthCode,
      body: {},
      componentToken,
    });
    return {
      code: requiredString(data, 'pre_auth_code', 'pre_auth_code'),
      expiresIn: positive(data, 'expires_in', 'pre_auth_code'),
    };
  }

  pageOptionsProblem(o: Omit<AuthorizationLinkOptions, 'redirectUri'>): string | undefined {
    // Douyin authorizes mini programs only, chosen by the merchant on the page.
    if (o.authType !== undefined) return 'authType is not supported on Douyin';
    if (o.bizAppId !== undefined) return 'bizAppId is not supported on Douyin';
    return undefined;
  }

  /**
   * V2: a link generated by `gen_link` (valid 24 h). V1: the authorization page with a fresh
   * pre-auth code. Douyin has one page for PC and mobile, so `mobile` changes nothing.
   */
  async authorizationLink(
    component: ResolvedComponent,
    componentToken: string,
    options: AuthorizationLinkOptions,
  ): Promise<string> {
    if (apiVersionOf(component) === 'v2') {
      const data = await this.call(component, 'gen_link', {
        method: 'POST',
        path: DouyinV2Paths.genLink,
        // link_type 1: authorize an existing mini program (2 creates one on the merchant's behalf).
        body: { link_type: 1, redirect_uri: options.redirectUri },
        componentToken,
      });
      return requiredString(data, 'link', 'gen_link');
    }
    const pre = await this.createPreAuthCode(component, componentToken);
    const query = new URLSearchParams({
      component_appid: component.appId,
      pre_auth_code: pre.code,
      redirect_uri: options.redirectUri,
    });
    return `${component.authorizePageUrl}?${query.toString()}`;
  }

  async exchangeCode(component: ResolvedComponent, componentToken: string, code: string): Promise<AuthorizerGrant> {
    const data = await this.authToken(component, componentToken, {
      grant_type: DouyinGrantTypes.code,
      authorization_code: code,
    });
    return grantFrom(data, 'auth token');
  }

  async refreshAuthorizerToken(
    component: ResolvedComponent,
    componentToken: string,
    authorizerAppId: string,
    refreshToken: string,
  ): Promise<AuthorizerGrant> {
    const data = await this.authToken(component, componentToken, {
      grant_type: DouyinGrantTypes.refresh,
      authorizer_refresh_token: refreshToken,
    });
    return grantFrom(data, 'auth token', authorizerAppId);
  }

  override async retrieveAuthorizationCode(
    component: ResolvedComponent,
    componentToken: string,
    authorizerAppId: string,
  ): Promise<string> {
    const v1 = apiVersionOf(component) === 'v1';
    const data = await this.call(component, 'retrieve auth code', {
      method: 'POST',
      path: v1 ? DouyinV1Paths.retrieveAuthCode : DouyinV2Paths.retrieveAuthCode,
      params: v1 ? { authorization_appid: authorizerAppId } : undefined,
      body: v1 ? {} : { authorization_appid: authorizerAppId },
      componentToken,
    });
    return requiredString(data, 'authorization_code', 'retrieve auth code');
  }

  /** Douyin pages count from 1; `page` here counts from 0. */
  async listAuthorizers(
    component: ResolvedComponent,
    componentToken: string,
    page: number,
  ): Promise<AuthorizerListPage> {
    const v1 = apiVersionOf(component) === 'v1';
    const data = await this.call(component, 'auth app list', {
      method: 'GET',
      path: v1 ? DouyinV1Paths.authAppList : DouyinV2Paths.authAppList,
      params: { page: page + 1, size: this.listPageSize },
      componentToken,
    });
    return { total: Number(data.total) || 0, entries: listEntries(data.auth_app_list) };
  }

  failureKind(error: unknown): FailureKind | undefined {
    if (!(error instanceof OpenPlatformError) || error.platform !== 'douyin' || typeof error.code !== 'number')
      return undefined;
    const code = plainDouyinCode(error.code);
    if (DOUYIN_COMPONENT_TOKEN_REJECTED.has(code) || DOUYIN_AUTHORIZER_TOKEN_REJECTED.has(code))
      return 'token_rejected';
    if (code === DOUYIN_REFRESH_TOKEN_INVALID) return 'refresh_token_invalid';
    if (code === DOUYIN_CODE_INVALID) return 'code_invalid';
    if (DOUYIN_NOT_AUTHORIZED.has(code)) return 'not_authorized';
    if (DOUYIN_COMPONENT_UNUSABLE.has(code)) return 'component_unusable';
    return undefined;
  }

  injectToken(
    config: OutboundRequest,
    token: string,
    kind: 'component' | 'authorizer',
    component: ResolvedComponent,
  ): void {
    injectDouyinToken(config, token, kind, apiVersionOf(component), component.appId);
  }

  /**
   * The code when a business answer (V2 envelope, flat, or `open.douyin.com`'s `error_code`)
   * says the token it carried is invalid or expired. Component token codes count too: the
   * interceptor injects component tokens as well, and knows which kind it injected.
   */
  rejectedTokenCode(responseData: unknown): number | undefined {
    const data = parseIfJson(responseData);
    if (!data) return undefined;
    const code = douyinCode(data);
    const plain = plainDouyinCode(code);
    return DOUYIN_AUTHORIZER_TOKEN_REJECTED.has(plain) || DOUYIN_COMPONENT_TOKEN_REJECTED.has(plain) ? code : undefined;
  }

  carriedTokens(request: OutboundRequest): string[] {
    return douyinCarriedTokens(request);
  }

  takesNoToken(request: OutboundRequest): boolean {
    return douyinTakesNoToken(request);
  }

  /** `get_auth_token` (V2) or `oauth/token` (V1): one endpoint for exchange and refresh. */
  private authToken(component: ResolvedComponent, componentToken: string, params: Record<string, string>) {
    const v1 = apiVersionOf(component) === 'v1';
    return this.call(component, 'auth token', {
      method: 'GET',
      path: v1 ? DouyinV1Paths.oauthToken : DouyinV2Paths.authToken,
      params,
      componentToken,
    });
  }

  /** One upstream call, retried as {@link DOUYIN_RESEND} allows. */
  private call(component: ResolvedComponent, endpoint: DouyinEndpoint, c: DouyinCall): Promise<Json> {
    const call = {
      platform: 'douyin' as const,
      componentAppId: component.appId,
      endpoint,
      resend: DOUYIN_RESEND[endpoint],
      method: c.method,
      route: c.path,
      baseUrl: component.apiBaseUrl,
    };
    const options = { freshConnection: call.resend === 'single_use' };
    return this.retry.run(call, () => callDouyin(this.http, component, endpoint, c, options));
  }
}
