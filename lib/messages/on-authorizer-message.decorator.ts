import type { PlatformName } from '../platform-names.js';

/** Metadata key of the handlers declared on a method (a list: a method may carry several). */
export const AUTHORIZER_MESSAGE_HANDLERS = 'OPEN_PLATFORM:AUTHORIZER_MESSAGE_HANDLERS';

/** A string compares equal; a RegExp must match. */
export type TextMatcher = string | RegExp;

/** Who a handler is for; every given field must match, an absent one matches anything. */
export interface AuthorizerAddressFilter {
  platform?: PlatformName;
  componentAppId?: string;
  authorizerAppId?: string;
}

/** Filter of {@link OnAuthorizerMessage}. */
export interface AuthorizerMessageFilter extends AuthorizerAddressFilter {
  /** The platform's `MsgType` (`text`, `image`, … or one this version does not model, e.g. `miniprogrampage`). */
  msgType?: TextMatcher;
  /** The text of a text message; a handler with this filter only gets text messages. */
  content?: TextMatcher;
}

/** Filter of {@link OnAuthorizerEvent}. */
export interface AuthorizerEventFilter extends AuthorizerAddressFilter {
  /** The platform's `Event`, e.g. `subscribe`, `weapp_audit_success`, `PUBLISH_APP_CATEGORY_AUDIT_RESULT`. */
  event?: TextMatcher;
}

/** One handler declaration, as stored on the method. */
export type HandlerDeclaration =
  { kind: 'message'; filter: AuthorizerMessageFilter } | { kind: 'event'; filter: AuthorizerEventFilter };

const FILTER_KEYS = {
  message: ['platform', 'componentAppId', 'authorizerAppId', 'msgType', 'content'],
  event: ['platform', 'componentAppId', 'authorizerAppId', 'event'],
} as const;

/** A RegExp without `g` / `y`, whose `test()` would otherwise depend on the previous call. */
function stateless(matcher: TextMatcher): TextMatcher {
  return matcher instanceof RegExp && /[gy]/.test(matcher.flags)
    ? new RegExp(matcher.source, matcher.flags.replace(/[gy]/g, ''))
    : matcher;
}

function checked<F extends object>(kind: 'message' | 'event', filter: F): F {
  if (filter === null || typeof filter !== 'object')
    throw new TypeError(`@OnAuthorizer${kind}: the filter must be an object`);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(filter)) {
    if (!(FILTER_KEYS[kind] as readonly string[]).includes(key))
      throw new TypeError(`@OnAuthorizer${kind === 'message' ? 'Message' : 'Event'}: unknown filter field '${key}'`);
    if (value === undefined) continue;
    const regexpAllowed = key === 'msgType' || key === 'content' || key === 'event';
    if (typeof value !== 'string' && !(regexpAllowed && value instanceof RegExp))
      throw new TypeError(
        `@OnAuthorizer…: filter field '${key}' must be a string${regexpAllowed ? ' or a RegExp' : ''}`,
      );
    out[key] = stateless(value);
  }
  return out as F;
}

function declare(declaration: HandlerDeclaration): MethodDecorator {
  return (target, propertyKey, descriptor) => {
    const method = descriptor.value;
    if (typeof method !== 'function')
      throw new TypeError(
        `@OnAuthorizerMessage / @OnAuthorizerEvent can only decorate methods (${String(propertyKey)})`,
      );
    const list = (Reflect.getMetadata(AUTHORIZER_MESSAGE_HANDLERS, method) as HandlerDeclaration[] | undefined) ?? [];
    Reflect.defineMetadata(AUTHORIZER_MESSAGE_HANDLERS, [...list, declaration], method);
    return descriptor;
  };
}

/**
 * Makes a provider (or controller) method a handler of the messages users send to authorized
 * accounts (not events: see {@link OnAuthorizerEvent}), found at boot. It gets the typed message
 * and an {@link AuthorizerMessageContext}; it may return a `Reply` (or a Promise of one) to answer
 * passively, or nothing. Several handlers may match one message: they all run, and the first one
 * (in discovery order) that returns a reply answers.
 *
 * ```ts
 * @OnAuthorizerMessage({ msgType: 'text', content: /^hello/i })
 * greet(msg: TextMessage, ctx: AuthorizerMessageContext) { return Reply.text(`hi ${msg.fromUserName}`); }
 * ```
 */
export function OnAuthorizerMessage(filter: AuthorizerMessageFilter = {}): MethodDecorator {
  return declare({ kind: 'message', filter: checked('message', filter) });
}

/**
 * Makes a method a handler of events addressed to authorized accounts (menu clicks, follows,
 * Mini Program audit results…), by event name or filter. See {@link OnAuthorizerMessage}.
 *
 * ```ts
 * @OnAuthorizerEvent('weapp_audit_success')
 * async released(ev: WeappAuditSuccessEvent, ctx: AuthorizerMessageContext) { … }
 * ```
 */
export function OnAuthorizerEvent(eventOrFilter: TextMatcher | AuthorizerEventFilter = {}): MethodDecorator {
  const filter =
    typeof eventOrFilter === 'string' || eventOrFilter instanceof RegExp ? { event: eventOrFilter } : eventOrFilter;
  return declare({ kind: 'event', filter: checked('event', filter) });
}
