import type { PlatformName } from '../platform-names.js';

/** Which platform an error came from; `'library'` for errors raised by this module itself. */
export type ErrorPlatform = PlatformName | 'library';

/**
 * Codes raised by the library itself (as opposed to a platform's numeric errcode / errno).
 * Stable strings: match on them, never on `message`.
 */
export const OpenPlatformErrorCode = {
  /** Message crypto: input is not valid base64. */
  BAD_BASE64: 'BAD_BASE64',
  /** Message crypto: ciphertext length, block alignment or PKCS#7 padding is wrong. */
  BAD_PADDING: 'BAD_PADDING',
  /** Message crypto: the declared message length does not fit the decrypted buffer. */
  BAD_LENGTH: 'BAD_LENGTH',
  /** Message crypto: the trailing appid does not equal the component appid. */
  APPID_MISMATCH: 'APPID_MISMATCH',
  /** Message crypto: the signature does not match. */
  SIGNATURE_MISMATCH: 'SIGNATURE_MISMATCH',
  /** A push's timestamp is outside the replay window, or its signature parameters are missing. */
  STALE_PUSH: 'STALE_PUSH',
  /** A push body is larger than the route accepts. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** A push could not be parsed (not XML / JSON, missing fields). */
  MALFORMED_MESSAGE: 'MALFORMED_MESSAGE',
  /** No verify ticket has been received (or the last one expired). */
  NO_TICKET: 'NO_TICKET',
  /** The componentAppId is unknown, or was omitted while several components are configured. */
  UNKNOWN_COMPONENT: 'UNKNOWN_COMPONENT',
  /** The platform could not be reached or answered something that is not a valid reply. */
  TRANSPORT: 'TRANSPORT',
  /** The authorizer has no record for this component (never authorized, or not synced). */
  AUTHORIZER_NOT_FOUND: 'AUTHORIZER_NOT_FOUND',
  /** The merchant de-authorized the component. */
  AUTHORIZER_REVOKED: 'AUTHORIZER_REVOKED',
  /** The authorization chain is broken and could not be repaired: the merchant must authorize again. */
  REAUTHORIZATION_REQUIRED: 'REAUTHORIZATION_REQUIRED',
  /** The merchant authorized without granting any API permission: there is no token. */
  NO_API_PERMISSION: 'NO_API_PERMISSION',
  /** The authorization code is invalid, expired or already used. */
  INVALID_AUTHORIZATION_CODE: 'INVALID_AUTHORIZATION_CODE',
  /** A request whose token was rejected cannot be retried: its body is a stream already consumed. */
  NON_REPLAYABLE_BODY: 'NON_REPLAYABLE_BODY',
  /**
   * The shared store (Redis in fleet mode, or the app's durable store) did not answer. Retryable:
   * the module reconnects by itself; tokens this process already holds keep being served meanwhile.
   */
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  /** Waiting for another process to finish the same work (its lock) took too long. Retryable. */
  LOCK_TIMEOUT: 'LOCK_TIMEOUT',
  /**
   * The lease of a distributed lock ran out while its holder worked (Redis unreachable or too slow),
   * so another process may be doing the same work: the holder stopped before a step that must not
   * run twice. Retryable.
   */
  LOCK_LOST: 'LOCK_LOST',
  /** A record (with its refresh token) could not be persisted after retries. */
  STORE_WRITE_FAILED: 'STORE_WRITE_FAILED',
  /**
   * A sealed credential in the durable store does not open: sealed under a key that is neither
   * `storage.encryptionKey` nor one of `storage.previousEncryptionKeys`, altered, or copied from
   * another record; or the store is sealed and no `storage.encryptionKey` is set. Raised at boot
   * (the seal check) rather than treating a record as empty. Not retryable: fix the key.
   */
  SEALED_VALUE_UNREADABLE: 'SEALED_VALUE_UNREADABLE',
  /**
   * A request through `OpenPlatformHttpService` to a configured platform's API host names no
   * authorizer or component and carries no token of its own, so it was refused before being sent:
   * pass `authorizerAppId` (or `componentAppId`) in its config, or make it inside an `@AsAuthorizer` method.
   */
  MISSING_AUTHORIZER: 'MISSING_AUTHORIZER',
  /**
   * A request through `OpenPlatformHttpService` names an authorizer or component (`authorizerAppId`,
   * `componentAppId`) but goes to an origin that is not one of that component's API origins, so its
   * token was not injected and the request was not sent. Tokens go only to the platform's API hosts,
   * the component's `apiBaseUrl` and the origins in its `apiOrigins` option.
   */
  FOREIGN_ORIGIN: 'FOREIGN_ORIGIN',
  /** Bad arguments to a public method. */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** Invalid module options. */
  INVALID_OPTIONS: 'INVALID_OPTIONS',
} as const;
export type OpenPlatformErrorCode = (typeof OpenPlatformErrorCode)[keyof typeof OpenPlatformErrorCode];

/** The answer to a failed outbound request, stripped of anything that could hold a credential. */
export interface OpenPlatformErrorResponse {
  /** The HTTP status of the answer. */
  status: number;
  /**
   * The body as the request's `responseType` produced it (parsed JSON by default), with every token
   * the request carried replaced by `[REDACTED]`. Undefined when it could not be made safe to keep
   * (a stream, which holds the request and so its URL).
   */
  data: unknown;
}

export interface OpenPlatformErrorInit {
  platform: ErrorPlatform;
  /** The platform's errcode / errno, or one of {@link OpenPlatformErrorCode}. */
  code: number | OpenPlatformErrorCode;
  message: string;
  /** Whether retrying the same operation later may succeed. */
  retryable?: boolean;
  cause?: unknown;
  /** HTTP status of the upstream answer, when there was one. */
  status?: number;
  /** HTTP method of the failed request, upper case. */
  method?: string;
  /** URL of the failed request, without query string, fragment or user info. */
  url?: string;
  /** Status and (token-free) body of a non-2xx answer. */
  response?: OpenPlatformErrorResponse;
}

/**
 * The one error type of nest-open-platform. Every upstream answer, transport failure and
 * crypto failure is translated into it; no raw axios or crypto error escapes.
 */
export class OpenPlatformError extends Error {
  override readonly name = 'OpenPlatformError';
  readonly platform: ErrorPlatform;
  readonly code: number | OpenPlatformErrorCode;
  readonly retryable: boolean;
  /** HTTP status of the upstream answer, when a request got one (transport failures). */
  readonly status?: number;
  /** HTTP method of the failed request, upper case (transport failures). */
  readonly method?: string;
  /** URL of the failed request without query string, so never a token (transport failures). */
  readonly url?: string;
  /**
   * Status and body of a non-2xx answer, for callers that need the platform's explanation. Tokens
   * the request carried are redacted from the body.
   */
  readonly response?: OpenPlatformErrorResponse;

  constructor(init: OpenPlatformErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.platform = init.platform;
    this.code = init.code;
    this.retryable = init.retryable ?? false;
    // Only set when given, so errors without them print and serialize as before.
    if (init.status !== undefined) this.status = init.status;
    if (init.method !== undefined) this.method = init.method;
    if (init.url !== undefined) this.url = init.url;
    if (init.response !== undefined) this.response = init.response;
  }
}
