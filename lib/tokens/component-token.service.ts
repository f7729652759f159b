import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '../clock/clock.js';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { OpenPlatformEvents } from '../events/open-platform-events.service.js';
import { LockService } from '../lock/lock.service.js';
import { OPEN_PLATFORM_OPTIONS } from '../open-platform.constants.js';
import type { ResolvedComponent, ResolvedOptions } from '../options/resolved-options.js';
import { PlatformRegistry } from '../platforms/platform-registry.js';
import { StoreKeys } from '../store/store-keys.js';
import { TokenCache } from '../store/token-cache.js';
import { Telemetry } from '../telemetry/telemetry.service.js';
import { TicketStore } from '../tickets/ticket.store.js';
import { isExpired, type CachedToken } from './renewal.js';
import { TokenKeeper, type ForceRenewal } from './token-keeper.js';

/** Keeps each component's token: cached, renewed before expiry (see renewal.ts), one upstream call at a time. */
@Injectable()
export class ComponentTokenService implements OnApplicationShutdown {
  private readonly logger = new Logger('OpenPlatform:ComponentToken');

  constructor(
    private readonly platforms: PlatformRegistry,
    private readonly tickets: TicketStore,
    cache: TokenCache,
    lock: LockService,
    private readonly events: OpenPlatformEvents,
    private readonly clock: Clock,
    @Inject(OPEN_PLATFORM_OPTIONS) private readonly options: ResolvedOptions,
    telemetry?: Telemetry,
  ) {
    const observed = telemetry && { telemetry, kind: 'component' as const };
    this.keeper = new TokenKeeper(cache, lock, clock, options.refresh.marginSeconds, observed);
  }

  private readonly keeper: TokenKeeper;
  private readonly keys = new Map<string, string>();

  /** Cache keys built once (see AuthorizerTokenService.keyOf). */
  private keyOf(component: ResolvedComponent): string {
    let key = this.keys.get(component.appId);
    if (key === undefined)
      this.keys.set(component.appId, (key = StoreKeys.componentToken(component.platform, component.appId)));
    return key;
  }

  /** The cached token record (for its expiry), if any. */
  cached(component: ResolvedComponent): Promise<CachedToken | undefined> {
    return this.keeper.cached(this.keyOf(component));
  }

  /** The token if this process holds a fresh one, synchronously (the hot path). */
  hot(component: ResolvedComponent): string | undefined {
    return this.keeper.hot(this.keyOf(component));
  }

  /** When the cached token expires (epoch ms), if one is cached and still valid: for status, never the token. */
  async validUntil(component: ResolvedComponent): Promise<number | undefined> {
    const cached = await this.keeper.cached(this.keyOf(component));
    return cached && !isExpired(cached, this.clock.now()) ? cached.expiresAt : undefined;
  }

  /**
   * The component token. With `forceRefresh`, a new one is obtained unless the cached token
   * already differs from `rejected` (someone else renewed it meanwhile); `'rejected'` (the
   * platform refused `rejected`) is not repeated for a token that itself replaced a rejected one
   * moments ago, and then answers `rejected` itself.
   */
  get(component: ResolvedComponent, forceRefresh: ForceRenewal = false, rejected?: string): Promise<string> {
    const key = this.keyOf(component);
    return this.keeper.get(
      key,
      {
        renew: () => this.fetch(component, key),
        subject: component,
        // Any failure (even a ticket problem) leaves a still-valid token usable.
        mayServeCurrent: () => true,
        onFailure: (error, servingCurrent) => {
          this.events.emit({
            type: 'token.refresh_failed',
            platform: component.platform,
            componentAppId: component.appId,
            tokenKind: 'component',
            at: this.clock.now(),
            error: { code: error.code, message: error.message },
          });
          if (servingCurrent)
            this.logger.warn(
              `renewing the component token of ${component.appId} failed (${error.message}); the current token is still valid and stays in use`,
            );
          else this.logger.error(`could not obtain a component token for ${component.appId}: ${error.message}`);
        },
      },
      forceRefresh,
      rejected,
    );
  }

  /**
   * Runs a component API call with the component token. If the platform rejects the token, it is
   * renewed (only if it is still the cached one) and the call is retried once.
   */
  async call<T>(component: ResolvedComponent, fn: (componentToken: string) => Promise<T>): Promise<T> {
    const token = await this.get(component);
    try {
      return await fn(token);
    } catch (err) {
      if (this.platforms.get(component.platform).failureKind(err) !== 'token_rejected') throw err;
      this.logger.warn(`the component token of ${component.appId} was rejected; renewing it and retrying once`);
      const renewed = await this.get(component, 'rejected', token);
      // Not renewed: it replaced a rejected token moments ago, so another try would fail the same way.
      if (renewed === token) throw err;
      return fn(renewed);
    }
  }

  /** Lets background renewals settle (or abandon their lock waits) before the stores close. */
  onApplicationShutdown(): Promise<void> {
    return this.keeper.close();
  }

  private async fetch(component: ResolvedComponent, key: string): Promise<string> {
    const ticket = await this.usableTicket(component);
    const issued = await this.platforms.get(component.platform).fetchComponentToken(component, ticket);
    const token = await this.keeper.store(key, issued.accessToken, issued.expiresIn);
    this.logger.log(`component token renewed for ${component.appId} (expires in ${issued.expiresIn}s)`);
    this.events.emit({
      type: 'token.refreshed',
      platform: component.platform,
      componentAppId: component.appId,
      tokenKind: 'component',
      at: this.clock.now(),
      expiresAt: token.expiresAt,
    });
    return token.accessToken;
  }

  private async usableTicket(component: ResolvedComponent): Promise<string> {
    const record = await this.tickets.get(component);
    const url = `POST /${this.options.routePrefix}/${component.appId}/events`;
    if (!record) {
      throw noTicket(
        component,
        `no verify ticket has been received for component ${component.appId} yet. The platform pushes one every 10 minutes to the authorization-event URL: check that it points at ${url} on this app, that the app is reachable from the platform, and that token and encodingAesKey match the platform's settings`,
      );
    }
    if (record.expiresAt <= this.clock.now()) {
      throw noTicket(
        component,
        `the last verify ticket of component ${component.appId} expired at ${new Date(record.expiresAt).toISOString()}: no push has arrived since ${new Date(record.receivedAt).toISOString()}. Check that the authorization-event URL points at ${url} and that the app is reachable from the platform`,
      );
    }
    return record.ticket;
  }
}

function noTicket(component: ResolvedComponent, message: string): OpenPlatformError {
  return new OpenPlatformError({
    platform: component.platform,
    code: OpenPlatformErrorCode.NO_TICKET,
    message,
    retryable: true,
  });
}
