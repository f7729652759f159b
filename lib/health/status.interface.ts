import type { AuthorizerStatusCounts } from '../authorizers/authorizer-counts.js';
import type { PlatformName } from '../platform-names.js';

/**
 * What the module knows about its components, as data ({@link TokenService.status}). Never contains
 * a token, a ticket or a secret. Times are epoch ms on the module's clock.
 *
 * Sections are added over time (e.g. the state of scheduled renewal) as new fields: read the
 * fields you know and ignore the others.
 */
export interface OpenPlatformStatus {
  /** When the status was read. */
  at: number;
  /** One entry per configured component (or the one asked for), in configuration order. */
  components: ComponentStatus[];
  /** Scheduled renewal in this process. */
  renewal: RenewalStatus;
  /** Fleet mode only: whether this process's Redis connections are up (no round trip). */
  redis?: { connected: boolean };
}

/** The state of scheduled renewal (see docs/scheduled-renewal.md). */
export interface RenewalStatus {
  /** Whether the renewal interval runs in this app (`refresh.enabled` and the app's scheduler). */
  scheduled: boolean;
  /** The tick interval in ms. */
  intervalMs: number;
  /** The last finished tick, if any. */
  lastTick?: {
    startedAt: number;
    finishedAt: number;
    /** Component tokens renewed. */
    components: number;
    /** Authorizer tokens renewed. */
    authorizers: number;
    /** Renewals that failed (each a `token.refresh_failed` event; retried at the next tick). */
    failed: number;
    /** Due authorizers left for the next tick because the platform looked down. */
    deferred: number;
  };
}

/** The state of one component. */
export interface ComponentStatus {
  componentAppId: string;
  platform: PlatformName;
  /** The latest verify ticket the platform pushed. */
  ticket: TicketStatus;
  /** The component access token as cached (status never obtains one; the health indicator does). */
  componentToken: ComponentTokenStatus;
  /** How many authorizers (merchant accounts) are recorded in each status. */
  authorizers: AuthorizerCounts;
  /** The most recent failed renewal of any of this component's tokens, if any since the process started. */
  lastRenewalFailure?: RenewalFailure;
}

/** The latest verify ticket. Without one (or with an expired one) no component token can be obtained. */
export interface TicketStatus {
  /** Whether a ticket is stored at all (it may be expired). */
  held: boolean;
  /** Whether it is held and still inside its platform lifetime (WeChat 12 h, Douyin 3 h). */
  usable: boolean;
  /** When the platform created it. */
  createdAt?: number;
  /** When this module stored it. */
  receivedAt?: number;
  /** How old it is: `at - createdAt`. The platforms push a new one every 10 minutes or so. */
  ageMs?: number;
  /** End of its platform lifetime. */
  expiresAt?: number;
}

/** Whether a component access token is cached and not expired. */
export interface ComponentTokenStatus {
  valid: boolean;
  /** When the cached token expires (when `valid`). */
  expiresAt?: number;
}

/** Authorizers per status (see `AuthorizerStatus`), and their sum. */
export type AuthorizerCounts = AuthorizerStatusCounts & { total: number };

/** A failed token renewal, from the `token.refresh_failed` event: the error's code and message, never a token. */
export interface RenewalFailure {
  /** When it failed. */
  at: number;
  tokenKind: 'component' | 'authorizer';
  /** The authorizer, for authorizer tokens. */
  authorizerAppId?: string;
  /** The platform's errcode / errno, or an `OpenPlatformErrorCode`. */
  code: number | string;
  message: string;
}
