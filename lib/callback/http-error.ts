import { HttpException, HttpStatus } from '@nestjs/common';
import { OpenPlatformError, OpenPlatformErrorCode } from '../errors/open-platform.error.js';

const STATUS: Partial<Record<string, HttpStatus>> = {
  [OpenPlatformErrorCode.UNKNOWN_COMPONENT]: HttpStatus.NOT_FOUND,
  [OpenPlatformErrorCode.PAYLOAD_TOO_LARGE]: HttpStatus.PAYLOAD_TOO_LARGE,
  [OpenPlatformErrorCode.SIGNATURE_MISMATCH]: HttpStatus.UNAUTHORIZED,
  [OpenPlatformErrorCode.STALE_PUSH]: HttpStatus.UNAUTHORIZED,
  [OpenPlatformErrorCode.MALFORMED_MESSAGE]: HttpStatus.BAD_REQUEST,
  [OpenPlatformErrorCode.BAD_BASE64]: HttpStatus.BAD_REQUEST,
  [OpenPlatformErrorCode.BAD_PADDING]: HttpStatus.BAD_REQUEST,
  [OpenPlatformErrorCode.BAD_LENGTH]: HttpStatus.BAD_REQUEST,
  [OpenPlatformErrorCode.APPID_MISMATCH]: HttpStatus.BAD_REQUEST,
  [OpenPlatformErrorCode.INVALID_ARGUMENT]: HttpStatus.BAD_REQUEST,
  [OpenPlatformErrorCode.INVALID_AUTHORIZATION_CODE]: HttpStatus.BAD_REQUEST,
  [OpenPlatformErrorCode.NO_TICKET]: HttpStatus.SERVICE_UNAVAILABLE,
};

/**
 * Maps an error of the module's routes to its HTTP answer (DESIGN §3): bad input is a 4xx;
 * an upstream failure is a 502 (503 while waiting for a ticket); anything else stays as it is
 * (a 500), on purpose: the platform retries pushes that were not acknowledged.
 */
export function toHttpError(err: unknown): unknown {
  if (!(err instanceof OpenPlatformError)) return err;
  let status = typeof err.code === 'string' ? STATUS[err.code] : undefined;
  if (status === undefined && (err.code === OpenPlatformErrorCode.TRANSPORT || typeof err.code === 'number'))
    status = HttpStatus.BAD_GATEWAY;
  if (status === undefined) return err;
  return new HttpException({ statusCode: status, code: err.code, message: err.message }, status);
}
