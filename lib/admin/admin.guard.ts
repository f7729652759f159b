import {
  ForbiddenException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import { OPEN_PLATFORM_OPTIONS } from '../open-platform.constants.js';
import type { ResolvedOptions } from '../options/resolved-options.js';
import { actorFromUser, type AdminRequest } from './admin-request.js';
import { BasicAuthService } from './basic-auth.service.js';

/** Headers on every admin answer, refusals included: nothing here is cached, framed or sniffed. */
export const ADMIN_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** The header every state-changing admin request must carry (a cross-site form or image cannot set it). */
export const ADMIN_CSRF_HEADER = 'x-requested-with';

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * Guards every admin route: 404 while `admin.enabled` is off (as if there were no route), the
 * security headers, the CSRF checks on state-changing requests (the custom header, and no
 * cross-site `Origin` / `Sec-Fetch-Site`), then the app's guard or basic auth. Sets who acts on
 * the request for the actions' events.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly logger = new Logger('OpenPlatform:Admin');
  private appGuard?: CanActivate;

  constructor(
    @Inject(OPEN_PLATFORM_OPTIONS) private readonly options: ResolvedOptions,
    private readonly basicAuth: BasicAuthService,
    private readonly adapterHost: HttpAdapterHost,
    private readonly moduleRef: ModuleRef,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<AdminRequest>();
    const res = http.getResponse<unknown>();
    if (!this.options.admin.enabled) throw new NotFoundException();
    const adapter = this.adapterHost.httpAdapter;
    for (const [name, value] of Object.entries(ADMIN_SECURITY_HEADERS)) adapter.setHeader(res, name, value);
    if (!SAFE_METHODS.has(req.method ?? 'GET')) this.checkSameSite(req);
    const admin = this.options.admin;
    if (admin.guard !== undefined) {
      const allowed = await (await this.guard()).canActivate(context);
      if (!allowed) throw new ForbiddenException('the admin guard refused the request');
      req.adminActor = actorFromUser(req.user);
      return true;
    }
    const client = req.ip ?? req.socket?.remoteAddress ?? 'unknown';
    const result = await this.basicAuth.check(req.headers.authorization, client);
    if (result.ok) {
      req.adminActor = result.username;
      return true;
    }
    if (result.reason === 'locked') {
      this.logger.warn(`admin login refused: client ${client} is locked out after repeated failures`);
      throw new HttpException('too many failed logins; try again later', HttpStatus.TOO_MANY_REQUESTS);
    }
    if (result.reason === 'invalid') this.logger.warn(`admin login failed from ${client}`);
    adapter.setHeader(res, 'WWW-Authenticate', 'Basic realm="open-platform admin", charset="UTF-8"');
    throw new UnauthorizedException('admin credentials required');
  }

  private checkSameSite(req: AdminRequest): void {
    const marker = req.headers[ADMIN_CSRF_HEADER];
    if (typeof marker !== 'string' || marker.length === 0 || marker.length > 64)
      throw new ForbiddenException(`state-changing admin requests need the ${ADMIN_CSRF_HEADER} header`);
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none')
      throw new ForbiddenException('cross-site admin requests are refused');
    const origin = req.headers.origin;
    if (origin !== undefined && !sameHost(origin, req.headers.host))
      throw new ForbiddenException('cross-site admin requests are refused');
  }

  private async guard(): Promise<CanActivate> {
    if (this.appGuard) return this.appGuard;
    const guard = this.options.admin.guard!;
    if (typeof guard !== 'function') return (this.appGuard = guard);
    try {
      this.appGuard = this.moduleRef.get(guard, { strict: false });
    } catch {
      this.appGuard = await this.moduleRef.create(guard);
    }
    return this.appGuard;
  }
}

function sameHost(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    return new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false; // `null` and garbage alike
  }
}
