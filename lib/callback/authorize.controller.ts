import { Controller, Get, Inject, Param, Query, Redirect, Req, type Type } from '@nestjs/common';
import { AuthorizationService } from '../authorizers/authorization.service.js';
import { ComponentsService } from '../components/components.service.js';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';
import { OPEN_PLATFORM_OPTIONS } from '../open-platform.constants.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { PlatformRegistry } from '../platforms/platform-registry.js';
import { isUsableField } from '../platforms/push-fields.js';
import { toHttpError } from './http-error.js';
import { authorizedPath, type ServedRequest } from './served-path.js';

type Query = Record<string, unknown>;

/**
 * A query parameter given at most once: undefined when absent; a repeated or bracketed one
 * (an array or object, depending on the query parser) is refused rather than ignored.
 */
function one(query: Query, name: string): string | undefined {
  const value = Object.hasOwn(query, name) ? query[name] : undefined;
  if (value === undefined || typeof value === 'string') return value;
  throw badRequest(`the ${name} query parameter must be given once, as a plain value`);
}

function badRequest(message: string): OpenPlatformError {
  return new OpenPlatformError({ platform: 'library', code: OpenPlatformErrorCode.INVALID_ARGUMENT, message });
}

/** Creates the merchant onboarding controller (see `createEventsController` for why a factory). */
export function createAuthorizeController(): Type<unknown> {
  @Controller()
  class OpenPlatformAuthorizeController {
    constructor(
      private readonly components: ComponentsService,
      private readonly platforms: PlatformRegistry,
      private readonly authorizations: AuthorizationService,
      @Inject(OPEN_PLATFORM_OPTIONS) private readonly options: ResolvedOptions,
    ) {}

    /** Creates a pre-auth code and sends the merchant to the platform's authorization page. */
    @Get(':componentAppId/authorize')
    @Redirect()
    async authorize(
      @Param('componentAppId') componentAppId: string,
      @Query() query: Query,
      @Req() req: ServedRequest,
    ): Promise<{ url: string; statusCode: number }> {
      try {
        const component = this.components.resolve(componentAppId);
        const authType = one(query, 'auth_type');
        if (authType !== undefined && !/^\d{1,3}$/.test(authType)) throw badRequest('auth_type must be a number');
        const bizAppId = one(query, 'biz_appid');
        if (bizAppId && !isUsableField(bizAppId)) throw badRequest('biz_appid is blank, too long or malformed');
        const mobile = one(query, 'mobile');
        const url = await this.authorizations.authorizationUrl(component, {
          redirectUri: this.redirectUri(req),
          authType: authType === undefined ? undefined : Number(authType),
          bizAppId: bizAppId || undefined,
          mobile: mobile === '1' || mobile === 'true',
        });
        return { url, statusCode: 302 };
      } catch (err) {
        throw toHttpError(err);
      }
    }

    /** The redirect target after consent: exchanges the code (once) and reports the authorizer. */
    @Get(':componentAppId/authorized')
    async authorized(
      @Param('componentAppId') componentAppId: string,
      @Query() query: Query,
    ): Promise<{ authorizerAppId: string; status: string }> {
      try {
        const component = this.components.resolve(componentAppId);
        const param = this.platforms.get(component.platform).redirectCodeParam;
        const code = one(query, param);
        // Checked here so a blank or oversized code never costs an upstream call.
        if (!isUsableField(code)) throw badRequest(`the ${param} query parameter is missing or malformed`);
        const info = await this.authorizations.exchange(component, code);
        return { authorizerAppId: info.authorizerAppId, status: info.status };
      } catch (err) {
        throw toHttpError(err);
      }
    }

    /**
     * Where the platform sends the merchant back: the path this very request was served under
     * (global prefix, versioning and mounts included) with `/authorize` replaced by `/authorized`,
     * after `publicBaseUrl` when configured (the public origin, plus any path a reverse proxy puts
     * in front of the app), else after the origin this request came to.
     */
    private redirectUri(req: ServedRequest & { protocol?: string }): string {
      const path = authorizedPath(req);
      if (!path) throw badRequest('the request path cannot be used to build redirect_uri');
      if (this.options.publicBaseUrl) return `${this.options.publicBaseUrl}${path}`;
      const host = req.headers.host;
      if (!host || !/^[A-Za-z0-9.:[\]-]+$/.test(host))
        throw badRequest('no usable Host header; configure publicBaseUrl');
      // Express and Fastify both expose `protocol` (honouring their trust-proxy settings).
      return `${req.protocol ?? 'http'}://${host}${path}`;
    }
  }
  return OpenPlatformAuthorizeController;
}
