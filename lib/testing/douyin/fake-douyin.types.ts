import type { PushAnswer, TrackedPushOutcome } from '../core/push-tracker.js';

/** The API generation an emulator instance serves; tokens of the two never mix. */
export type FakeDouyinApiVersion = 'v1' | 'v2';

/** A third-party platform (component) registered in the emulator. */
export interface FakeDouyinComponent {
  /** `component_appid`. */
  appId: string;
  /** `component_appsecret`. */
  appSecret: string;
  /** Message token used to sign pushes. */
  token: string;
  /** 43-character EncodingAESKey used to encrypt pushes. */
  encodingAesKey: string;
}

/** Options of {@link FakeDouyinPlatform}. Lifetimes are in seconds. */
export interface FakeDouyinPlatformOptions {
  /** The generation served; `baseUrl` is that generation's `apiBaseUrl`. Default `'v2'`. */
  apiVersion?: FakeDouyinApiVersion;
  /** Components known from the start; more can be added with `addComponent`. */
  components?: FakeDouyinComponent[];
  /** `expires_in` of component tokens. Default 7200 (the docs' examples answer 3600). */
  componentTokenExpiresIn?: number;
  /** V2: how long the previous component token stays valid after a new fetch. Default 300. */
  componentTokenGraceSeconds?: number;
  /** V1: a fetch returns the current component token unless it is this close to expiry. Default 1800. */
  componentTokenRenewWindowSeconds?: number;
  /** How long a pushed ticket is accepted. Default 10800 (3 h). */
  ticketLifetimeSeconds?: number;
  /** `expires_in` of authorizer access tokens. Default 7200. */
  authorizerTokenExpiresIn?: number;
  /** `refresh_expires_in` of authorizer refresh tokens. Default 2592000 (30 days). */
  refreshTokenExpiresIn?: number;
  /** Lifetime of a pre-auth code. Default 600. */
  preAuthCodeExpiresIn?: number;
  /** Lifetime of an authorization code. Default 3600. */
  authCodeExpiresIn?: number;
  /**
   * V2 endpoints whose errors carry the 200-prefixed code (`20040021` for `40021`): `'documented'`
   * for those whose docs list such codes (`retrieve_auth_code`, `gen_link`), or an explicit list.
   * Ignored on V1. Default: none.
   */
  prefixedErrorCodes?: 'documented' | readonly FakeDouyinEndpoint[];
  /** The platform's clock (epoch ms). Default `Date.now`. */
  now?: () => number;
}

/**
 * Built-in endpoints, named the same in both generations (paths differ):
 * - `tp_token`: V1 `GET /openapi/v1/auth/tp/token`, V2 `GET /openapi/v2/auth/tp/token/`
 * - `pre_auth_code`: V1 `POST /openapi/v2/auth/pre_auth_code`, V2 `POST /api/tpapp/v3/auth/get_pre_auth_code/`
 * - `gen_link`: V2 `POST /api/tpapp/v3/auth/gen_link/`
 * - `authorization_page`: `GET /mappconsole/tp/authorization` (both)
 * - `auth_token` (code exchange and refresh): V1 `GET /openapi/v1/oauth/token`,
 *   V2 `GET /api/tpapp/v2/auth/get_auth_token/`
 * - `retrieve_auth_code`: V1 `POST /openapi/v1/auth/retrieve`, V2 `POST /api/tpapp/v2/auth/retrieve_auth_code/`
 * - `auth_app_list`: V1 `GET /openapi/v1/tp/auth_app_list`, V2 `GET /api/tpapp/v2/auth/get_auth_app_list/`
 * - `basic_info` (a business API): V1 `GET /openapi/v1/microapp/app/info`, V2 `GET /api/apps/v2/basic_info/get_info`
 */
export type FakeDouyinEndpoint =
  | 'tp_token'
  | 'pre_auth_code'
  | 'gen_link'
  | 'authorization_page'
  | 'auth_token'
  | 'retrieve_auth_code'
  | 'auth_app_list'
  | 'basic_info';

/** What counters and faults are keyed by: a built-in endpoint or a user route (its path unless named). */
export type FakeDouyinEndpointName = FakeDouyinEndpoint | (string & {});

/** Options of an injected error, answered in the endpoint's envelope. */
export interface FakeDouyinFailOptions {
  /** `errno` / `err_no` answered, as given (no 200-prefixing). */
  code: number;
  /** `message` / `err_msg`. Default: the platform's message for well-known codes. */
  message?: string;
  /** How many consecutive calls fail. Default 1. */
  times?: number;
}

/** How a push is signed; everything defaults to fresh values. */
export interface FakeDouyinPushOptions {
  /** `TimeStamp`, epoch seconds; sent as a string unless a number is given here. Default: the emulator clock. */
  timestamp?: number | string;
  /** `Nonce`. Default: random digits. */
  nonce?: string;
}

/** Options of a ticket push. */
export interface FakeDouyinTicketPushOptions extends FakeDouyinPushOptions {
  /** The ticket to issue and push. Default: a fresh random ticket. */
  ticket?: string;
  /** `CreateTime` (`yyyy-MM-dd HH:mm:ss`). Default: the emulator clock, in China time. */
  createTime?: string;
}

/** The JSON body POSTed to the events URL. */
export interface FakeDouyinPushBody {
  Nonce: string;
  TimeStamp: string | number;
  Encrypt: string;
  MsgSignature: string;
}

/** A push ready to send, exposed so tests can tamper with it first. */
export interface FakeDouyinBuiltPush {
  /** The outer JSON body. */
  body: FakeDouyinPushBody;
  /** The plaintext message that `Encrypt` carries. */
  message: string;
}

/** What the app answered to a push (the platform expects the raw body `success`). */
export type FakeDouyinPushResult = PushAnswer;

/** What the app answered to a ticket push, and the ticket pushed. */
export interface FakeDouyinTicketPushResult extends FakeDouyinPushResult {
  ticket: string;
}

/** `Event` of an authorization push. */
export type FakeDouyinAuthorizationEventType = 'AUTHORIZED' | 'UNAUTHORIZED' | 'UPDATE_AUTHORIZED';

/** An authorization event for {@link FakeDouyinPlatform.pushAuthorizationEvent}. */
export interface FakeDouyinAuthorizationEvent {
  /** `Event`. */
  event: FakeDouyinAuthorizationEventType;
  /** `AppId` (the authorizer). */
  authorizerAppId: string;
  /** `AuthorizationCode` (not on UNAUTHORIZED). */
  authorizationCode?: string;
  /** `AuthorizationCodeExpiresIn`. Default: the code lifetime. */
  authorizationCodeExpiresIn?: number;
  /** `EventTime`. Default: the emulator clock as `yyyy-MM-dd HH:mm:ss`, China time. */
  eventTime?: string | number;
  /** More fields, e.g. `AppName`, `CompanyName` (mini programs created on the merchant's behalf). */
  extra?: Record<string, unknown>;
}

/** One authorization push the emulator made. */
export interface FakeDouyinAuthorizationPushRecord {
  componentAppId: string;
  url: string;
  event: FakeDouyinAuthorizationEventType;
  authorizerAppId: string;
  authorizationCode?: string;
  /** The app's answer; absent while in flight or when the push failed. */
  result?: FakeDouyinPushResult;
  /** Why the push failed. */
  error?: string;
}

/** Outcome of a push made by a control method; never rejects. */
export type FakeDouyinEventPushOutcome = TrackedPushOutcome<FakeDouyinPushResult>;

/** A mini program that consents to a component. */
export interface FakeDouyinMerchant {
  /** The authorizer appid. */
  authorizerAppId: string;
  /** `authorize_permission` ids (1–8). Default all eight. */
  permissionIds?: number[];
}

/** A merchant waiting at the authorization page ({@link FakeDouyinPlatform.queueMerchant}). */
export interface FakeDouyinQueuedMerchant extends FakeDouyinMerchant {
  /** Only a page opened for this component takes the merchant. Default: any. */
  componentAppId?: string;
}

/** Options of {@link FakeDouyinPlatform.authorize}. */
export interface FakeDouyinAuthorizeOptions extends FakeDouyinMerchant {
  componentAppId: string;
  /** Push `AUTHORIZED`. Default: true when an events URL is set. */
  push?: boolean;
}

/** Result of {@link FakeDouyinPlatform.authorize}. */
export interface FakeDouyinAuthorizeResult extends FakeDouyinEventPushOutcome {
  /** The single-use authorization code. */
  authorizationCode: string;
}

/** What the emulator knows of one authorizer of one component. */
export interface FakeDouyinAuthorizerState {
  status: 'authorized' | 'revoked';
  /** The one refresh token that works now; absent before the first exchange and after revocation. */
  refreshToken?: string;
  /** Epoch ms when `refreshToken` expires. */
  refreshTokenExpiresAt?: number;
  /** The current access token (the only valid one, unless expired). */
  accessToken?: string;
  /** Granted permission ids. */
  permissionIds: number[];
  /** Presentations of already-spent refresh tokens of this authorizer. */
  refreshTokenReuses: number;
}

/** One accepted business call ({@link FakeDouyinPlatform.businessCalls}). */
export interface FakeDouyinBusinessCall {
  authorizerAppId: string;
  token: string;
}

/** Who called a business endpoint, once the authorizer token was accepted. */
export interface FakeDouyinCaller {
  componentAppId: string;
  authorizerAppId: string;
}
