import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, UseGuards, type Type } from '@nestjs/common';
import { appIdProblem } from '../app-id.js';
import type { AuthorizerInfo } from '../authorizers/authorizer.interface.js';
import { AuthorizerLocator } from '../authorizers/authorizer-locator.service.js';
import { toHttpError } from '../callback/http-error.js';
import { servedPath } from '../callback/served-path.js';
import { AdminActionsService, type AuthorizationLink, type LinkOptions } from './admin-actions.service.js';
import { badAdminInput } from './admin-errors.js';
import { AdminGuard } from './admin.guard.js';
import { AdminQueryService, type AuthorizerPage } from './admin-query.service.js';
import type { AdminRequest } from './admin-request.js';
import { parseAuthorizerQuery } from './authorizer-query.js';

/** Request targets longer than this are refused (400) before any work. */
export const MAX_ADMIN_URL_LENGTH = 2048;

async function answer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toHttpError(err);
  }
}

function checkUrl(req: AdminRequest): void {
  const target = req.originalUrl ?? req.raw?.url ?? req.url ?? '';
  if (target.length > MAX_ADMIN_URL_LENGTH) throw toHttpError(badAdminInput('the request URL is too long'));
}

function actor(req: AdminRequest): string {
  return req.adminActor ?? 'unknown';
}

/** The module's routes URL (global prefix and route prefix), from the path this request came under. */
function routesBase(req: AdminRequest & { protocol?: string }, publicBaseUrl: string | undefined): string {
  const path = servedPath(req)?.replace(/\/admin\/components\/[^/]+\/authorization-link\/?$/i, '');
  if (!path || path.includes('/admin/')) throw badAdminInput('the request path cannot be used to build the link');
  if (publicBaseUrl) return `${publicBaseUrl}${path}`;
  const host = req.headers.host;
  if (!host || !/^[A-Za-z0-9.:[\]-]+$/.test(host))
    throw badAdminInput('no usable Host header; configure publicBaseUrl');
  return `${req.protocol ?? 'http'}://${host}${path}`;
}

function linkOptions(body: unknown): LinkOptions {
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw badAdminInput('the body must be a JSON object');
  const o: LinkOptions = {};
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (name === 'authType') {
      if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 999)
        throw badAdminInput('authType must be an integer from 1 to 999');
      o.authType = value as number;
    } else if (name === 'bizAppId') {
      if (appIdProblem(value)) throw badAdminInput('bizAppId is not an appid');
      o.bizAppId = value as string;
    } else if (name === 'mobile') {
      if (typeof value !== 'boolean') throw badAdminInput('mobile must be true or false');
      o.mobile = value;
    } else throw badAdminInput('unknown field in the body (allowed: authType, bizAppId, mobile)');
  }
  return o;
}

/**
 * Creates the admin API controller, under `{routePrefix}/admin` (see `createEventsController` for
 * why a factory). Every route is behind {@link AdminGuard}.
 */
export function createAdminController(): Type<unknown> {
  @Controller()
  @UseGuards(AdminGuard)
  class OpenPlatformAdminController {
    constructor(
      private readonly queries: AdminQueryService,
      private readonly actions: AdminActionsService,
      private readonly locator: AuthorizerLocator,
    ) {}

    /** The component of an authorizer named alone (`?componentAppId=` when it has authorized several). */
    private async componentOf(authorizerAppId: string, query: Record<string, unknown>): Promise<string> {
      const componentAppId = query?.componentAppId;
      if (componentAppId !== undefined && typeof componentAppId !== 'string')
        throw badAdminInput('componentAppId must be given once');
      return (await this.locator.resolve(authorizerAppId, componentAppId)).appId;
    }

    // The contract's short forms (DESIGN.md 7c): an authorizer named alone, its component found
    // as TokenService finds it.
    @Get('admin/authorizers/:authorizerAppId')
    authorizerAlone(
      @Req() req: AdminRequest,
      @Param('authorizerAppId') authorizerAppId: string,
      @Query() query: Record<string, unknown>,
    ) {
      checkUrl(req);
      return answer(async () => this.queries.one(await this.componentOf(authorizerAppId, query), authorizerAppId));
    }

    @Post('admin/authorizers/:authorizerAppId/renew')
    @HttpCode(200)
    renewAlone(
      @Req() req: AdminRequest,
      @Param('authorizerAppId') authorizerAppId: string,
      @Query() query: Record<string, unknown>,
    ): Promise<AuthorizerInfo> {
      checkUrl(req);
      return answer(async () =>
        this.actions.renew(actor(req), await this.componentOf(authorizerAppId, query), authorizerAppId),
      );
    }

    @Post('admin/authorizers/:authorizerAppId/revoke')
    @HttpCode(200)
    revokeAlone(
      @Req() req: AdminRequest,
      @Param('authorizerAppId') authorizerAppId: string,
      @Query() query: Record<string, unknown>,
    ): Promise<AuthorizerInfo> {
      checkUrl(req);
      return answer(async () =>
        this.actions.markRevoked(actor(req), await this.componentOf(authorizerAppId, query), authorizerAppId),
      );
    }

    /** Every component: ticket age and expiry, component token validity (never the token), counts. */
    @Get('admin/components')
    components(@Req() req: AdminRequest) {
      checkUrl(req);
      return answer(() => this.queries.componentsOverview());
    }

    /** The authorizer list, filtered and paged by cursor. */
    @Get('admin/authorizers')
    authorizers(@Req() req: AdminRequest, @Query() query: Record<string, unknown>): Promise<AuthorizerPage> {
      checkUrl(req);
      return answer(() => this.queries.list(parseAuthorizerQuery(query ?? {})));
    }

    /** One authorizer and its history. */
    @Get('admin/components/:componentAppId/authorizers/:authorizerAppId')
    authorizer(
      @Req() req: AdminRequest,
      @Param('componentAppId') componentAppId: string,
      @Param('authorizerAppId') authorizerAppId: string,
    ) {
      checkUrl(req);
      return answer(() => this.queries.one(componentAppId, authorizerAppId));
    }

    @Post('admin/components/:componentAppId/authorizers/:authorizerAppId/renew')
    @HttpCode(200)
    renew(
      @Req() req: AdminRequest,
      @Param('componentAppId') componentAppId: string,
      @Param('authorizerAppId') authorizerAppId: string,
    ): Promise<AuthorizerInfo> {
      checkUrl(req);
      return answer(() => this.actions.renew(actor(req), componentAppId, authorizerAppId));
    }

    @Post('admin/components/:componentAppId/authorizers/:authorizerAppId/revoke')
    @HttpCode(200)
    revoke(
      @Req() req: AdminRequest,
      @Param('componentAppId') componentAppId: string,
      @Param('authorizerAppId') authorizerAppId: string,
    ): Promise<AuthorizerInfo> {
      checkUrl(req);
      return answer(() => this.actions.markRevoked(actor(req), componentAppId, authorizerAppId));
    }

    @Post('admin/components/:componentAppId/sync')
    @HttpCode(200)
    sync(@Req() req: AdminRequest, @Param('componentAppId') componentAppId: string) {
      checkUrl(req);
      return answer(() => this.actions.syncComponent(actor(req), componentAppId));
    }

    @Post('admin/components/:componentAppId/authorization-link')
    @HttpCode(200)
    link(
      @Req() req: AdminRequest,
      @Param('componentAppId') componentAppId: string,
      @Body() body: unknown,
    ): Promise<AuthorizationLink> {
      checkUrl(req);
      return answer(async () => {
        const options = linkOptions(body);
        const base = routesBase(req, this.actions.publicBaseUrl);
        return this.actions.authorizationLink(actor(req), componentAppId, base, options);
      });
    }
  }
  return OpenPlatformAdminController;
}
