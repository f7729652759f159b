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
};

/**
 * Maps a rejected push to its HTTP status (DESIGN §3). Anything else (a store failure) stays a
 * 5xx on purpose: the platform retries pushes that were not acknowledged.
 */
export function toHttpRejection(err: unknown): unknown {
  if (!(err instanceof OpenPlatformError)) return err;
  const status = typeof err.code === 'string' ? STATUS[err.code] : undefined;
  if (status === undefined) return err;
  return new HttpException({ statusCode: status, code: err.code, message: err.message }, status);
}
