import type { FakeWeChatPushOptions, FakeWeChatPushResult } from './fake-wechat.types.js';

/** A merchant account (official account or mini program) that consents to a component. */
export interface FakeWeChatMerchant {
  /** The merchant's `authorizer_appid`. */
  authorizerAppId: string;
  /**
   * Permission sets granted (`func_info[].funcscope_category.id`). Default: a typical full set.
   * Ignored when `grantApi` is false.
   */
  funcIds?: number[];
  /**
   * Whether the merchant granted any API permission. When false, `api_query_auth` answers without
   * the token fields and `func_info: []`, and no refresh token exists. Default true.
   */
  grantApi?: boolean;
  /** `nick_name` shown by `api_get_authorizer_info`. Default `Merchant <authorizerAppId>`. */
  nickName?: string;
}

/** A merchant waiting at the authorization page ({@link FakeWeChatPlatform.queueMerchant}). */
export interface FakeWeChatQueuedMerchant extends FakeWeChatMerchant {
  /** Only a page opened for this component takes the merchant. Default: any component. */
  componentAppId?: string;
}

/** Options of {@link FakeWeChatPlatform.authorize}: merchant consent without the page. */
export interface FakeWeChatAuthorizeOptions extends FakeWeChatMerchant {
  /** The component the merchant authorizes. */
  componentAppId: string;
  /**
   * Push the `authorized` / `updateauthorized` event to the component's events URL.
   * Default: true when an events URL is set ({@link FakeWeChatPlatform.setEventsUrl}).
   */
  push?: boolean;
}

/** Options of {@link FakeWeChatPlatform.reauthorize}; omitted fields keep their current values. */
export interface FakeWeChatReauthorizeOptions {
  /** New permission sets. */
  funcIds?: number[];
  /** New API permission choice. */
  grantApi?: boolean;
  /** Push `updateauthorized`. Default: true when an events URL is set. */
  push?: boolean;
}

/** Options of {@link FakeWeChatPlatform.revoke}. */
export interface FakeWeChatRevokeOptions {
  /** Push `unauthorized`. Default: true when an events URL is set. */
  push?: boolean;
}

/** Outcome of an authorization-event push made by a control method. */
export interface FakeWeChatEventPushOutcome {
  /** The app's answer, when the push was made and reached the app. */
  pushed?: FakeWeChatPushResult;
  /** Why the push failed (e.g. connection refused); the state change stands anyway. */
  pushError?: string;
}

/** Result of {@link FakeWeChatPlatform.authorize} and {@link FakeWeChatPlatform.reauthorize}. */
export interface FakeWeChatAuthorizeResult extends FakeWeChatEventPushOutcome {
  /** The single-use authorization code for `api_query_auth`. */
  authorizationCode: string;
}

/** `InfoType` of an authorization event. */
export type FakeWeChatAuthorizationInfoType = 'authorized' | 'updateauthorized' | 'unauthorized';

/** An authorization event for {@link FakeWeChatPlatform.pushAuthorizationEvent}. */
export interface FakeWeChatAuthorizationEvent {
  /** `InfoType`. */
  infoType: FakeWeChatAuthorizationInfoType;
  /** `AuthorizerAppid`. */
  authorizerAppId: string;
  /** `AuthorizationCode` (authorized / updateauthorized only). Default empty. */
  authorizationCode?: string;
  /** `CreateTime`, epoch seconds. Default: the emulator clock. */
  createTime?: number;
  /** `AuthorizationCodeExpiredTime`, epoch seconds. Default: the code's expiry if the emulator issued it. */
  authorizationCodeExpiredTime?: number;
  /** `PreAuthCode`. Default: the pre-auth code the authorization consumed, if known. */
  preAuthCode?: string;
}

/** Options of {@link FakeWeChatPlatform.pushAuthorizationEvent}. */
export type FakeWeChatAuthorizationPushOptions = FakeWeChatPushOptions;

/** One authorization-event push the emulator made (page flow or control methods). */
export interface FakeWeChatAuthorizationPushRecord {
  /** The component whose events URL received it. */
  componentAppId: string;
  /** The URL pushed to. */
  url: string;
  /** `InfoType`. */
  infoType: FakeWeChatAuthorizationInfoType;
  /** `AuthorizerAppid`. */
  authorizerAppId: string;
  /** `AuthorizationCode`, for authorized / updateauthorized. */
  authorizationCode?: string;
  /** The app's answer; absent while in flight or when the push failed. */
  result?: FakeWeChatPushResult;
  /** Why the push failed. */
  error?: string;
}

/** What the emulator knows of one authorizer of one component. */
export interface FakeWeChatAuthorizerState {
  /** `revoked` after de-authorization, until the merchant authorizes again. */
  status: 'authorized' | 'revoked';
  /** The current refresh token; absent when revoked or when no API permission was granted. */
  refreshToken?: string;
  /** Granted permission sets. */
  funcIds: number[];
}

/** One accepted call to a business endpoint ({@link FakeWeChatPlatform.businessCalls}). */
export interface FakeWeChatBusinessCall {
  /** The authorizer the presented access token belongs to. */
  authorizerAppId: string;
  /** The authorizer access token presented. */
  token: string;
}
