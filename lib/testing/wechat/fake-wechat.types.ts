/** A third-party platform (component) registered in the emulator. */
export interface FakeWeChatComponent {
  /** `component_appid`. */
  appId: string;
  /** `component_appsecret`. */
  appSecret: string;
  /** Message token used to sign pushes. */
  token: string;
  /** 43-character EncodingAESKey used to encrypt pushes. */
  encodingAesKey: string;
}

/** Options of {@link FakeWeChatPlatform}. */
export interface FakeWeChatPlatformOptions {
  /** Components known from the start; more can be added with `addComponent`. */
  components?: FakeWeChatComponent[];
  /** `expires_in` of issued component tokens, in seconds. Default 7200. */
  componentTokenExpiresIn?: number;
  /**
   * How long a component token stays valid after a newer one was issued for the same component,
   * in seconds (the platform keeps the old one working for a short overlap). Default 300.
   */
  componentTokenGraceSeconds?: number;
  /** How long an issued ticket is accepted, in seconds. Default 43200 (12 h). */
  ticketLifetimeSeconds?: number;
  /** `expires_in` of issued authorizer access tokens, in seconds. Default 7200. */
  authorizerTokenExpiresIn?: number;
  /**
   * How long the previous authorizer access token stays valid after a newer one was issued for the
   * same authorizer, in seconds. Revocation and re-authorization kill tokens at once regardless. Default 300.
   */
  authorizerTokenGraceSeconds?: number;
  /** Lifetime of a pre-auth code (`api_create_preauthcode`), in seconds. Default 1800. */
  preAuthCodeExpiresIn?: number;
  /** Lifetime of an authorization code (handed over after consent), in seconds. Default 600. */
  authCodeExpiresIn?: number;
  /**
   * When true, the authorization page awaits the `authorized` push to the events URL before
   * answering its 302; by default the push is fired right after the 302 is sent.
   */
  pushBeforeRedirect?: boolean;
  /** The platform's clock (epoch ms). Default `Date.now`. */
  now?: () => number;
}

/** Endpoints that have call counters and accept injected faults. */
export type FakeWeChatEndpoint =
  | 'api_component_token'
  | 'api_start_push_ticket'
  | 'api_create_preauthcode'
  | 'api_query_auth'
  | 'api_authorizer_token'
  | 'api_get_authorizer_info'
  | 'api_get_authorizer_list'
  /** The business endpoint `/cgi-bin/account/getaccountbasicinfo` (authorizer token). */
  | 'getaccountbasicinfo'
  /** The PC authorization page `/cgi-bin/componentloginpage`. */
  | 'componentloginpage'
  /** The H5 authorization page `/wxaopen/safe/bindcomponent`. */
  | 'bindcomponent';

/**
 * What counters and faults are keyed by: a built-in endpoint, or the name of a route added with
 * `FakeWeChatPlatform.route` (its path unless named).
 */
export type FakeWeChatEndpointName = FakeWeChatEndpoint | (string & {});
// Also counted: `custom_send`, the customer-service endpoint `/cgi-bin/message/custom/send` the
// release check answers through (kept out of FakeWeChatEndpoint, which lists the token lifecycle's).

/** Options of an injected business error. */
export interface FakeWeChatFailOptions {
  /** The `errcode` answered. */
  errcode: number;
  /** Defaults to the platform's message for well-known codes. */
  errmsg?: string;
  /** How many consecutive calls fail. Default 1. */
  times?: number;
}

/** How a push is signed; everything defaults to fresh values. */
export interface FakeWeChatPushOptions {
  /** Query `timestamp`, epoch seconds. Default: the emulator clock. */
  timestamp?: number;
  /** Query `nonce`. Default: random digits. */
  nonce?: string;
}

/** Options of a ticket push. */
export interface FakeWeChatTicketPushOptions extends FakeWeChatPushOptions {
  /** The ticket to issue and push. Default: a fresh random ticket. */
  ticket?: string;
  /** `CreateTime` inside the message, epoch seconds. Default: the emulator clock. */
  createTime?: number;
}

/** A push ready to send, exposed so tests can tamper with it first. */
export interface FakeWeChatBuiltPush {
  /** Query parameters appended to the events URL. */
  query: { timestamp: string; nonce: string; msg_signature: string; encrypt_type: 'aes' };
  /** Outer XML: `<xml><AppId/><Encrypt/></xml>`. */
  body: string;
}

/** What the app answered to a push. */
export interface FakeWeChatPushResult {
  /** HTTP status of the app's answer. */
  status: number;
  /** The app's answer body (WeChat expects `success`). */
  body: string;
}

/** What the app answered to a ticket push, and the ticket that was pushed. */
export interface FakeWeChatTicketPushResult extends FakeWeChatPushResult {
  /** The ticket that was issued and pushed. */
  ticket: string;
}
