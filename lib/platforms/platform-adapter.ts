import { appIdProblem, type AppIdRule } from '../app-id.js';
import type { PlatformName } from '../options/open-platform-options.interface.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import type { AuthorizerMessageCodec } from './message-codec.js';

/** A component token as the platform issued it. */
export interface ComponentToken {
  accessToken: string;
  /** Lifetime in seconds, as returned by the platform. */
  expiresIn: number;
}

/** A push as it reached the events route, before any verification. */
export interface InboundPush {
  query: Record<string, unknown>;
  /** The raw body, or what an app-level body parser made of it. */
  body: Buffer | string | Record<string, unknown> | undefined;
}

/** The signed, encrypted part of a push. */
export interface PushEnvelope {
  /** Seconds since the epoch, as a string exactly as signed. */
  timestamp: string;
  nonce: string;
  signature: string | undefined;
  encrypt: string;
}

interface PushBase {
  componentAppId: string;
  /** When the platform created the message (epoch ms). */
  createdAt: number;
}
export interface TicketPush extends PushBase {
  kind: 'ticket';
  ticket: string;
}
export interface AuthorizationPush extends PushBase {
  kind: 'authorized' | 'updateauthorized';
  authorizerAppId: string;
  authorizationCode: string;
  /** When the code expires (epoch ms), if the platform said. */
  codeExpiresAt?: number;
}
export interface UnauthorizedPush extends PushBase {
  kind: 'unauthorized';
  authorizerAppId: string;
}
export interface OtherPush extends PushBase {
  kind: 'other';
  infoType: string;
  fields: Record<string, string>;
}
/** A decrypted push in normalized terms. */
export type PlatformPush = TicketPush | AuthorizationPush | UnauthorizedPush | OtherPush;

/** A pre-authorization code for the merchant authorization page. */
export interface PreAuthCode {
  code: string;
  expiresIn: number;
}

/** What an authorization-code exchange or a token refresh gave, in normalized terms. */
export interface AuthorizerGrant {
  authorizerAppId: string;
  /** Absent when the account granted no API permission. */
  accessToken?: string;
  /** Seconds. */
  expiresIn?: number;
  refreshToken?: string;
  /** Seconds; only platforms whose refresh tokens expire (Douyin). */
  refreshExpiresIn?: number;
  /** Permission (function scope) ids; undefined when the answer did not say. */
  permissions?: number[];
}

/** One entry of the platform's list of authorizers. */
export interface AuthorizerListEntry {
  authorizerAppId: string;
  /** May be missing, e.g. for an account whose code was never exchanged. */
  refreshToken?: string;
  /** Epoch ms. */
  authorizedAt?: number;
}

export interface AuthorizerListPage {
  total: number;
  entries: AuthorizerListEntry[];
}

/** Options of a merchant authorization link. */
export interface AuthorizationLinkOptions {
  redirectUri: string;
  authType?: number;
  bizAppId?: string;
  mobile?: boolean;
}

/**
 * What a platform error means for the token lifecycle, so callers never look at errcodes
 * (`component_unusable`: the component's own token cannot be had — its IP is not whitelisted, its
 * secret is rejected, its ticket is refused — so no authorizer of it can be renewed either):
 * - `token_rejected`: the access token sent (component or authorizer, the caller knows which) is
 *   invalid, expired or not the latest;
 * - `refresh_token_invalid`: the refresh token no longer works (the chain is broken);
 * - `code_invalid`: the authorization code is unknown, used or expired;
 * - `not_authorized`: the platform says the authorizer has not authorized the component (any more),
 *   or does not exist: the one answer that ends an authorization without a push.
 */
export type FailureKind =
  'token_rejected' | 'refresh_token_invalid' | 'code_invalid' | 'not_authorized' | 'component_unusable';

/**
 * How a platform lets a broken authorization chain (a refused refresh token) be repaired:
 * - `authorizer_list`: its authorizer list carries every authorizer's current refresh token, so the
 *   record is restored from it and the refresh retried (WeChat);
 * - `reissue_code`: a new authorization code can be retrieved for the authorizer and exchanged for a
 *   fresh token pair (Douyin's single-use refresh tokens).
 */
export type ChainRepairStrategy = 'authorizer_list' | 'reissue_code';

/** Per-platform defaults applied to component options. */
export interface PlatformDefaults {
  apiBaseUrl: string;
  authorizePageUrl: string;
}

/**
 * The only code that knows a platform's URLs, field names, envelopes and error codes.
 * Everything else in the module speaks the normalized types above.
 */
export abstract class PlatformAdapter {
  abstract readonly platform: PlatformName;
  /** How long a verify ticket stays usable after the platform created it. */
  abstract readonly ticketLifetimeMs: number;
  /** How often the platform pushes a new verify ticket (both platforms: every 10 minutes). */
  readonly ticketPushIntervalMs: number = 10 * 60_000;
  /**
   * What an authorizer appid looks like on this platform (within `ANY_PLATFORM_APP_ID`): an appid
   * from a caller is checked against it before anything is read, cached or sent for it.
   */
  abstract readonly appIdRule: AppIdRule;
  /**
   * Origins (`https://host[:port]`) of the platform's own API hosts. A component's tokens are
   * injected only into requests to these, to its `apiBaseUrl` and to its `apiOrigins`.
   */
  abstract readonly officialApiOrigins: readonly string[];
  /** What is wrong with `appId` as an authorizer appid of this platform (never echoing it); undefined if fine. */
  authorizerAppIdProblem(appId: unknown): string | undefined {
    return appIdProblem(appId, this.appIdRule);
  }
  /** The message URL (authorizer messages and events): envelope, messages, passive replies. */
  abstract readonly messages: AuthorizerMessageCodec;
  /** Extracts the signed envelope; throws `OpenPlatformError(MALFORMED_MESSAGE)` when it cannot. */
  abstract readEnvelope(inbound: InboundPush): PushEnvelope;
  /**
   * Parses a decrypted message; throws `OpenPlatformError(MALFORMED_MESSAGE)` when it cannot.
   * `componentAppId` is the component the message was decrypted for (its trailing appid already
   * checked), for platforms whose messages do not always name it (Douyin tickets).
   */
  abstract parseMessage(plaintext: string, componentAppId?: string): PlatformPush;
  /** Obtains a component token with the given ticket. Failures are `OpenPlatformError`s. */
  abstract fetchComponentToken(component: ResolvedComponent, ticket: string): Promise<ComponentToken>;
  /**
   * A problem with the page options (e.g. an unknown authType), checked before any upstream call; undefined if fine.
   */
  abstract pageOptionsProblem(options: Omit<AuthorizationLinkOptions, 'redirectUri'>): string | undefined;
  /**
   * A merchant authorization link, ready to open: whatever the platform needs for it (a fresh
   * single-use pre-auth code and a page URL on WeChat; an API that generates the link elsewhere).
   */
  abstract authorizationLink(
    component: ResolvedComponent,
    componentToken: string,
    options: AuthorizationLinkOptions,
  ): Promise<string>;
  /** The name of the query parameter that carries the authorization code on the redirect. */
  abstract readonly redirectCodeParam: string;
  /** Exchanges an authorization code for the first token pair. */
  abstract exchangeCode(component: ResolvedComponent, componentToken: string, code: string): Promise<AuthorizerGrant>;
  /** Obtains a new authorizer token with a refresh token. */
  abstract refreshAuthorizerToken(
    component: ResolvedComponent,
    componentToken: string,
    authorizerAppId: string,
    refreshToken: string,
  ): Promise<AuthorizerGrant>;
  /** How many list entries one page may hold. */
  abstract readonly listPageSize: number;
  /** One page of the platform's authorizer list; `page` counts from 0. */
  abstract listAuthorizers(
    component: ResolvedComponent,
    componentToken: string,
    page: number,
  ): Promise<AuthorizerListPage>;
  /** Classifies a platform error, or undefined for anything else. */
  abstract failureKind(error: unknown): FailureKind | undefined;
  /** How a broken authorization chain is repaired on this platform. */
  abstract readonly chainRepair: ChainRepairStrategy;
  /**
   * Whether a refresh token works once only (a refresh rotates it). Then a refresh whose answer was
   * lost may have spent the token, so it is never sent again: the chain is repaired instead.
   */
  readonly singleUseRefreshTokens: boolean = false;
  /** `reissue_code` platforms: retrieves a new authorization code for an authorizer. */
  retrieveAuthorizationCode?(
    component: ResolvedComponent,
    componentToken: string,
    authorizerAppId: string,
  ): Promise<string>;
  /** Puts a token into an outbound request the platform's way (query or header). */
  abstract injectToken(
    config: OutboundRequest,
    token: string,
    kind: 'component' | 'authorizer',
    component: ResolvedComponent,
  ): void;
  /**
   * The platform's error code when a business API answer says the token is invalid or expired
   * (so it is worth renewing and retrying once); undefined otherwise.
   */
  abstract rejectedTokenCode(responseData: unknown): number | undefined;
  /**
   * The tokens a request carries the platform's way (query parameter or header), whoever put them
   * there: they tell a request that brings its own token from one that needs one injected, and are
   * redacted from anything reported about the request.
   */
  abstract carriedTokens(request: OutboundRequest): string[];
  /** Whether the request calls one of the platform's few endpoints that take no token (they take the secret). */
  abstract takesNoToken(request: OutboundRequest): boolean;
}

/** The parts of an outbound request config a token is injected into or read from. */
export interface OutboundRequest {
  params?: unknown;
  headers?: unknown;
  /** The full URL, query string included. */
  url?: string;
}
