import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { eventNameOf, msgTypeOf, type AuthorizerInbound } from '../authorizer-messages/authorizer-message.interface.js';
import {
  AUTHORIZER_MESSAGE_HANDLERS,
  type AuthorizerAddressFilter,
  type HandlerDeclaration,
  type TextMatcher,
} from './on-authorizer-message.decorator.js';

/** A discovered handler, bound to its instance. */
export interface DiscoveredHandler {
  /** `Class.method`, for logs and events. */
  name: string;
  declaration: HandlerDeclaration;
  invoke(message: AuthorizerInbound, ctx: unknown): unknown;
}

function matches(matcher: TextMatcher | undefined, value: string | undefined): boolean {
  if (matcher === undefined) return true;
  if (value === undefined) return false;
  return typeof matcher === 'string' ? matcher === value : matcher.test(value);
}

function addressed(filter: AuthorizerAddressFilter, m: AuthorizerInbound): boolean {
  return (
    (filter.platform === undefined || filter.platform === m.platform) &&
    (filter.componentAppId === undefined || filter.componentAppId === m.componentAppId) &&
    (filter.authorizerAppId === undefined || filter.authorizerAppId === m.authorizerAppId)
  );
}

/** Whether a declaration takes a message: its kind (message or event) and every filter field. */
export function declarationMatches(d: HandlerDeclaration, m: AuthorizerInbound): boolean {
  if (!addressed(d.filter, m)) return false;
  if (d.kind === 'event') return m.msgType === 'event' && matches(d.filter.event, eventNameOf(m));
  if (m.msgType === 'event') return false;
  if (!matches(d.filter.msgType, msgTypeOf(m))) return false;
  if (d.filter.content === undefined) return true;
  return m.msgType === 'text' && matches(d.filter.content, m.content);
}

/**
 * Finds the `@OnAuthorizerMessage` / `@OnAuthorizerEvent` methods of every provider and controller
 * at boot, as `@nestjs/schedule` finds `@Cron` methods. Request-scoped classes are skipped with a
 * warning: a push has no request scope to build them in.
 */
@Injectable()
export class AuthorizerMessageExplorer implements OnModuleInit {
  private readonly logger = new Logger('OpenPlatform:Messages');
  private handlers: DiscoveredHandler[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onModuleInit(): void {
    const found: DiscoveredHandler[] = [];
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object | null;
      if (!prototype) continue;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = instance[methodName];
        if (typeof method !== 'function') continue;
        const declarations = Reflect.getMetadata(AUTHORIZER_MESSAGE_HANDLERS, method) as
          HandlerDeclaration[] | undefined;
        if (!declarations?.length) continue;
        const name = `${instance.constructor?.name ?? 'Object'}.${methodName}`;
        if (!wrapper.isDependencyTreeStatic()) {
          this.logger.warn(`${name} is request-scoped: authorizer message handlers must be singletons; skipped`);
          continue;
        }
        for (const declaration of declarations)
          found.push({
            name,
            declaration,
            invoke: (message, ctx) => (method as (m: unknown, c: unknown) => unknown).call(instance, message, ctx),
          });
      }
    }
    this.handlers = found;
    this.logger.debug(`${found.length} authorizer message handler(s) found`);
  }

  /** The handlers that take `message`, in discovery order (one per method, however many declarations match). */
  handlersFor(message: AuthorizerInbound): DiscoveredHandler[] {
    const seen = new Set<string>();
    return this.handlers.filter((h) => {
      if (seen.has(h.name) || !declarationMatches(h.declaration, message)) return false;
      seen.add(h.name);
      return true;
    });
  }
}
