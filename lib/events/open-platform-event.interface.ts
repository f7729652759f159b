import type { AuthorizerInbound } from '../authorizer-messages/authorizer-message.interface.js';
import type { PlatformName } from '../platform-names.js';

/** What every event carries. */
interface EventBase {
  platform: PlatformName;
  componentAppId: string;
  /** When the event happened (epoch ms). */
  at: number;
}

/** A failure, as its error's code and message (never a token: messages are built without one). */
export interface OpenPlatformEventError {
  code: number | string;
  message: string;
}

/** A new verify ticket was stored. */
export interface TicketEvent extends EventBase {
  type: 'ticket';
}

/**
 * No verify ticket has arrived for two push intervals (20 minutes): the platform cannot reach the
 * events route, or its pushes are refused. The last ticket keeps working until it expires.
 */
export interface TicketOverdueEvent extends EventBase {
  type: 'ticket.overdue';
  /** When the last ticket was received (epoch ms); absent when none arrived since the app started. */
  lastReceivedAt?: number;
}

/**
 * The last verify ticket expires soon (less than a quarter of its life left) or has expired: once
 * it has, the component token can no longer be renewed and every authorizer stops with it.
 */
export interface TicketExpiringEvent extends EventBase {
  type: 'ticket.expiring';
  lastReceivedAt: number;
  /** When the ticket expires (epoch ms). */
  expiresAt: number;
}

/** A merchant authorized (`authorized`), re-authorized (`updateauthorized`) or de-authorized (`unauthorized`). */
export interface AuthorizationEvent extends EventBase {
  type: 'authorized' | 'updateauthorized' | 'unauthorized';
  authorizerAppId: string;
}

/** A component token or an authorizer token was renewed. */
export interface TokenRefreshedEvent extends EventBase {
  type: 'token.refreshed';
  tokenKind: 'component' | 'authorizer';
  /** For authorizer tokens. */
  authorizerAppId?: string;
  /** When the new token expires (epoch ms). */
  expiresAt: number;
}

/** A renewal failed; the current token may still be served while valid (the log line says so). */
export interface TokenRefreshFailedEvent extends EventBase {
  type: 'token.refresh_failed';
  tokenKind: 'component' | 'authorizer';
  /** For authorizer tokens. */
  authorizerAppId?: string;
  error: OpenPlatformEventError;
}

/** An authorizer's chain is broken beyond repair: the merchant must authorize again. */
export interface ReauthorizationRequiredEvent extends EventBase {
  type: 'reauthorization_required';
  authorizerAppId: string;
  error: OpenPlatformEventError;
}

/** A missing or stale authorizer record was restored from the platform's authorizer list. */
export interface AuthorizerRestoredEvent extends EventBase {
  type: 'authorizer.restored';
  authorizerAppId: string;
}

/**
 * One of the module's upstream calls failed transiently and is sent again after `delayMs`. No
 * event comes for the last attempt: its failure reaches the caller (and `token.refresh_failed`).
 */
export interface UpstreamRetryEvent extends EventBase {
  type: 'upstream.retry';
  /** The call, as named in error messages (`api_component_token`, `auth token`, …). */
  endpoint: string;
  /** The attempt that failed, from 1. */
  attempt: number;
  delayMs: number;
  error: OpenPlatformEventError;
}

/** Critical: a record with its refresh token could not be persisted after retries. */
export interface StoreWriteFailedEvent extends EventBase {
  type: 'store.write_failed';
  authorizerAppId: string;
  error: OpenPlatformEventError;
}

/**
 * A verified push of a kind the module does not act on itself (e.g. a mini program audit result).
 * `fields` is the platform's decrypted message as received: it may hold a code the app needs, so
 * treat it as credential-bearing. It is the only event that can carry such values.
 */
export interface PushEvent extends EventBase {
  type: 'push';
  /** The platform's message type (`InfoType`). */
  infoType: string;
  fields: Record<string, string>;
}

/** The admin API's actions, as named in `admin.action` events. */
export type AdminActionName = 'renew' | 'sync' | 'authorization_link' | 'mark_revoked';

/**
 * An operator acted through the admin API (see docs/admin.md). Emitted once per
 * request, whether it changed anything (`changed`) or found it already done (idempotent repeats).
 */
export interface AdminActionEvent extends EventBase {
  type: 'admin.action';
  action: AdminActionName;
  /** Who did it: the basic-auth username, or what the app's guard put on `request.user`. */
  actor: string;
  authorizerAppId?: string;
  /** `ok` or `failed` (then `failure` says why). */
  outcome: 'ok' | 'failed';
  /** Whether the action changed anything (`ok` only): false for a repeat that found it done. */
  changed?: boolean;
  failure?: OpenPlatformEventError;
}

/**
 * A verified message or event reached the message URL for an active authorizer, and goes to the
 * matching handlers: forward it to a queue from here instead of answering inline. The message may
 * carry what users wrote: treat it as personal data.
 */
export interface AuthorizerMessageReceivedEvent extends EventBase {
  type: 'authorizer.message';
  authorizerAppId: string;
  message: AuthorizerInbound;
}

/**
 * Why a message got `success` instead of what handlers would have answered:
 * - `handler_error`: a handler threw (or rejected); `handler` names it;
 * - `budget_exceeded`: handlers ran past `messages.replyBudgetMs`; they still finish, their reply is dropped;
 * - `authorizer_not_active`: the module has no active record of the authorizer, so no handler ran;
 * - `release_check_failed`: the built-in release check could not exchange the code or send its answer.
 */
export type AuthorizerMessageFailure =
  'handler_error' | 'budget_exceeded' | 'authorizer_not_active' | 'release_check_failed';

/** A message was acknowledged with `success` without (all of) its handling: see `reason`. */
export interface AuthorizerMessageFailedEvent extends EventBase {
  type: 'authorizer.message_failed';
  authorizerAppId: string;
  reason: AuthorizerMessageFailure;
  /** The platform's `MsgType` (and `Event` for events). */
  msgType: string;
  event?: string;
  /** `Class.method` of the handler, for `handler_error`. */
  handler?: string;
  /** What happened: the handler's error, or the reason as a code (`BUDGET_EXCEEDED`, `AUTHORIZER_NOT_ACTIVE`). */
  error: OpenPlatformEventError;
}

/**
 * An event of the credential lifecycle, discriminated by `type`:
 * `if (e.type === 'token.refreshed') e.expiresAt` is a number. With `@nestjs/event-emitter` events
 * also go out as `open-platform.<type>`.
 */
export type OpenPlatformEvent =
  | TicketEvent
  | TicketOverdueEvent
  | TicketExpiringEvent
  | AuthorizationEvent
  | TokenRefreshedEvent
  | TokenRefreshFailedEvent
  | ReauthorizationRequiredEvent
  | AuthorizerRestoredEvent
  | StoreWriteFailedEvent
  | UpstreamRetryEvent
  | PushEvent
  | AuthorizerMessageReceivedEvent
  | AuthorizerMessageFailedEvent
  | AdminActionEvent;

/** Every event type. */
export type OpenPlatformEventType = OpenPlatformEvent['type'];

/** The event of one type, e.g. `OpenPlatformEventOf<'token.refreshed'>`. */
export type OpenPlatformEventOf<T extends OpenPlatformEventType> = Extract<OpenPlatformEvent, { type: T }>;
