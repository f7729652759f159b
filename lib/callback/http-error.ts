import { HttpException } from '@nestjs/common';
import { httpBodyOf, httpStatusOf } from '../errors/http-status.js';
import { OpenPlatformError } from '../errors/open-platform.error.js';

/**
 * Maps an error of the module's routes to its HTTP answer, with the same statuses
 * `OpenPlatformExceptionFilter` gives the app's routes: bad input is a 4xx; a transient upstream
 * failure (or no ticket yet) a 503; a platform refusal a 502. Anything that is not an
 * `OpenPlatformError` stays as it is (Nest's 500). None of these is a 2xx, so the platform retries a
 * push that could not be handled.
 */
export function toHttpError(err: unknown): unknown {
  if (!(err instanceof OpenPlatformError)) return err;
  const status = httpStatusOf(err);
  return new HttpException(httpBodyOf(err, status), status);
}
