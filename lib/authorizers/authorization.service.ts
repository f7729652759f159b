import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../clock/clock.js';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { OpenPlatformEvents } from '../events/open-platform-events.service.js';
import type { ResolvedComponent } from '../options/resolved-options.js';
import type { AuthorizerGrant } from '../platforms/platform-adapter.js';
import { PlatformRegistry } from '../platforms/platform-registry.js';
import { Spans } from '../telemetry/telemetry.names.js';
import { SILENT_TELEMETRY, Telemetry } from '../telemetry/telemetry.service.js';
import { ComponentTokenService } from '../tokens/component-token.service.js';
import { unauthorizedEvent, type AuthorizerInfo, type AuthorizerRecord } from './authorizer.interface.js';
import { AuthorizerStore, toAuthorizerInfo } from './authorizer.store.js';
import { AuthorizerSyncService } from './authorizer-sync.service.js';
import { AuthorizerTokenService } from './authorizer-token.service.js';
import { ExchangedCodes } from './exchanged-codes.js';

const MAX_CODE_LENGTH = 512;

/** Options of {@link AuthorizationService.authorizationUrl}. */
export interface AuthorizationUrlOptions {
  redirectUri: string;
  authType?: number;
  bizAppId?: string;
  mobile?: boolean;
}

/** Merchant onboarding: authorization links, code exchange, authorization pushes. */
@Injectable()
export class AuthorizationService {
  private readonly logger = new Logger('OpenPlatform:Authorization');

  constructor(
    private readonly platforms: PlatformRegistry,
    private readonly componentTokens: ComponentTokenService,
    private readonly authorizerTokens: AuthorizerTokenService,
    private readonly sync: AuthorizerSyncService,
    private readonly store: AuthorizerStore,
    private readonly codes: ExchangedCodes,
    private readonly events: OpenPlatformEvents,
    private readonly clock: Clock,
    private readonly telemetry: Telemetry = SILENT_TELEMETRY,
  ) {}

  /** A merchant authorization page link with a fresh single-use pre-auth code. */
  async authorizationUrl(component: ResolvedComponent, o: AuthorizationUrlOptions): Promise<string> {
    const adapter = this.platforms.get(component.platform);
    validateUrlOptions(o, adapter.pageOptionsProblem({ authType: o.authType, bizAppId: o.bizAppId, mobile: o.mobile }));
    const link = { redirectUri: o.redirectUri, authType: o.authType, bizAppId: o.bizAppId, mobile: o.mobile };
    return this.componentTokens.call(component, (t) => adapter.authorizationLink(component, t, link));
  }

  /**
   * Exchanges an authorization code once: it arrives twice (redirect and push), and concurrent
   * or later arrivals of the same code get the authorizer the first exchange recorded.
   * @param eventAt creation time of the push that carried the code, if it came by push.
   */
  async exchange(component: ResolvedComponent, code: string, eventAt?: number): Promise<AuthorizerInfo> {
    if (typeof code !== 'string' || code.length === 0 || code.length > MAX_CODE_LENGTH) {
      throw new OpenPlatformError({
        platform: component.platform,
        code: OpenPlatformErrorCode.INVALID_AUTHORIZATION_CODE,
        message: 'the authorization code is missing or malformed',
      });
    }
    // Arrivals of the code (redirect, push, a chain repair that retrieved it) take turns under the
    // code's lock; only the first exchanges it, the others read what it recorded.
    return this.codes.exclusive(component, code, ({ exchangedBy, remember }) =>
      this.exchangeInTurn(component, code, eventAt, exchangedBy, remember),
    );
  }

  private async exchangeInTurn(
    component: ResolvedComponent,
    code: string,
    eventAt: number | undefined,
    exchangedBy: string | undefined,
    remember: (authorizerAppId: string) => Promise<void>,
  ): Promise<AuthorizerInfo> {
    const known = exchangedBy ? await this.store.get(component, exchangedBy) : undefined;
    if (known) {
      // The push of a code the redirect already exchanged still tells when it happened.
      if (eventAt !== undefined && eventAt > (known.lastEventAt ?? 0)) {
        await this.store.update(component, known.authorizerAppId, (c) =>
          c && eventAt > (c.lastEventAt ?? 0) ? { ...c, lastEventAt: eventAt } : undefined,
        );
      }
      return this.info(component, (await this.store.get(component, known.authorizerAppId)) ?? known);
    }
    const grant = await this.exchangeUpstream(component, code);
    const info = await this.applyAuthorization(component, grant, eventAt);
    await remember(grant.authorizerAppId);
    return info;
  }

  /** De-authorization: status `revoked`, tokens dropped, record kept. Older pushes are ignored. */
  async revoke(component: ResolvedComponent, authorizerAppId: string, eventAt: number): Promise<void> {
    let applied = false;
    const record = await this.store.update(component, authorizerAppId, (current) => {
      if (current && (current.lastEventAt ?? 0) > eventAt) return undefined; // an older push arriving late
      // This revocation delivered again (the platform re-sent it): already applied, nothing to do.
      if (current?.status === 'revoked' && current.lastEventAt === eventAt) return undefined;
      applied = true;
      return {
        componentAppId: component.appId,
        authorizerAppId,
        platform: component.platform,
        permissions: [],
        authorizedAt: eventAt,
        ...current,
        status: 'revoked',
        refreshToken: undefined,
        refreshTokenExpiresAt: undefined,
        refreshTokenIssuedAt: undefined,
        lastEventAt: eventAt,
        updatedAt: this.clock.now(),
      };
    });
    if (record?.status !== 'revoked') return;
    if (applied) {
      this.logger.log(`authorizer ${authorizerAppId} de-authorized component ${component.appId}`);
      this.events.emit(unauthorizedEvent(component, authorizerAppId, this.clock.now()));
    }
    // Whenever the record ends up revoked, also on a repeat of the push: the first delivery may
    // have failed right here (the cache unreachable), and the platform's retry must finish the job.
    await this.authorizerTokens.drop(component, authorizerAppId);
  }

  async info(component: ResolvedComponent, record: AuthorizerRecord): Promise<AuthorizerInfo> {
    const token =
      record.status === 'active' ? await this.authorizerTokens.cached(component, record.authorizerAppId) : undefined;
    return toAuthorizerInfo(record, token?.expiresAt);
  }

  private exchangeUpstream(component: ResolvedComponent, code: string): Promise<AuthorizerGrant> {
    const attributes = { platform: component.platform, component: component.appId };
    return this.telemetry.span(Spans.codeExchange, attributes, () => this.exchangeOnce(component, code));
  }

  private async exchangeOnce(component: ResolvedComponent, code: string): Promise<AuthorizerGrant> {
    const adapter = this.platforms.get(component.platform);
    try {
      return await this.componentTokens.call(component, (t) => adapter.exchangeCode(component, t, code));
    } catch (err) {
      if (adapter.failureKind(err) !== 'code_invalid') throw err;
      throw new OpenPlatformError({
        platform: component.platform,
        code: OpenPlatformErrorCode.INVALID_AUTHORIZATION_CODE,
        message: `the authorization code is invalid, expired or already used (${(err as Error).message})`,
      });
    }
  }

  /**
   * Records a new or renewed authorization: refresh token persisted first, then the token cached.
   * `eventAt` is the platform's creation time of the push, if the code came by push. Only
   * platform times order events: our clock and the platform's may disagree by seconds, and a
   * revocation must never be discarded as "older" because of that.
   */
  private async applyAuthorization(
    component: ResolvedComponent,
    grant: AuthorizerGrant,
    eventAt: number | undefined,
  ): Promise<AuthorizerInfo> {
    const now = this.clock.now();
    let previous: AuthorizerRecord | undefined;
    const record = await this.store.update(component, grant.authorizerAppId, (current) => {
      previous = current;
      return {
        componentAppId: component.appId,
        authorizerAppId: grant.authorizerAppId,
        platform: component.platform,
        status: grant.accessToken ? 'active' : 'no_api_permission',
        permissions: grant.permissions ?? current?.permissions ?? [],
        authorizedAt: now,
        refreshToken: grant.refreshToken,
        refreshTokenExpiresAt: grant.refreshExpiresIn ? now + grant.refreshExpiresIn * 1000 : undefined,
        refreshTokenIssuedAt: grant.refreshExpiresIn ? now : undefined,
        lastEventAt: eventAt === undefined ? current?.lastEventAt : Math.max(eventAt, current?.lastEventAt ?? 0),
        updatedAt: now,
      };
    });
    // An appid a recent list walk did not have may just have been looked up: it exists now.
    this.sync.noteAuthorized(component, grant.authorizerAppId);
    // The platform invalidates the previous token on re-authorization: replace it, never keep it.
    await this.authorizerTokens.drop(component, grant.authorizerAppId);
    const token = await this.authorizerTokens.cacheGrant(component, grant, record!);
    const type =
      previous?.status === 'active' || previous?.status === 'no_api_permission' ? 'updateauthorized' : 'authorized';
    this.logger.log(
      `authorizer ${grant.authorizerAppId} ${type === 'authorized' ? 'authorized' : 're-authorized'} component ${component.appId} (${record!.status})`,
    );
    this.events.emit({
      type,
      platform: component.platform,
      componentAppId: component.appId,
      authorizerAppId: grant.authorizerAppId,
      at: now,
    });
    return toAuthorizerInfo(record!, token?.expiresAt);
  }
}

function validateUrlOptions(o: AuthorizationUrlOptions, platformProblem: string | undefined): void {
  const bad = (message: string) =>
    new OpenPlatformError({ platform: 'library', code: OpenPlatformErrorCode.INVALID_ARGUMENT, message });
  let url: URL | undefined;
  try {
    url = new URL(o?.redirectUri);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol)) throw bad('redirectUri must be an absolute http(s) URL');
  if (platformProblem) throw bad(platformProblem);
}
