import type { AxiosInstance } from 'axios';
import { sentCredentials } from '../../errors/redact.js';
import { OpenPlatformError } from '../../errors/open-platform.error.js';
import type { ResolvedComponent } from '../../options/resolved-options.js';
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
import { answerFields, asObject, type Json } from '../answer-fields.js';
import { getQueryParam, parseIfJson, setQueryParam } from '../outbound-request.js';
import { callUpstream } from '../upstream-call.js';
import { UpstreamRetry, type ResendRule } from '../upstream-retry.js';
import { authorizationPageUrl } from './wechat-authorize-page.js';
import {
  WECHAT_API_ORIGINS,
  WECHAT_APP_ID,
  WECHAT_LIST_PAGE_SIZE,
  WECHAT_TICKET_LIFETIME_MS,
  WeChatPaths,
} from './wechat.constants.js';
import {
  WECHAT_CODE_INVALID_CODES,
  WECHAT_COMPONENT_UNUSABLE_CODES,
  WECHAT_NOT_AUTHORIZED,
  WECHAT_REFRESH_TOKEN_INVALID,
  WECHAT_TOKEN_REJECTED_CODES,
  weChatErrcode,
  weChatError,
} from './wechat.errors.js';
import { parseWeChatMessage, readWeChatEnvelope } from './wechat-push.parser.js';
import { wechatMessageCodec } from './wechat-messages.js';

const { malformed, requiredString, positive } = answerFields('wechat');

/** Where requests carry tokens: business APIs as access_token, component APIs as component_access_token. */
const WECHAT_TOKEN_PARAMS = ['access_token', 'component_access_token'];
/** Endpoints that authenticate with the component secret instead of a token. */
const WECHAT_TOKENLESS_PATHS = [WeChatPaths.componentToken, WeChatPaths.startPushTicket];

/** The component APIs this adapter calls. */
type WeChatEndpoint =
  | 'api_component_token'
  | 'api_create_preauthcode'
  | 'api_query_auth'
  | 'api_authorizer_token'
  | 'api_get_authorizer_list';

/** Whether each call may be sent again after a transient failure (see {@link ResendRule}). */
const WECHAT_RESEND: Readonly<Record<WeChatEndpoint, ResendRule>> = {
  // A second fetch supersedes a token nobody received; the one we keep is the latest.
  api_component_token: 'idempotent',
  // A pre-auth code nobody received just expires.
  api_create_preauthcode: 'idempotent',
  // The authorization code works once: after a lost answer a second send is refused.
  api_query_auth: 'single_use',
  // WeChat refresh tokens are not spent by a refresh, and the previous access token keeps a grace.
  api_authorizer_token: 'idempotent',
  // Read only.
  api_get_authorizer_list: 'idempotent',
};

/** WeChat Open Platform (第三方平台). */
export class WeChatAdapter extends PlatformAdapter {
  readonly platform = 'wechat' as const;
  readonly ticketLifetimeMs = WECHAT_TICKET_LIFETIME_MS;
  readonly appIdRule = WECHAT_APP_ID;
  readonly officialApiOrigins = WECHAT_API_ORIGINS;
  readonly redirectCodeParam = 'auth_code';
  // api_get_authorizer_list carries each authorizer's current refresh token.
  readonly chainRepair = 'authorizer_list' as const;
  readonly listPageSize = WECHAT_LIST_PAGE_SIZE;

  /** @param retry how failed calls are retried; none unless given (the module always gives one). */
  constructor(
    private readonly http: AxiosInstance,
    private readonly retry: UpstreamRetry = UpstreamRetry.none(),
  ) {
    super();
  }

  /** The message URL (authorizer messages and events). */
  readonly messages = wechatMessageCodec;

  readEnvelope(inbound: InboundPush): PushEnvelope {
    return readWeChatEnvelope(inbound);
  }

  parseMessage(plaintext: string): PlatformPush {
    return parseWeChatMessage(plaintext);
  }

  async fetchComponentToken(component: ResolvedComponent, ticket: string): Promise<ComponentToken> {
    const data = await this.post(component, 'api_component_token', WeChatPaths.componentToken, {
      component_appid: component.appId,
      component_appsecret: component.appSecret,
      component_verify_ticket: ticket,
    });
    const accessToken = requiredString(data, 'component_access_token', 'api_component_token');
    return { accessToken, expiresIn: positive(data, 'expires_in', 'api_component_token') };
  }

  /** A fresh single-use pre-auth code on the PC page, or the H5 page for `mobile`. */
  async authorizationLink(
    component: ResolvedComponent,
    componentToken: string,
    options: AuthorizationLinkOptions,
  ): Promise<string> {
    const pre = await this.createPreAuthCode(component, componentToken);
    return authorizationPageUrl(component, { ...options, preAuthCode: pre.code });
  }

  private async createPreAuthCode(component: ResolvedComponent, componentToken: string): Promise<PreAuthCode> {
    const data = await this.post(
      component,
      'api_create_preauthcode',
      WeChatPaths.preAuthCode,
      { component_appid: component.appId },
      componentToken,
    );
    return {
      code: requiredString(data, 'pre_auth_code', 'api_create_preauthcode'),
      expiresIn: positive(data, 'expires_in', 'api_create_preauthcode'),
    };
  }

  pageOptionsProblem(o: Omit<AuthorizationLinkOptions, 'redirectUri'>): string | undefined {
    if (o.authType !== undefined && ![1, 2, 3].includes(o.authType))
      return 'authType must be 1 (official accounts), 2 (mini programs) or 3 (both)';
    if (o.bizAppId !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(o.bizAppId)) return 'bizAppId must be an appid';
    return undefined;
  }

  async exchangeCode(component: ResolvedComponent, componentToken: string, code: string): Promise<AuthorizerGrant> {
    const data = await this.post(
      component,
      'api_query_auth',
      WeChatPaths.queryAuth,
      { component_appid: component.appId, authorization_code: code },
      componentToken,
    );
    return grantFrom(asObject(data.authorization_info), 'api_query_auth');
  }

  async refreshAuthorizerToken(
    component: ResolvedComponent,
    componentToken: string,
    authorizerAppId: string,
    refreshToken: string,
  ): Promise<AuthorizerGrant> {
    const data = await this.post(
      component,
      'api_authorizer_token',
      WeChatPaths.authorizerToken,
      {
        component_appid: component.appId,
        authorizer_appid: authorizerAppId,
        authorizer_refresh_token: refreshToken,
      },
      componentToken,
    );
    const grant = grantFrom({ ...data, authorizer_appid: authorizerAppId }, 'api_authorizer_token');
    if (!grant.accessToken) throw malformed('api_authorizer_token', 'authorizer_access_token');
    return grant;
  }

  async listAuthorizers(
    component: ResolvedComponent,
    componentToken: string,
    page: number,
  ): Promise<AuthorizerListPage> {
    const data = await this.post(
      component,
      'api_get_authorizer_list',
      WeChatPaths.authorizerList,
      {
        component_appid: component.appId,
        offset: page * this.listPageSize,
        count: this.listPageSize,
      },
      componentToken,
    );
    const list = Array.isArray(data.list) ? (data.list as unknown[]) : [];
    return {
      total: Number(data.total_count) || 0,
      entries: list
        .map(asObject)
        .filter((e) => typeof e.authorizer_appid === 'string')
        .map((e) => ({
          authorizerAppId: e.authorizer_appid as string,
          refreshToken: typeof e.refresh_token === 'string' && e.refresh_token ? e.refresh_token : undefined,
          authorizedAt: Number(e.auth_time) > 0 ? Number(e.auth_time) * 1000 : undefined,
        })),
    };
  }

  failureKind(error: unknown): FailureKind | undefined {
    if (!(error instanceof OpenPlatformError) || error.platform !== 'wechat' || typeof error.code !== 'number')
      return undefined;
    if (WECHAT_TOKEN_REJECTED_CODES.has(error.code)) return 'token_rejected';
    if (error.code === WECHAT_REFRESH_TOKEN_INVALID) return 'refresh_token_invalid';
    if (WECHAT_CODE_INVALID_CODES.has(error.code)) return 'code_invalid';
    if (error.code === WECHAT_NOT_AUTHORIZED) return 'not_authorized';
    if (WECHAT_COMPONENT_UNUSABLE_CODES.has(error.code)) return 'component_unusable';
    return undefined;
  }

  injectToken(config: OutboundRequest, token: string, kind: 'component' | 'authorizer'): void {
    setQueryParam(config, kind === 'authorizer' ? 'access_token' : 'component_access_token', token);
  }

  rejectedTokenCode(responseData: unknown): number | undefined {
    const data = parseIfJson(responseData);
    if (!data) return undefined;
    const code = weChatErrcode(data);
    return WECHAT_TOKEN_REJECTED_CODES.has(code) ? code : undefined;
  }

  carriedTokens(request: OutboundRequest): string[] {
    return WECHAT_TOKEN_PARAMS.map((name) => getQueryParam(request, name)).filter((t): t is string => !!t);
  }

  takesNoToken(request: OutboundRequest): boolean {
    const path = (request.url ?? '').split(/[?#]/, 1)[0];
    return WECHAT_TOKENLESS_PATHS.some((p) => path.endsWith(p));
  }

  /** One component API call, retried as {@link WECHAT_RESEND} allows. */
  private post(
    component: ResolvedComponent,
    endpoint: WeChatEndpoint,
    path: string,
    body: object,
    componentToken?: string,
  ): Promise<Json> {
    const call = {
      platform: 'wechat' as const,
      componentAppId: component.appId,
      endpoint,
      resend: WECHAT_RESEND[endpoint],
      method: 'POST',
      route: path,
      baseUrl: component.apiBaseUrl,
    };
    const request = {
      method: 'POST',
      url: component.apiBaseUrl + path,
      params: componentToken === undefined ? undefined : { component_access_token: componentToken },
      data: body,
      headers: { 'content-type': 'application/json' },
    };
    return this.retry.run(call, async () => {
      const data = await callUpstream(this.http, 'wechat', endpoint, request, {
        freshConnection: call.resend === 'single_use',
      });
      if (weChatErrcode(data) !== 0) throw weChatError(endpoint, data, sentCredentials(componentToken, body));
      return data;
    });
  }
}

/** Normalizes `authorization_info` (exchange) or a refresh answer. */
function grantFrom(info: Json, endpoint: string): AuthorizerGrant {
  const authorizerAppId = requiredString(info, 'authorizer_appid', endpoint);
  const accessToken =
    typeof info.authorizer_access_token === 'string' && info.authorizer_access_token
      ? info.authorizer_access_token
      : undefined;
  const funcInfo = Array.isArray(info.func_info) ? (info.func_info as unknown[]) : undefined;
  return {
    authorizerAppId,
    accessToken,
    expiresIn: accessToken ? positive(info, 'expires_in', endpoint) : undefined,
    refreshToken:
      typeof info.authorizer_refresh_token === 'string' && info.authorizer_refresh_token
        ? info.authorizer_refresh_token
        : undefined,
    permissions: funcInfo
      ?.map((f) => Number(asObject(asObject(f).funcscope_category).id))
      .filter((id) => Number.isInteger(id)),
  };
}
