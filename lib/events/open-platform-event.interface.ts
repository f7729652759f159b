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

/** An event of the credential lifecycle. Never carries a token or secret. */
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
  /** For `push`: the decrypted message fields. */
  fields?: Record<string, string>;
}
