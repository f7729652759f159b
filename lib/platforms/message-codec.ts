import type { AuthorizerInbound } from '../authorizer-messages/authorizer-message.interface.js';
import type { PassiveReplyBody } from '../authorizer-messages/reply.js';
import type { MessageCrypto } from '../crypto/message-crypto.js';
import type { PlatformName } from '../platform-names.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import type { InboundPush, PushEnvelope } from './platform-adapter.js';

/** Who a message on the message URL is addressed to (from the route). */
export interface MessageAddress {
  platform: PlatformName;
  componentAppId: string;
  authorizerAppId: string;
}

/** A decrypted message in normalized terms, and what identifies it across the platform's retries. */
export interface DecodedMessage {
  message: AuthorizerInbound;
  /** Same for every delivery of one message (not the signature: a retry may be signed anew). */
  dedupeKey: string;
}

/** What the built-in release check (WeChat 全网发布接入检测) does with a message of a test account. */
export interface ReleaseCheckAction {
  /** Answer this at once. */
  reply?: PassiveReplyBody;
  /** Answer an empty body at once, exchange this code, then send `{code}_from_api` to `toUser`. */
  queryAuthCode?: { code: string; toUser: string; content: string };
}

/** An outbound call, as the HTTP service takes it. */
export interface OutboundCall {
  url: string;
  data: unknown;
}

/**
 * The platform part of the message URL (消息与事件接收 URL): envelope, decryption result,
 * passive replies. Like the adapter, the only code that knows the platform's field names.
 */
export interface AuthorizerMessageCodec {
  /** Extracts the signed envelope; throws `OpenPlatformError(MALFORMED_MESSAGE)` when it cannot. */
  readEnvelope(inbound: InboundPush): PushEnvelope;
  /**
   * Parses a decrypted message for `address`; throws `OpenPlatformError(MALFORMED_MESSAGE)` for
   * anything that is not a message, `APPID_MISMATCH` when it names another account or component.
   */
  decode(plaintext: string, address: MessageAddress): DecodedMessage;
  /** The plaintext of a passive reply to `message`, or undefined when the platform has none. */
  render(reply: PassiveReplyBody, message: AuthorizerInbound, nowSeconds: number): string | undefined;
  /** The HTTP body of an encrypted passive reply. */
  seal(crypto: MessageCrypto, plaintext: string, timestamp: string, nonce: string): string;
  /** Content type of a passive reply. */
  readonly replyContentType: string;
  /** The release-check answer to a message, when it is one of the platform's test cases. */
  releaseCheck?(message: AuthorizerInbound): ReleaseCheckAction | undefined;
  /** The customer-service call that sends a text to a user as the authorizer. */
  customerServiceText?(component: ResolvedComponent, toUser: string, content: string): OutboundCall;
  /** The platform's error code in the answer to {@link customerServiceText}, undefined on success. */
  customerServiceFailure?(answer: unknown): number | undefined;
}
