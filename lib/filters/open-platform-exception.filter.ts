import { Catch, HttpStatus, Logger, Optional, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { httpBodyOf, httpStatusOf } from '../errors/http-status.js';
import { OpenPlatformError } from '../errors/open-platform.error.js';

/** The reply objects of Express and Fastify, for apps without an `HttpAdapterHost` at hand. */
interface AnyReply {
  status?: (code: number) => AnyReply;
  code?: (code: number) => AnyReply;
  json?: (body: unknown) => unknown;
  send?: (body: unknown) => unknown;
}

/**
 * Answers `OpenPlatformError`s that reach the app's own HTTP routes with a meaningful status
 * instead of Nest's 500: unknown authorizer or component 404; revoked, re-authorization required or
 * no API permission 403; bad arguments 400; no ticket yet and transient platform or store failures
 * 503; other platform refusals 502; mistakes in the app's code or options 500. The body is
 * `{ statusCode, code, platform, message, retryable }` and never carries a token.
 *
 * ```ts
 * app.useGlobalFilters(new OpenPlatformExceptionFilter());
 * // or, with dependency injection:
 * providers: [{ provide: APP_FILTER, useClass: OpenPlatformExceptionFilter }]
 * ```
 *
 * Works with Express and Fastify. Errors the library already logged (a missing ticket, a failed
 * renewal) are not logged again; 500s are logged once, as they point at the app's own code.
 */
@Catch(OpenPlatformError)
export class OpenPlatformExceptionFilter implements ExceptionFilter<OpenPlatformError> {
  private readonly logger = new Logger('OpenPlatform:ExceptionFilter');

  constructor(@Optional() private readonly adapterHost?: HttpAdapterHost) {}

  catch(error: OpenPlatformError, host: ArgumentsHost): void {
    // Only HTTP answers are this filter's business; other transports keep their own handling.
    if (host.getType() !== 'http') throw error;
    const status = httpStatusOf(error);
    if (status === HttpStatus.INTERNAL_SERVER_ERROR) {
      this.logger.error(`${String(error.code)}: ${error.message}`);
    }
    const body = httpBodyOf(error, status);
    const response = host.switchToHttp().getResponse<AnyReply>();
    const adapter = this.adapterHost?.httpAdapter;
    if (adapter) {
      adapter.reply(response, body, status);
      return;
    }
    if (typeof response.status === 'function' && typeof response.json === 'function') {
      response.status(status).json!(body); // Express
    } else if (typeof response.code === 'function' && typeof response.send === 'function') {
      response.code(status).send!(body); // Fastify
    } else {
      throw error;
    }
  }
}
