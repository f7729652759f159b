import type { PlatformName } from '../options/open-platform-options.interface.js';

/** Types of {@link OpenPlatformEvent}. With `@nestjs/event-emitter` they go out as `open-platform.<type>`. */
export type OpenPlatformEventType =
  | 'ticket'
  | 'authorized'
  | 'updateauthorized'
  | 'unauthorized'
  | 'token.refreshed'
  | 'token.refresh_failed'
  | 'reauthorization_required'
  | 'authorizer.restored'
  | 'store.write_failed'
  | 'push';

/**
 * An event of the credential lifecycle. Never carries a token, refresh token or secret of this
 * module; the exception is `fields` of a `push` event, which is the platform's message as received
 * (it may hold a code the app needs to act on).
 */
export interface OpenPlatformEvent {
  type: OpenPlatformEventType;
  platform: PlatformName;
  componentAppId: string;
  authorizerAppId?: string;
  /** When the event happened (epoch ms). */
  at: number;
  /** For `token.*`: which token. */
  tokenKind?: 'component' | 'authorizer';
  /** For `token.refreshed`: when the new token expires (epoch ms). */
  expiresAt?: number;
  /** For failures: the error's code and message. */
  error?: { code: number | string; message: string };
  /** For `push`: the platform's message type of a push the module does not handle itself. */
  infoType?: string;
  /** For `push`: the decrypted message fields, as received: treat them as credentials-bearing. */
  fields?: Record<string, string>;
}
