import type { PlatformName } from '../options/open-platform-options.interface.js';
import type { ResolvedComponent } from '../options/resolved-options.js';

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
export interface TicketPush extends PushBase { kind: 'ticket'; ticket: string }
export interface AuthorizationPush extends PushBase {
  kind: 'authorized' | 'updateauthorized';
  authorizerAppId: string;
  authorizationCode: string;
  /** When the code expires (epoch ms), if the platform said. */
  codeExpiresAt?: number;
}
export interface UnauthorizedPush extends PushBase { kind: 'unauthorized'; authorizerAppId: string }
export interface OtherPush extends PushBase { kind: 'other'; infoType: string; fields: Record<string, string> }
/** A decrypted push in normalized terms. */
export type PlatformPush = TicketPush | AuthorizationPush | UnauthorizedPush | OtherPush;

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
  /** Extracts the signed envelope; throws `OpenPlatformError(MALFORMED_MESSAGE)` when it cannot. */
  abstract readEnvelope(inbound: InboundPush): PushEnvelope;
  /** Parses a decrypted message; throws `OpenPlatformError(MALFORMED_MESSAGE)` when it cannot. */
  abstract parseMessage(plaintext: string): PlatformPush;
  /** Obtains a component token with the given ticket. Failures are `OpenPlatformError`s. */
  abstract fetchComponentToken(component: ResolvedComponent, ticket: string): Promise<ComponentToken>;
}
