import { Inject, Injectable, Logger } from '@nestjs/common';
import { renderSVG } from 'uqr';
import { revokedRecord, type AuthorizerInfo } from '../authorizers/authorizer.interface.js';
import { AuthorizationService } from '../authorizers/authorization.service.js';
import { AuthorizerStore } from '../authorizers/authorizer.store.js';
import { AuthorizerSyncService } from '../authorizers/authorizer-sync.service.js';
import { AuthorizerTokenService } from '../authorizers/authorizer-token.service.js';
import { AuthorizerRenewals } from '../authorizers/authorizer-renewals.js';
import { Clock } from '../clock/clock.js';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import type { AdminActionName } from '../events/open-platform-event.interface.js';
import { OpenPlatformEvents } from '../events/open-platform-events.service.js';
import { OPEN_PLATFORM_OPTIONS } from '../open-platform.constants.js';
import type { ResolvedComponent, ResolvedOptions } from '../options/resolved-options.js';
import { AdminQueryService } from './admin-query.service.js';

/** What `POST …/authorization-link` answers. */
export interface AuthorizationLink {
  /**
   * The module's own `…/{componentAppId}/authorize` route with the chosen options: each visit
   * creates a fresh pre-auth code, so the link holds no code and does not expire.
   */
  url: string;
  /** The same URL as a QR code, an SVG document. */
  qrSvg: string;
}

/** Options of an authorization link, as checked by the controller. */
export interface LinkOptions {
  authType?: number;
  bizAppId?: string;
  mobile?: boolean;
}

/**
 * The admin API's actions. Each one is idempotent (repeating it leaves the same state), logged
 * with who did it, and emitted as an `admin.action` event (outcome and whether it changed
 * anything), failures included.
 */
@Injectable()
export class AdminActionsService {
  private readonly logger = new Logger('OpenPlatform:Admin');

  constructor(
    private readonly query: AdminQueryService,
    private readonly store: AuthorizerStore,
    private readonly tokens: AuthorizerTokenService,
    private readonly renewals: AuthorizerRenewals,
    private readonly sync: AuthorizerSyncService,
    private readonly authorizations: AuthorizationService,
    private readonly events: OpenPlatformEvents,
    private readonly clock: Clock,
    @Inject(OPEN_PLATFORM_OPTIONS) private readonly options: ResolvedOptions,
  ) {}

  /** Renews the authorizer's access token now (shared with any renewal already running). */
  async renew(actor: string, componentAppId: string, authorizerAppId: string): Promise<AuthorizerInfo> {
    const { component, record } = await this.query.record(componentAppId, authorizerAppId);
    return this.act('renew', actor, component, authorizerAppId, async () => {
      if (record.status !== 'active')
        throw new OpenPlatformError({
          platform: 'library',
          code:
            record.status === 'revoked'
              ? OpenPlatformErrorCode.AUTHORIZER_REVOKED
              : OpenPlatformErrorCode.REAUTHORIZATION_REQUIRED,
          message: `authorizer ${authorizerAppId} is ${record.status}: there is no token to renew`,
        });
      await this.tokens.get(component, authorizerAppId, true);
      const now = await this.store.get(component, authorizerAppId);
      return { result: await this.authorizations.info(component, now ?? record), changed: true };
    });
  }

  /** Walks the platform's authorizer list and restores missing or stale records. */
  async syncComponent(actor: string, componentAppId: string): Promise<{ total: number; restored: number }> {
    const component = this.query.component(componentAppId);
    return this.act('sync', actor, component, undefined, async () => {
      const result = await this.sync.syncAll(component);
      return { result, changed: result.restored > 0 };
    });
  }

  /** Marks the authorizer revoked here (tokens dropped, out of the schedule); the platform is not told. */
  async markRevoked(actor: string, componentAppId: string, authorizerAppId: string): Promise<AuthorizerInfo> {
    const { component } = await this.query.record(componentAppId, authorizerAppId);
    return this.act('mark_revoked', actor, component, authorizerAppId, async () => {
      let changed = false;
      const record = await this.store.update(component, authorizerAppId, (current) => {
        if (!current || current.status === 'revoked') return undefined;
        changed = true;
        return revokedRecord(current, this.clock.now());
      });
      // Also on a repeat: a first attempt may have failed after the record was written.
      await this.tokens.drop(component, authorizerAppId);
      await this.renewals.untrack(component, authorizerAppId);
      return { result: await this.authorizations.info(component, record!), changed };
    });
  }

  /** A re-authorization link for a merchant, with its QR code. `base` is the module's routes URL. */
  async authorizationLink(
    actor: string,
    componentAppId: string,
    base: string,
    o: LinkOptions,
  ): Promise<AuthorizationLink> {
    const component = this.query.component(componentAppId);
    return this.act('authorization_link', actor, component, o.bizAppId, async () => {
      const params = new URLSearchParams();
      if (o.authType !== undefined) params.set('auth_type', String(o.authType));
      if (o.bizAppId) params.set('biz_appid', o.bizAppId);
      if (o.mobile) params.set('mobile', '1');
      const query = params.toString();
      const url = `${base}/${encodeURIComponent(component.appId)}/authorize${query ? `?${query}` : ''}`;
      return { result: { url, qrSvg: renderSVG(url) }, changed: false };
    });
  }

  /** @internal The routes' base for links: `publicBaseUrl` when set. */
  get publicBaseUrl(): string | undefined {
    return this.options.publicBaseUrl;
  }

  private async act<T>(
    action: AdminActionName,
    actor: string,
    component: ResolvedComponent,
    authorizerAppId: string | undefined,
    run: () => Promise<{ result: T; changed: boolean }>,
  ): Promise<T> {
    const target = authorizerAppId
      ? `authorizer ${authorizerAppId} of ${component.appId}`
      : `component ${component.appId}`;
    const base = {
      type: 'admin.action' as const,
      platform: component.platform,
      componentAppId: component.appId,
      action,
      actor,
      ...(authorizerAppId ? { authorizerAppId } : {}),
    };
    try {
      const { result, changed } = await run();
      this.logger.log(`admin ${actor}: ${action} on ${target}${changed ? '' : ' (nothing to change)'}`);
      this.events.emit({ ...base, at: this.clock.now(), outcome: 'ok', changed });
      return result;
    } catch (err) {
      const error =
        err instanceof OpenPlatformError
          ? { code: err.code, message: err.message }
          : { code: 'UNKNOWN', message: 'unexpected error' };
      this.logger.warn(`admin ${actor}: ${action} on ${target} failed: ${error.code}`);
      this.events.emit({ ...base, at: this.clock.now(), outcome: 'failed', failure: error });
      throw err;
    }
  }
}
