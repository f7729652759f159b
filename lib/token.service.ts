import { Injectable } from '@nestjs/common';
import { AuthorizationService } from './authorizers/authorization.service.js';
import type { AuthorizerInfo } from './authorizers/authorizer.interface.js';
import { AuthorizerLocator } from './authorizers/authorizer-locator.service.js';
import { AuthorizerStore } from './authorizers/authorizer.store.js';
import { AuthorizerSyncService } from './authorizers/authorizer-sync.service.js';
import { AuthorizerTokenService } from './authorizers/authorizer-token.service.js';
import { ComponentsService } from './components/components.service.js';
import type { OpenPlatformStatus } from './health/status.interface.js';
import { StatusService } from './health/status.service.js';
import { SILENT_TELEMETRY, Telemetry } from './telemetry/telemetry.service.js';
import { ComponentTokenService } from './tokens/component-token.service.js';

/** Options of {@link TokenService.getComponentAccessToken}. */
export interface GetTokenOptions {
  /** Obtain a new token even if the cached one is still fresh. */
  forceRefresh?: boolean;
}

/** Options of {@link TokenService.getAuthorizerAccessToken}. */
export interface GetAuthorizerTokenOptions extends GetTokenOptions {
  /** May be omitted when exactly one component is configured. */
  componentAppId?: string;
}

/** Options of {@link TokenService.getAuthorizationUrl}. */
export interface AuthorizationUrlRequest {
  /** May be omitted when exactly one component is configured. */
  componentAppId?: string;
  /** Where the platform sends the merchant after consent (absolute http(s) URL, on the component's domain). */
  redirectUri: string;
  /** WeChat: 1 official accounts, 2 mini programs, 3 both (default). */
  authType?: number;
  /** Pin the authorization to one account. */
  bizAppId?: string;
  /** The H5 page instead of the PC page. */
  mobile?: boolean;
}

/**
 * The credentials of every configured component and its authorizers. Concurrent
 * callers asking for the same missing or expiring token share one upstream call. Failures are
 * `OpenPlatformError`s.
 *
 * Nest's injector builds it: inject it, never construct it.
 *
 * @hideconstructor
 */
@Injectable()
export class TokenService {
  constructor(
    private readonly components: ComponentsService,
    private readonly componentTokens: ComponentTokenService,
    private readonly authorizerTokens: AuthorizerTokenService,
    private readonly authorizations: AuthorizationService,
    private readonly authorizers: AuthorizerStore,
    private readonly sync: AuthorizerSyncService,
    private readonly locator: AuthorizerLocator,
    private readonly statuses: StatusService,
    private readonly telemetry: Telemetry = SILENT_TELEMETRY,
  ) {}

  /**
   * The component access token, from the cache while fresh; renewed when its remaining life falls
   * below min(`refresh.marginSeconds`, 20% of its lifetime).
   * @param componentAppId may be omitted when exactly one component is configured.
   */
  getComponentAccessToken(componentAppId?: string, opts?: GetTokenOptions): Promise<string> {
    // Hot path: a fresh token held in process is one Map lookup and one promise.
    if (opts?.forceRefresh !== true) {
      const component = this.components.find(componentAppId);
      const hot = component && this.componentTokens.hot(component);
      if (hot) {
        this.telemetry.tally(component).componentHits++;
        return Promise.resolve(hot);
      }
    }
    return this.componentTokenSlow(componentAppId, opts);
  }

  private async componentTokenSlow(componentAppId?: string, opts?: GetTokenOptions): Promise<string> {
    const component = this.components.resolve(componentAppId);
    this.telemetry.tally(component).componentMisses++;
    return this.componentTokens.get(component, opts?.forceRefresh === true);
  }

  /**
   * An authorizer's access token, from the cache while fresh; renewed with its refresh token
   * (rotated refresh tokens are persisted before the new token is returned). A broken chain is
   * repaired from the platform's authorizer list; if that fails the authorizer becomes
   * `reauthorization_required` and this throws.
   */
  getAuthorizerAccessToken(authorizerAppId: string, opts?: GetAuthorizerTokenOptions): Promise<string> {
    // Hot path: a key memoized for an appid checked before answers at once; otherwise `find` checks
    // the appid (a length check and a precompiled regex) and answers only for a valid one, and
    // `hot` only for a token this process holds. Nothing is kept otherwise.
    if (opts?.forceRefresh !== true && typeof authorizerAppId === 'string') {
      // The warm hit first: a key memoized for this (checked) appid, no regex, no key built.
      const known = this.locator.known(authorizerAppId, opts?.componentAppId);
      const warm = known && this.authorizerTokens.warm(known, authorizerAppId);
      if (warm) {
        this.telemetry.tally(known).authorizerHits++;
        return Promise.resolve(warm);
      }
      const component = this.locator.find(authorizerAppId, opts?.componentAppId);
      const hot = component && this.authorizerTokens.hot(component, authorizerAppId);
      if (hot) {
        // A plain number (read by an observable counter at collection): the warm hit stays a lookup.
        this.telemetry.tally(component).authorizerHits++;
        return Promise.resolve(hot);
      }
    }
    return this.authorizerTokenSlow(authorizerAppId, opts);
  }

  private async authorizerTokenSlow(authorizerAppId: string, opts?: GetAuthorizerTokenOptions): Promise<string> {
    // Checks the appid (INVALID_ARGUMENT) before anything is read or cached for it.
    const component = await this.locator.resolve(authorizerAppId, opts?.componentAppId);
    this.telemetry.tally(component).authorizerMisses++;
    return this.authorizerTokens.get(component, authorizerAppId, opts?.forceRefresh === true);
  }

  /** A merchant authorization page link, with a fresh single-use pre-auth code each call. */
  async getAuthorizationUrl(opts: AuthorizationUrlRequest): Promise<string> {
    const component = this.components.resolve(opts?.componentAppId);
    return this.authorizations.authorizationUrl(component, opts);
  }

  /**
   * Exchanges an authorization code (from the redirect or the push) for the authorizer's first
   * token pair and records the authorizer. A code is exchanged upstream once, however often it
   * arrives.
   */
  async exchangeAuthorizationCode(code: string, componentAppId?: string): Promise<AuthorizerInfo> {
    const component = this.components.resolve(componentAppId);
    return this.authorizations.exchange(component, code);
  }

  /** What the module knows about an authorizer, without any token; undefined if unknown. */
  async getAuthorizer(authorizerAppId: string, componentAppId?: string): Promise<AuthorizerInfo | undefined> {
    // Checks the appid (INVALID_ARGUMENT) before the store is read.
    const component = await this.locator.resolve(authorizerAppId, componentAppId);
    const record = await this.authorizers.get(component, authorizerAppId);
    return record ? this.authorizations.info(component, record) : undefined;
  }

  /** Every authorizer recorded for a component, oldest authorization first. */
  async listAuthorizers(componentAppId?: string): Promise<AuthorizerInfo[]> {
    const component = this.components.resolve(componentAppId);
    const records = await this.authorizers.list(component);
    return Promise.all(records.map((r) => this.authorizations.info(component, r)));
  }

  /**
   * Pages through the platform's authorizer list and restores missing or stale refresh tokens.
   * @returns the list's total and how many records were restored.
   */
  async syncAuthorizers(componentAppId?: string): Promise<{ total: number; restored: number }> {
    const component = this.components.resolve(componentAppId);
    return this.sync.syncAll(component);
  }

  /**
   * The state of every component (or of `componentAppId` only), as data: the verify ticket's age
   * and expiry, whether a component token is cached and until when, authorizers per status, and
   * the last renewal failure. Never a token, ticket or secret, and never a platform call (the
   * health indicator is the one that obtains a missing token). Authorizer counts are read once
   * from the store, then kept up to date by every write.
   * @throws UNKNOWN_COMPONENT when `componentAppId` is not configured.
   */
  status(componentAppId?: string): Promise<OpenPlatformStatus> {
    return this.statuses.status(componentAppId);
  }
}
