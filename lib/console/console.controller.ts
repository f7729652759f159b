import { Controller, Get, Header, Req, UseGuards, type Type } from '@nestjs/common';
import { MAX_ADMIN_URL_LENGTH } from '../admin/admin.controller.js';
import { AdminGuard } from '../admin/admin.guard.js';
import { badAdminInput } from '../admin/admin-errors.js';
import type { AdminRequest } from '../admin/admin-request.js';
import { toHttpError } from '../callback/http-error.js';
import { servedPath } from '../callback/served-path.js';
import { consoleFile, consolePage } from './console-assets.js';
import { CONSOLE_CSP } from './console-headers.js';

/** The same bound as the admin API's: a request target this long is refused before any work. */
function checkUrl(req: AdminRequest): void {
  const target = req.originalUrl ?? req.raw?.url ?? req.url ?? '';
  if (target.length > MAX_ADMIN_URL_LENGTH) throw toHttpError(badAdminInput('the request URL is too long'));
}

/**
 * Creates the operator console's controller: the page at `{routePrefix}/console` and its two
 * files under it. Behind {@link AdminGuard} like the admin API (404 while `admin.enabled` is off,
 * the same authentication and security headers); only the CSP differs, the page's own replacing
 * the API's `default-src 'none'` on success.
 */
export function createConsoleController(): Type<unknown> {
  @Controller()
  @UseGuards(AdminGuard)
  class OpenPlatformConsoleController {
    /** The console page. */
    @Get('console')
    @Header('Content-Type', 'text/html; charset=utf-8')
    @Header('Content-Security-Policy', CONSOLE_CSP)
    page(@Req() req: AdminRequest): string {
      checkUrl(req);
      const path = servedPath(req)?.replace(/\/+$/, '');
      if (!path || !/\/console$/i.test(path)) throw toHttpError(badAdminInput('the request path is not usable'));
      return consolePage(path);
    }

    @Get('console/console.js')
    @Header('Content-Type', 'text/javascript; charset=utf-8')
    @Header('Content-Security-Policy', CONSOLE_CSP)
    script(@Req() req: AdminRequest): string {
      checkUrl(req);
      return consoleFile('console.js');
    }

    @Get('console/console.css')
    @Header('Content-Type', 'text/css; charset=utf-8')
    @Header('Content-Security-Policy', CONSOLE_CSP)
    styles(@Req() req: AdminRequest): string {
      checkUrl(req);
      return consoleFile('console.css');
    }
  }
  return OpenPlatformConsoleController;
}
